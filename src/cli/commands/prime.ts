/**
 * `gt prime [--json] [--agent <address>]`: what an agent session is told at start — who it is,
 * the rules of its role, the bead on its hook, its handoff note (gastown-features.md §3.12).
 * The agent is BD_ACTOR, else the sandbox the command runs in; `--agent` previews another
 * agent's prime without consuming its handoff note.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { parseAgentAddress } from '../../core/work/names.js';
import { primeJson, renderPrime } from '../../core/work/prime.js';
import { primeContextOf } from '../../store/work/hook.js';
import { resolveAgentAddress } from '../../store/work/polecats.js';
import { withTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson } from '../output.js';

/** Options of `gt prime`. */
interface PrimeOptions extends JsonOption {
  agent?: string;
}

/** Register `gt prime` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('prime')
    .description('who you are, the rules of your role and the work on your hook (run at session start)')
    .option('--agent <address>', 'show the prime of this agent instead (does not consume its handoff note)')
    .option('--json', 'print as JSON: {address, role, rig, name, town, runtime, hook, molecule, handoff, mail, escalations, rules}')
    .action(action(ctx, 'gt', async (opts: PrimeOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        let who = resolveAgentAddress(town, ctx.env, ctx.cwd);
        if (opts.agent !== undefined) {
          who = parseAgentAddress(opts.agent);
          if (!who) throw usage(`"${opts.agent}" is not an agent address`, 'use <rig>/polecats/<name>, <rig>/crew/<name> or mayor');
        }
        if (!who) {
          throw new GtError('AGENT_NOT_FOUND', 'gt prime runs inside an agent session: BD_ACTOR is not an agent address and this directory is no agent\'s sandbox', {
            fix: 'run it in a polecat or crew directory, set BD_ACTOR=<rig>/polecats/<name>, or pass --agent <address>',
          });
        }
        const context = primeContextOf(town, who, {
          consumeHandoff: opts.agent === undefined,
          ...(ctx.env.GT_AGENT ? { runtime: ctx.env.GT_AGENT } : {}),
        });
        if (opts.json) printJson(ctx.io, primeJson(context));
        else ctx.io.out(inert(renderPrime(context)));
      });
    }));
}
