/**
 * The services the daemon runs, in start order. Later issues add the refinery, witness and
 * scheduler patrols here.
 */
import { AgentService } from './agent-service.js';
import type { ServiceFactory } from './daemon.js';
import { refineryService } from './refinery-service.js';

/** Every service of the daemon. */
export function daemonServices(): ServiceFactory[] {
  return [(ctx) => new AgentService(ctx), refineryService];
}
