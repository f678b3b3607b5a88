/**
 * The refinery patrol of the daemon: every rig's merge queue is worked in the background, one
 * rig at a time, whenever it has queued merge requests (`merge_queue.poll_ms`). A run that
 * throws is logged and retried at the next poll; a daemon stopped mid-run leaves a batch that the
 * next run recovers (store/refinery/refinery.ts).
 */
import { runRefineryOnce, type RefineryRun } from '../store/refinery/refinery.js';
import { listRigs, rigSettings } from '../store/town/rigs.js';
import type { DaemonContext, DaemonService } from './daemon.js';

/** Make the refinery service. */
export function refineryService(ctx: DaemonContext): DaemonService {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const last = new Map<string, { at: string; run: RefineryRun }>();
  const nextAt = new Map<string, number>();

  const work = async (only?: string): Promise<RefineryRun[]> => {
    const runs: RefineryRun[] = [];
    for (const rig of listRigs(ctx.town)) {
      if (stopped || (only && rig.name !== only)) continue;
      const queued = ctx.town.db.prepare("SELECT count(*) FROM merge_requests WHERE rig = ? AND state IN ('queued','testing')").pluck().get(rig.name) as number;
      if (!queued) continue;
      const due = nextAt.get(rig.name) ?? 0;
      if (!only && Date.now() < due) continue;
      try {
        const run = await runRefineryOnce(ctx.town, rig.name, { log: (l) => ctx.log(`refinery ${rig.name}: ${l}`) });
        last.set(rig.name, { at: new Date().toISOString(), run });
        runs.push(run);
        if (run.merged.length || run.culprits.length || run.rework.length || run.closed.length) {
          ctx.log(`refinery ${rig.name}: merged ${run.merged.join(', ') || '-'}; culprits ${run.culprits.join(', ') || '-'}; rework ${run.rework.join(', ') || '-'}; closed ${run.closed.join(', ') || '-'} (${run.runs} gate runs)`);
          ctx.publish('refinery', 'refinery.run', { ...run });
        }
        nextAt.set(rig.name, Date.now() + (run.skipped ? rigSettings(ctx.town, rig.name).merge_queue.poll_ms * 5 : 0));
      } catch (e) {
        ctx.log(`refinery ${rig.name} failed: ${(e as Error).stack ?? String(e)}`);
        nextAt.set(rig.name, Date.now() + 10_000);
      }
    }
    return runs;
  };

  const tick = () => {
    if (running || stopped) return;
    running = work().then(() => undefined).finally(() => { running = undefined; });
  };

  ctx.handle('refinery.kick', async (p) => {
    if (running) await running;
    return work(typeof p.rig === 'string' ? p.rig : undefined);
  });
  ctx.handle('refinery.last', () => Object.fromEntries(last));

  return {
    name: 'refinery',
    start: () => {
      const poll = Math.min(...listRigs(ctx.town).map((r) => rigSettings(ctx.town, r.name).merge_queue.poll_ms), 2000);
      timer = setInterval(tick, poll);
      tick();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      // A gate in flight is not awaited: the next daemon recovers its batch.
    },
  };
}
