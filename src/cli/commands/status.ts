/**
 * `gt status [--json]`: the town, its rigs (prefix, branch, polecats, crew, bead counts) and the
 * ledger's counts.
 */
import type { Command } from 'commander';
import { townStatus, type TownStatus } from '../../store/town/status.js';
import { withTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** The plain-text form of a town's status. */
export function statusLines(s: TownStatus): string[] {
  const b = s.beads;
  const lines = [
    `Town ${inert(s.town.name)}  (${s.town.root})`,
    `  owner ${inert(s.town.owner)} · town prefix ${s.town.prefix}`,
    `  beads: ${b.total_issues} total · ${b.open_issues} open · ${b.ready_issues} ready · ${b.in_progress_issues} in progress · ${b.hooked_issues} hooked · ${b.blocked_issues} blocked · ${b.closed_issues} closed`,
  ];
  if (s.unexported_changes) lines.push(`  ledger: ${s.unexported_changes} change(s) not yet exported to .beads/issues.jsonl`);
  lines.push('');
  if (!s.rigs.length) {
    lines.push('No rigs yet. Add one: gt rig add <name> <git-url-or-path>');
    return lines;
  }
  lines.push(`Rigs (${s.rigs.length}):`);
  for (const r of s.rigs) {
    lines.push(`  ${r.name}  [${r.prefix}-]  ${r.default_branch}  ${inert(r.git_url)}`);
    lines.push(`    beads: ${r.beads.open_issues} open · ${r.beads.ready_issues} ready · ${r.beads.in_progress_issues} in progress · ${r.beads.blocked_issues} blocked · ${r.beads.closed_issues} closed`);
    lines.push(`    polecats: ${r.polecats.length ? r.polecats.join(', ') : 'none'} · crew: ${r.crew.length ? r.crew.join(', ') : 'none'}`);
  }
  return lines;
}

/** Register `gt status`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('status')
    .description('the town, its rigs and the ledger at a glance')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (o: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const s = townStatus(town);
        if (o.json) printJson(ctx.io, s);
        else printLines(ctx.io, statusLines(s));
      });
    }));
}
