/**
 * The services the daemon runs, in start order. Later issues add the refinery, witness and
 * scheduler patrols here.
 */
import { AgentService } from './agent-service.js';
import { coordinationService } from './coordination-service.js';
import type { ServiceFactory } from './daemon.js';
import { refineryService } from './refinery-service.js';
import { townWatchService } from './town-watch-service.js';
import { witnessService } from './witness-service.js';

/** Every service of the daemon. */
export function daemonServices(): ServiceFactory[] {
  let agents: AgentService | undefined;
  return [
    (ctx) => (agents = new AgentService(ctx)),
    refineryService,
    (ctx) => witnessService(ctx, agents!),
    (ctx) => coordinationService(ctx, agents!),
    townWatchService,
  ];
}
