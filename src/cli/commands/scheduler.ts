/**
 * `gt scheduler status|pause|resume|clear` (issue #5; Gas Town §3.9): the capacity governor.
 * `scheduler.max_polecats` is set per town (`gt config set scheduler.max_polecats 4`) and per rig
 * (`gt rig config set <rig> scheduler.max_polecats 2`).
 */
import type { Command } from 'commander';
import { settingsFile } from '../../core/town/layout.js';
import { TownSettingsSchema } from '../../core/town/settings.js';
import { allSlings, capacity, clearSlings, queuedSlings, workingPolecats } from '../../store/scheduler.js';
import { listRigs, rigSettings } from '../../store/town/rigs.js';
import { updateSettingsFile, withTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Register `gt scheduler`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  const scheduler = program.command('scheduler').description('capacity: how many polecats work at once; queued slings');

  scheduler.command('status')
    .description('capacity per town and rig, and the queue')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const s = town.settings().scheduler;
        const rigs = listRigs(town).map((r) => ({ rig: r.name, max: rigSettings(town, r.name).scheduler.max_polecats, working: workingPolecats(town, r.name), free: capacity(town, r.name).free }));
        const queue = queuedSlings(town);
        if (o.json) { printJson(ctx.io, { paused: s.paused, max_polecats: s.max_polecats, working: workingPolecats(town), rigs, queue, recent: allSlings(town, 20) }); return; }
        const lim = (n: number) => (n <= 0 ? 'no limit' : String(n));
        printLines(ctx.io, [
          `Scheduler ${s.paused ? 'paused' : 'running'} · town: ${workingPolecats(town)} working, limit ${lim(s.max_polecats)}`,
          ...rigs.map((r) => `  ${r.rig}: ${r.working} working, limit ${lim(r.max)}${r.free ? '' : ' (full)'}`),
          queue.length ? `Queued (${queue.length}):` : 'Nothing queued.',
          ...queue.map((q) => `  #${q.id} ${q.bead_id} → ${q.target} P${q.priority}${q.attempts ? ` (tried ${q.attempts}: ${q.error ?? ''})` : ''}`),
        ]);
      });
    }));

  for (const [name, paused] of [['pause', true], ['resume', false]] as const) {
    scheduler.command(name)
      .description(`${name} dispatching queued slings`)
      .action(run(async () => {
        await withTown(ctx.cwd, ctx.env, (town) => {
          updateSettingsFile(settingsFile(town.root), TownSettingsSchema, 'scheduler.paused', String(paused));
          printLines(ctx.io, [`✓ Scheduler ${paused ? 'paused' : 'resumed'}`]);
        });
      }));
  }

  scheduler.command('clear')
    .description('drop every queued sling')
    .action(run(async () => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        printLines(ctx.io, [`✓ Cleared ${clearSlings(town)} queued sling(s)`]);
      });
    }));
}
