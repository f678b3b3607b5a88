/**
 * `gt done [--no-changes --reason <text>] [--json]`: a polecat finishes the work on its hook
 * (gastown-features.md §3.4): uncommitted work is committed, a merge request is recorded (or,
 * with `--no-changes`, the bead is closed), the hook is cleared and the polecat goes idle.
 */
import type { Command } from 'commander';
import { isGtError } from '../../core/errors.js';
import { scheduleExport } from '../../store/ledger-sync.js';
import { finishWork, notAPolecat, type DoneResult } from '../../store/work/done.js';
import { resolveAgentAddress } from '../../store/work/polecats.js';
import { openTown, resolveTown, type Town } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Options of `gt done`. */
interface DoneCliOptions extends JsonOption {
  /** false when `--no-changes` is given (commander's negated option). */
  changes?: boolean;
  reason?: string;
}

function doneLines(r: DoneResult): string[] {
  if (r.outcome === 'no_changes') {
    return [`done: ${r.bead.id} closed without changes (${r.bead.close_reason ?? ''})`, 'you are idle now; exit your session.'];
  }
  return [
    ...(r.saved ? [`saved uncommitted work as ${r.saved.slice(0, 10)}`] : []),
    `done: merge request ${r.mr!.id} for ${r.branch} (${r.commit!.slice(0, 10)}, ${r.ahead} commit${r.ahead > 1 ? 's' : ''}) → ${r.mr!.target}`,
    `${r.bead.id} is in progress, awaiting merge; you are idle now — exit your session.`,
  ];
}

function openTownOrRefuse(ctx: CliContext): Town {
  try {
    return openTown(resolveTown(ctx.cwd, ctx.env));
  } catch (e) {
    // Outside any town there is certainly no polecat sandbox: say that, not "no town".
    if (isGtError(e) && e.code === 'TOWN_NOT_FOUND') throw notAPolecat(ctx.env.BD_ACTOR ?? '');
    throw e;
  }
}

/** Register `gt done` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('done')
    .description('finish the work on your hook (polecats): record a merge request for your branch')
    .option('--no-changes', 'nothing needed changing: close the bead instead (needs --reason)')
    .option('--reason <text>', 'why nothing needed changing')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (opts: DoneCliOptions) => {
      const town = openTownOrRefuse(ctx);
      try {
        const who = resolveAgentAddress(town, ctx.env, ctx.cwd);
        const result = await finishWork(town, who?.address ?? ctx.env.BD_ACTOR ?? '', {
          noChanges: opts.changes === false,
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        });
        scheduleExport(town, ctx.gtBin, ctx.env);
        if (opts.json) printJson(ctx.io, result);
        else printLines(ctx.io, [...doneLines(result), ...(result.squashed ? [`  the finished molecule on it was squashed into ${result.squashed}`] : [])]);
      } finally {
        town.close();
      }
    }));
}
