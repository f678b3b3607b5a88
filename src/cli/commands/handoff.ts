/**
 * `gt handoff [--note <text>] [--agent <address>]`: a fresh session on the same hook (Gas Town
 * §3.12). The note is stored and shown by `gt prime` in the new session; the old session is
 * stopped and a new generation starts.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { parseAgentAddress } from '../../core/work/names.js';
import { recordEvent } from '../../store/events.js';
import { writeTx } from '../../store/sqlite/db.js';
import { addHandoff, requireAgent } from '../../store/work/agents.js';
import { withTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { normalizeAddress, withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

/** Register `gt handoff`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('handoff')
    .description('restart an agent in a fresh session on the same hook, with a note for its next self')
    .option('-m, --note <text>', 'what the next session should know')
    .option('--agent <address>', 'whose session (default: this session\'s agent, BD_ACTOR)')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (o: JsonOption & { note?: string; agent?: string }) => {
      const who = o.agent ?? ctx.env.BD_ACTOR;
      if (!who) throw new GtError('USAGE', 'gt handoff runs inside an agent session, or name one with --agent', { fix: 'gt handoff --agent demo/polecats/nux --note "…"' });
      const address = normalizeAddress(who);
      await withTown(ctx.cwd, ctx.env, (town) => {
        requireAgent(town.db, address);
        writeTx(town.db, () => {
          if (o.note) addHandoff(town.db, address, o.note);
          recordEvent(town, { type: 'agent.handed_off', actor: ctx.env.BD_ACTOR || 'overseer', rig: parseAgentAddress(address)?.rig ?? '', subject: address, payload: { note: Boolean(o.note) } });
        });
      });
      // From inside the session being replaced, the restart ends this very process's terminal:
      // ask for it and return at once.
      const info = await withDaemonClient(ctx, (client) => client.request<AgentInfo>('agent.restart', { address, reason: 'handoff' }));
      if (o.json) printJson(ctx.io, info);
      else printLines(ctx.io, [`✓ Handed off ${address}: new session ${info.session?.id ?? '?'}${o.note ? ' (note saved for gt prime)' : ''}`]);
    }));
}
