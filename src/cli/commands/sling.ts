/**
 * `gt sling <bead> [<rig>|<rig>/<polecat>|<rig>/crew/<name>|mayor] [--agent <runtime>]`: put a
 * bead on an agent's hook and start its session (gastown-features.md §3.3). The hook is written
 * (atomically, with its guards) before the session starts, so a session never starts without
 * its work, and a daemon restart finds the work again from the hook. Past the scheduler's
 * capacity the sling is queued and the daemon dispatches it when a polecat frees up.
 */
import type { Command } from 'commander';
import type { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { resolveActor } from '../../store/actor.js';
import { unhookBead } from '../../store/work/hook.js';
import { slingBead, type SlingOutcome } from '../../store/work/sling.js';
import { openTown, resolveTown, withTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

interface SlingCliOptions extends JsonOption {
  agent?: string;
  force?: boolean;
  /** The convoy id given with --convoy, or false for --no-convoy (commander's negation). */
  convoy?: string | false;
}

/** Register `gt sling`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('sling')
    .description('put a bead on an agent\'s hook and start its session')
    .argument('<bead>', 'the bead (partial ids work)')
    .argument('[target]', '<rig> (a free polecat), <rig>/<polecat>, <rig>/crew/<name> or mayor; default: the rig of the bead\'s prefix')
    .option('--agent <runtime>', 'runtime preset for the session (default: the agent\'s, else settings default_agent)')
    .option('--force', 'take the bead even if it is hooked by someone else')
    .option('--convoy <id>', 'add the bead to this convoy (default: its convoy, else a new "Work: <title>")')
    .option('--no-convoy', 'do not put the bead in a convoy')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (beadInput: string, targetInput: string | undefined, o: SlingCliOptions) => {
      const actor = resolveActor(ctx.env, ctx.cwd);
      const outcome: SlingOutcome = await withTown(ctx.cwd, ctx.env, (town) => slingBead(town, beadInput, targetInput, {
        actor, force: Boolean(o.force), noConvoy: o.convoy === false,
        ...(o.agent ? { runtime: o.agent } : {}), ...(o.convoy ? { convoy: o.convoy } : {}),
      }));
      if (outcome.kind === 'queued') {
        if (o.json) printJson(ctx.io, { bead: outcome.bead, queued: outcome.queued, reason: outcome.reason, convoy: outcome.convoy ?? null });
        else printLines(ctx.io, [`Queued ${outcome.bead} for ${outcome.rig}: ${outcome.reason}; it starts when a polecat frees up (gt scheduler status)`]);
        // make sure a daemon is there to dispatch it
        await withDaemonClient(ctx, (client) => client.request('daemon.ping'));
        return;
      }
      const { address, bead } = outcome;
      const info = await withDaemonClient(ctx, async (client) => {
        try {
          return await client.request<AgentInfo>('agent.ensure', { address, reason: 'assigned', ...(o.agent ? { runtime: o.agent } : {}) });
        } catch (e) {
          // No session: give the work back rather than leave it hooked to nobody running.
          if ((e as GtError).code === 'INVALID_VALUE' && /runtime/.test((e as Error).message)) {
            const t = openTown(resolveTown(ctx.cwd, ctx.env));
            try { unhookBead(t, bead, { reason: (e as Error).message }); } finally { t.close(); }
          }
          throw e;
        }
      });
      if (o.json) printJson(ctx.io, { bead, agent: info, convoy: outcome.convoy ?? null });
      else printLines(ctx.io, [`✓ Slung ${bead} to ${address} (session ${info.session?.id ?? '?'}, ${info.runtime})${outcome.convoy ? ` in convoy ${outcome.convoy}` : ''}`, `  watch it: gt peek ${address} · gt attach ${address}`]);
    }));
}
