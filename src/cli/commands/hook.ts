/**
 * `gt hook [show] [--agent <address>]`, `gt hook attach <bead> <address> [--force]`,
 * `gt hook detach [<bead>] [--agent <address>] [--reason <text>]` and `gt unsling <bead>`:
 * the bead on an agent's hook (gastown-features.md §3.3). `attach` only hooks; starting the
 * agent is `gt sling`'s job.
 */
import type { Command } from 'commander';
import type { Issue } from '../../core/ledger/types.js';
import { parseAgentAddress } from '../../core/work/names.js';
import { resolveActor } from '../../store/actor.js';
import { scheduleExport } from '../../store/ledger-sync.js';
import { hookBead, hookOf, unhookBead } from '../../store/work/hook.js';
import { resolveAgentAddress } from '../../store/work/polecats.js';
import { withTown, type Town } from '../../store/town/town.js';
import { inert, issueLine } from '../bd-format.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Options of the hook commands. */
interface HookCliOptions extends JsonOption {
  agent?: string;
  force?: boolean;
  reason?: string;
}

/** The agent named by `--agent`, else the caller (BD_ACTOR or the sandbox it runs in). */
function agentOf(town: Town, ctx: CliContext, given: string | undefined): string {
  if (given !== undefined) {
    const parsed = parseAgentAddress(given);
    if (!parsed) throw usage(`"${given}" is not an agent address`, 'use <rig>/polecats/<name>, <rig>/crew/<name> or mayor');
    return parsed.address;
  }
  const self = resolveAgentAddress(town, ctx.env, ctx.cwd);
  if (!self) throw usage('whose hook?', 'pass --agent <address> (you are not in an agent session or sandbox)');
  return self.address;
}

function showLines(address: string, bead: Issue | undefined): string[] {
  if (!bead) return [`${address}: hook is empty`];
  const lines = [`${address}: ${issueLine(bead)}`];
  if (bead.description?.trim()) lines.push('', ...inert(bead.description.trim()).split('\n').map((l) => `  ${l}`));
  return lines;
}

/** Register `gt hook …` and `gt unsling` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  const hook = program.command('hook').description('the bead on an agent\'s hook: show, attach, detach');

  hook.command('show', { isDefault: true })
    .description('show the bead on a hook (default: yours)')
    .option('--agent <address>', 'whose hook (default: BD_ACTOR or the sandbox you are in)')
    .option('--json', 'print as JSON: {address, hook}')
    .action(action(ctx, 'gt', async (opts: HookCliOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const address = agentOf(town, ctx, opts.agent);
        const bead = hookOf(town, address);
        if (opts.json) printJson(ctx.io, { address, hook: bead ?? null });
        else printLines(ctx.io, showLines(address, bead));
      });
    }));

  hook.command('attach')
    .description('hook a bead to an agent (status hooked, assignee = agent); does not start it')
    .argument('<bead>', 'bead id')
    .argument('<address>', 'agent address (<rig>/polecats/<name>, <rig>/crew/<name>, mayor)')
    .option('--force', 'take the bead from its holder and replace what is on the agent\'s hook')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (bead: string, address: string, opts: HookCliOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const r = hookBead(town, bead, address, { force: Boolean(opts.force), actor: resolveActor(ctx.env, ctx.cwd) });
        if (r.changed) scheduleExport(town, ctx.gtBin, ctx.env);
        if (opts.json) printJson(ctx.io, r);
        else {
          printLines(ctx.io, [
            r.changed ? `hooked ${r.bead.id} to ${r.address}` : `${r.bead.id} is already on ${r.address}'s hook`,
            ...(r.displaced ? [`  taken from ${r.displaced}`] : []),
            ...(r.replaced ? [`  ${r.replaced} was unhooked`] : []),
          ]);
        }
      });
    }));

  hook.command('detach')
    .description('take a bead off its hook (status open, unassigned)')
    .argument('[bead]', 'bead id (default: the bead on --agent\'s or your hook)')
    .option('--agent <address>', 'detach whatever is on this agent\'s hook')
    .option('--reason <text>', 'why (recorded in a comment and the agent\'s history)')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (bead: string | undefined, opts: HookCliOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const target = bead ?? agentOf(town, ctx, opts.agent);
        detach(town, ctx, target, opts);
      });
    }));

  program.command('unsling')
    .description('take a bead off its agent\'s hook (status open, unassigned)')
    .argument('<bead>', 'bead id')
    .option('--reason <text>', 'why (recorded in a comment and the agent\'s history)')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (bead: string, opts: HookCliOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => detach(town, ctx, bead, opts));
    }));
}

function detach(town: Town, ctx: CliContext, target: string, opts: HookCliOptions): void {
  const r = unhookBead(town, target, { ...(opts.reason !== undefined ? { reason: opts.reason } : {}), actor: resolveActor(ctx.env, ctx.cwd) });
  scheduleExport(town, ctx.gtBin, ctx.env);
  if (opts.json) printJson(ctx.io, r);
  else printLines(ctx.io, [`unhooked ${r.bead.id} from ${r.address || '(nobody)'}; it is open again`]);
}
