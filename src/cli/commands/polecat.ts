/**
 * `gt polecat list|status|nuke`: the named workers of a rig and their sandboxes
 * (gastown-features.md §3.10). A polecat is named by its address (`demo/polecats/nux`) or by
 * its name with `--rig` (or inside the rig's directories).
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { parseAgentAddress, polecatAddress } from '../../core/work/names.js';
import { listAgents } from '../../store/work/agents.js';
import { listPolecats, nukePolecat, polecatStatus, type PolecatInfo } from '../../store/work/polecats.js';
import { rigForPath } from '../../store/town/rigs.js';
import { withTown, type Town } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Options of the polecat commands. */
interface PolecatCliOptions extends JsonOption {
  rig?: string;
  force?: boolean;
  all?: boolean;
}

/** The address of a polecat given as an address or a name. */
function polecatOf(town: Town, ctx: CliContext, input: string, rig: string | undefined): string {
  const parsed = parseAgentAddress(input);
  if (parsed) {
    if (parsed.role !== 'polecat') throw usage(`${parsed.address} is not a polecat`, 'name a polecat: <rig>/polecats/<name>');
    return parsed.address;
  }
  const inRig = rig ?? rigForPath(town, ctx.cwd);
  if (inRig) return polecatAddress(inRig, input);
  const matches = listAgents(town.db, { role: 'polecat', includeNuked: true }).filter((a) => a.name === input);
  if (matches.length === 1) return matches[0]!.address;
  if (!matches.length) throw new GtError('AGENT_NOT_FOUND', `no polecat named "${input}"`, { fix: 'list them with `gt polecat list`' });
  throw usage(`"${input}" names polecats in several rigs: ${matches.map((m) => m.address).join(', ')}`, 'pass --rig <rig> or the full address');
}

function infoLine(p: PolecatInfo): string {
  const work = [p.ahead ? `${p.ahead} ahead` : '', p.dirty ? `${p.dirty} dirty` : '', p.exists || p.state === 'nuked' ? '' : 'no sandbox'].filter(Boolean).join(', ');
  return `${p.address}  ${p.state}  hook ${p.hook || '-'}  ${p.branch || '-'}${work ? `  (${work})` : ''}`;
}

/** Register `gt polecat …` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  const polecat = program.command('polecat').description('polecats: named workers with their own git worktree');

  polecat.command('list')
    .description('list polecats with their state, hook, branch and unsaved work')
    .option('--rig <rig>', 'only this rig')
    .option('--all', 'include nuked polecats')
    .option('--json', 'print as JSON')
    .action(action(ctx, 'gt', async (opts: PolecatCliOptions) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const list = await listPolecats(town, opts.rig, { includeNuked: Boolean(opts.all) });
        if (opts.json) printJson(ctx.io, list);
        else if (!list.length) printLines(ctx.io, ['no polecats yet — `gt sling <bead> <rig>` makes one']);
        else printLines(ctx.io, list.map(infoLine));
      });
    }));

  polecat.command('status')
    .description('one polecat in detail: sandbox, history, sessions, merge requests')
    .argument('<polecat>', 'address (<rig>/polecats/<name>) or name')
    .option('--rig <rig>', 'the rig of a polecat given by name')
    .option('--json', 'print as JSON')
    .action(action(ctx, 'gt', async (input: string, opts: PolecatCliOptions) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const s = await polecatStatus(town, polecatOf(town, ctx, input, opts.rig));
        if (opts.json) {
          printJson(ctx.io, s);
          return;
        }
        printLines(ctx.io, [
          infoLine(s),
          `  sandbox: ${s.worktree || '(none)'} · generation ${s.generation}`,
          ...(s.mergeRequests.length ? ['  merge requests:', ...s.mergeRequests.map((m) => `    ${m.id}  ${m.state}  ${m.bead_id}  ${m.branch}@${m.commit_sha.slice(0, 10)}`)] : []),
          ...(s.history.length ? ['  history:', ...s.history.map((h) => `    ${h.created_at}  ${h.outcome}  ${h.bead_id || '-'}${h.detail ? `  ${h.detail}` : ''}`)] : []),
        ]);
      });
    }));

  polecat.command('nuke')
    .description('remove a polecat\'s sandbox (refuses while it holds unsaved work or a hooked bead)')
    .argument('<polecat>', 'address (<rig>/polecats/<name>) or name')
    .option('--rig <rig>', 'the rig of a polecat given by name')
    .option('--force', 'unhook its bead, keep unsaved work on keep/polecat/<name>/… and nuke anyway')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (input: string, opts: PolecatCliOptions) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const r = await nukePolecat(town, polecatOf(town, ctx, input, opts.rig), { force: Boolean(opts.force) });
        if (opts.json) printJson(ctx.io, r);
        else if (r.alreadyNuked) printLines(ctx.io, [`${r.address} was already nuked`]);
        else {
          printLines(ctx.io, [
            `nuked ${r.address}`,
            ...(r.unhooked ? [`  unhooked ${r.unhooked} (open again)`] : []),
            ...(r.kept ? [`  unsaved work kept on branch ${r.kept}`] : []),
            ...(r.deletedBranch ? [`  deleted branch ${r.deletedBranch}`] : []),
          ]);
        }
      });
    }));
}
