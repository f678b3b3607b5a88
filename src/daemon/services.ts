/**
 * The services the daemon runs, in start order. Later issues add the refinery, witness and
 * scheduler patrols here.
 */
import type { ServiceFactory } from './daemon.js';

/** Every service of the daemon. */
export function daemonServices(): ServiceFactory[] {
  return [];
}
