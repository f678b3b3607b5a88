/**
 * Coordination patrols of the daemon (issue #5): the convoy watcher lands convoys whose tracked
 * beads are all merged (CONVOY_LANDED to their owners), and the scheduler dispatches queued
 * slings, highest priority first, whenever `scheduler.max_polecats` leaves room.
 */
import type { GtError } from '../core/errors.js';
import { landReadyConvoys } from '../store/convoys.js';
import { recordEvent } from '../store/events.js';
import { capacity, dispatchableSlings, markSling } from '../store/scheduler.js';
import { slingBead } from '../store/work/sling.js';
import type { AgentService } from './agent-service.js';
import type { DaemonContext, DaemonService } from './daemon.js';

/** How often the patrols run, in ms. */
export const COORDINATION_TICK_MS = 1000;

/** Make the coordination service over the agent service. */
export function coordinationService(ctx: DaemonContext, agents: AgentService): DaemonService {
  let timer: NodeJS.Timeout | undefined;
  let busy = false;

  const dispatch = async () => {
    if (ctx.town.settings().scheduler.paused) return;
    for (const q of dispatchableSlings(ctx.town)) {
      if (!capacity(ctx.town, q.rig).free) continue;
      try {
        const out = await slingBead(ctx.town, q.bead_id, q.target, { actor: 'deacon', ignoreCapacity: true, noConvoy: true, ...(q.runtime ? { runtime: q.runtime } : {}) });
        if (out.kind === 'hooked') {
          await agents.ensureAgent(out.address, 'assigned', q.runtime ?? undefined);
          markSling(ctx.town, q.id, { ok: true });
          recordEvent(ctx.town, { type: 'scheduler.dispatched', actor: 'deacon', rig: q.rig, subject: q.bead_id, payload: { agent: out.address, queue_id: q.id } });
          ctx.log(`scheduler: dispatched ${q.bead_id} to ${out.address}`);
        }
      } catch (e) {
        // a bead closed, taken or deleted since it was queued will not become slingable by retrying
        const final = ['INVALID_STATUS', 'ALREADY_CLAIMED', 'BEAD_NOT_FOUND'].includes((e as GtError).code);
        markSling(ctx.town, q.id, { ok: false, error: (e as Error).message, final });
        ctx.log(`scheduler: ${q.bead_id} not dispatched: ${(e as Error).message}`);
      }
    }
  };

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      // A convoy that cannot land must not stop the scheduler's dispatch.
      try {
        for (const id of landReadyConvoys(ctx.town)) ctx.log(`convoy ${id} landed`);
      } catch (e) {
        ctx.log(`convoy landing: ${(e as Error).message}`);
      }
      await dispatch();
    } catch (e) {
      ctx.log(`coordination tick failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      busy = false;
    }
  };

  ctx.handle('scheduler.kick', async () => { await tick(); return { ok: true }; });
  return {
    name: 'coordination',
    start: () => { timer = setInterval(() => void tick(), COORDINATION_TICK_MS); },
    stop: () => { if (timer) clearInterval(timer); },
  };
}
