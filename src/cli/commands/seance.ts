/**
 * `gt seance [agent] [--json]` and `gt seance <agent> --replay <session> [--raw]`: talk to the
 * dead — an agent's earlier sessions (gastown-features.md §3.12 "Seance"). Without an agent it
 * lists every agent with its session count; with one, that agent's sessions (generation,
 * runtime, start and end, exit, recording). `--replay` plays a session's asciicast recording
 * into a headless terminal and prints the final screen; `--raw` writes the recorded output
 * bytes instead, for a real terminal to replay.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { openTown, resolveTown } from '../../store/town/town.js';
import { getSession, listSessions, sessionSummaries, type SessionRow, type SessionSummary } from '../../store/work/agents.js';
import { inert } from '../bd-format.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { normalizeAddress } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

interface SeanceOptions extends JsonOption {
  replay?: string;
  raw?: boolean;
}

/** One line per agent that has had sessions. */
export function summaryLines(rows: SessionSummary[]): string[] {
  if (!rows.length) return ['No sessions yet. Sessions are recorded when agents start: gt sling <bead> <rig>'];
  return rows.map((r) => `${inert(r.agent).padEnd(28)} ${String(r.sessions).padStart(3)} session${r.sessions === 1 ? ' ' : 's'}  latest #${r.latest}  started ${r.last_started}${r.recorded ? `  (${r.recorded} recorded)` : ''}`);
}

/** One line per session of an agent, oldest first. */
export function sessionLines(agent: string, sessions: SessionRow[]): string[] {
  const lines = [`Sessions of ${inert(agent)} (${sessions.length}):`];
  for (const s of sessions) {
    const end = s.state === 'running' ? 'running' : `ended ${s.ended_at ?? '?'}  exit ${s.exit_code ?? '-'}${s.exit_reason ? ` (${inert(s.exit_reason)})` : ''}`;
    lines.push(`  #${String(s.generation).padEnd(3)} ${inert(s.runtime || '-').padEnd(10)} started ${s.started_at}  ${end}`);
    lines.push(`       ${s.recording ? `recording ${inert(s.recording)}` : 'no recording'}`);
  }
  lines.push(`Replay one: gt seance ${inert(agent)} --replay <generation>`);
  return lines;
}

/**
 * The session `ref` names among an agent's sessions: a generation (`3`, `#3`) or a full id
 * (`demo/polecats/nux#3`).
 *
 * @throws GtError SESSION_NOT_FOUND listing the generations there are.
 */
export function findSession(agent: string, sessions: SessionRow[], ref: string): SessionRow {
  const t = ref.trim();
  const id = /^#?\d+$/.test(t) ? `${agent}#${Number(t.replace('#', ''))}` : t;
  const found = sessions.find((s) => s.id === id);
  if (found) return found;
  throw new GtError('SESSION_NOT_FOUND', `${agent} has no session "${ref}"`, {
    fix: sessions.length ? `its sessions are generations ${sessions.map((s) => s.generation).join(', ')}` : 'it has had no sessions',
    details: { agent, session: ref },
  });
}

/**
 * The recording of a session, or an error naming the session when it has none.
 *
 * @throws GtError NOT_FOUND.
 */
export function recordingOf(session: SessionRow): string {
  if (session.recording) return session.recording;
  throw new GtError('NOT_FOUND', `session ${session.id} has no recording`, {
    fix: 'sessions are recorded while the town setting sessions.record is on (gt config set sessions.record true)',
    details: { session: session.id },
  });
}

/** Register `gt seance`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('seance')
    .description('an agent\'s earlier sessions, and replaying one from its recording')
    .argument('[agent]', 'the agent (full address, <rig>/<polecat>, or a unique name); none: every agent with sessions')
    .option('--replay <session>', 'replay a session (generation or id): print its final screen')
    .option('--raw', 'with --replay: write the recorded output bytes for a terminal to replay')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (agentInput: string | undefined, o: SeanceOptions) => {
      if (!agentInput && o.replay !== undefined) throw usage('--replay needs an agent', 'gt seance <agent> --replay <generation>');
      if (o.raw && o.replay === undefined) throw usage('--raw goes with --replay', 'gt seance <agent> --replay <generation> --raw');
      const town = openTown(resolveTown(ctx.cwd, ctx.env));
      let session: SessionRow;
      try {
        const summaries = sessionSummaries(town.db);
        if (!agentInput) {
          if (o.json) printJson(ctx.io, summaries);
          else printLines(ctx.io, summaryLines(summaries));
          return;
        }
        const agent = normalizeAddress(agentInput, summaries.map((s) => s.agent));
        const sessions = listSessions(town.db, agent);
        if (!sessions.length) {
          throw new GtError('SESSION_NOT_FOUND', `no sessions recorded for "${agent}"`, {
            fix: summaries.length ? `agents with sessions: ${summaries.map((s) => s.agent).join(', ')}` : 'no agent has had a session yet',
            details: { agent },
          });
        }
        if (o.replay === undefined) {
          if (o.json) printJson(ctx.io, { agent, sessions });
          else printLines(ctx.io, sessionLines(agent, sessions));
          return;
        }
        session = getSession(town.db, findSession(agent, sessions, o.replay).id)!;
      } finally {
        town.close();
      }
      const file = recordingOf(session);
      // Loaded only here: it brings in the headless terminal.
      const { readAsciicast, renderRecording } = await import('../../sessions/replay.js');
      try {
        if (o.raw) {
          ctx.io.out(readAsciicast(file).events.filter(([, code]) => code === 'o').map(([, , data]) => data).join(''));
          return;
        }
        const screen = await renderRecording(file);
        while (screen.length && screen[screen.length - 1] === '') screen.pop();
        if (o.json) printJson(ctx.io, { session: session.id, recording: file, screen });
        else printLines(ctx.io, [`── ${inert(session.id)} · ${inert(session.runtime || '-')} · final screen ──`, ...screen.map(inert)]);
      } catch (e) {
        if (e instanceof GtError && e.code === 'NOT_FOUND') {
          throw new GtError('NOT_FOUND', `the recording of session ${session.id} is missing (${file})`, { fix: 'recordings live under the town\'s logs; it may have been cleaned up', cause: e, details: { session: session.id, recording: file } });
        }
        throw e;
      }
    }));
}
