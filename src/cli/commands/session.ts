/**
 * Looking at and talking to a live agent (issue #3 §2):
 * - `gt peek <agent> [-n lines]`: the last lines of its screen (or scrollback);
 * - `gt attach <agent> [--leave ctrl-q]`: raw passthrough to the session in this terminal, until
 *   the leave chord (Ctrl-Q by default; recognised raw, in CSI-u and in modifyOtherKeys form);
 *   terminal modes the agent turned on are reset on leave;
 * - `gt nudge <agent> <text…> [--urgent]`: type text into it at its next idle, exactly once.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import type { DaemonClient } from '../../daemon/client.js';
import type { NudgeRow } from '../../daemon/nudge-service.js';
import { inert } from '../bd-format.js';
import { action, intOption, usage, type CliContext, type JsonOption } from '../context.js';
import { normalizeAddress, withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

/**
 * Sequences that undo what an agent may have turned on (alternate screen, hidden cursor, mouse
 * reporting, bracketed paste, application keypad and cursor keys, colours, scroll region), so the
 * user's shell is usable after leaving.
 */
export const RESET_MODES = '\x1b[?1049l\x1b[?1047l\x1b[?47l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1l\x1b>\x1b[?25h\x1b[0m\x1b[r\x1b[?7h';

/**
 * The byte forms of a Ctrl-<letter> chord: the raw control byte, the CSI-u form
 * (`ESC [ <code> ; 5 u`) and xterm's modifyOtherKeys form (`ESC [ 27 ; 5 ; <code> ~`).
 *
 * @throws GtError USAGE for anything but `ctrl-<letter>`.
 */
export function chordForms(chord: string): string[] {
  const m = /^(?:ctrl|c)-([a-z])$/i.exec(chord.trim());
  if (!m) throw usage(`cannot read the leave chord "${chord}"`, 'use ctrl-<letter>, e.g. ctrl-q');
  const letter = m[1]!.toLowerCase();
  const code = letter.charCodeAt(0);
  return [String.fromCharCode(code & 0x1f), `\x1b[${code};5u`, `\x1b[27;5;${code}~`];
}

/** Where the first leave chord starts in `input`, and how long it is; undefined when absent. */
export function findChord(input: string, forms: readonly string[]): { at: number; length: number } | undefined {
  let best: { at: number; length: number } | undefined;
  for (const f of forms) {
    const at = input.indexOf(f);
    if (at >= 0 && (!best || at < best.at)) best = { at, length: f.length };
  }
  return best;
}

async function resolveAgent(client: DaemonClient, input: string): Promise<string> {
  const all = await client.request<AgentInfo[]>('agent.list', {});
  const address = normalizeAddress(input, all.map((a) => a.address));
  if (!all.some((a) => a.address === address)) {
    const names = all.map((a) => a.address);
    throw new GtError('AGENT_NOT_FOUND', `no agent "${input}"`, { fix: names.length ? `agents: ${names.join(', ')}` : 'sling a bead first: gt sling <bead> <rig>' });
  }
  return address;
}

async function attach(ctx: CliContext, client: DaemonClient, address: string, leave: string): Promise<string> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) throw usage('gt attach needs an interactive terminal', `read the screen with: gt peek ${address}`);
  const forms = chordForms(leave);
  const snap = await client.request<{ generation: number; data: string; cols: number; rows: number }>('session.subscribe', { address });
  const generation = snap.generation;
  stdout.write(`\x1b[2J\x1b[H${snap.data}`);
  const resize = () => void client.request('session.resize', { address, generation, cols: stdout.columns, rows: stdout.rows }).catch(() => undefined);
  resize();
  return await new Promise<string>((resolve) => {
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      stdin.off('data', onInput);
      stdout.off('resize', resize);
      client.off('event', onEvent);
      try { stdin.setRawMode(false); } catch { /* not a tty any more */ }
      stdin.pause();
      stdout.write(`${RESET_MODES}\r\n`);
      resolve(why);
    };
    const onEvent = (name: string, p: Record<string, unknown>) => {
      if (p.address !== address) return;
      if (name === 'session.data') stdout.write(String(p.data));
      if (name === 'session.exit') finish(`the session ended: ${String(p.reason)}`);
    };
    const onInput = (buf: Buffer) => {
      const text = buf.toString('utf8');
      const hit = findChord(text, forms);
      const send = hit ? text.slice(0, hit.at) : text;
      if (send) void client.request('session.input', { address, generation, data: send }).catch((e: Error) => finish(e.message));
      if (hit) finish('left');
    };
    client.on('event', onEvent);
    client.once('close', () => finish('the daemon connection closed'));
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onInput);
    stdout.on('resize', resize);
    void ctx;
  });
}

/** Register peek, attach and nudge. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);

  program.command('peek')
    .description("the last lines of an agent's screen")
    .argument('<agent>', 'address (demo/polecats/nux), <rig>/<name>, a unique name, or mayor')
    .option('-n, --lines <n>', 'how many lines (more than the screen reads scrollback)')
    .option('--json', 'JSON output')
    .action(run(async (agent: string, o: JsonOption & { lines?: string }) => {
      await withDaemonClient(ctx, async (client) => {
        const address = await resolveAgent(client, agent);
        const r = await client.request<{ generation: number; status: string; lines: string[] }>('agent.peek', { address, lines: intOption('--lines', o.lines, 1) ?? 0 });
        if (o.json) printJson(ctx.io, { address, ...r });
        else printLines(ctx.io, [`── ${address} (generation ${r.generation}, ${r.status}) ──`, ...r.lines.map(inert)]);
      });
    }));

  program.command('attach')
    .description('type into an agent\'s session in this terminal; leave with Ctrl-Q')
    .argument('<agent>', 'address, <rig>/<name>, a unique name, or mayor')
    .option('--leave <chord>', 'the key that leaves (ctrl-<letter>)', 'ctrl-q')
    .action(run(async (agent: string, o: { leave: string }) => {
      chordForms(o.leave);
      await withDaemonClient(ctx, async (client) => {
        const address = await resolveAgent(client, agent);
        const why = await attach(ctx, client, address, o.leave);
        printLines(ctx.io, [`Detached from ${address} (${why}). The agent keeps running.`]);
      });
    }));

  program.command('nudge')
    .description('type text into an agent at its next idle (exactly once), then Enter')
    .argument('<agent>', 'address, <rig>/<name>, a unique name, or mayor')
    .argument('<text...>', 'what to type')
    .option('--urgent', 'type it now, even if the agent is busy')
    .option('--no-wait', 'queue it and return at once')
    .option('--json', 'JSON output')
    .action(run(async (agent: string, words: string[], o: JsonOption & { urgent?: boolean; wait: boolean }) => {
      const text = words.join(' ');
      await withDaemonClient(ctx, async (client) => {
        const address = await resolveAgent(client, agent);
        let row = await client.request<NudgeRow>('nudge.send', { address, text, urgent: Boolean(o.urgent) });
        const deadline = Date.now() + 10_000;
        while (o.wait && (row.state === 'queued' || row.state === 'delivering') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          row = await client.request<NudgeRow>('nudge.status', { id: row.id });
        }
        if (o.json) printJson(ctx.io, row);
        else if (row.state === 'delivered') printLines(ctx.io, [`✓ Nudged ${address}`]);
        else if (row.state === 'queued') printLines(ctx.io, [`Queued nudge ${row.id} for ${address}: it is busy; it will be typed at its next idle.`]);
        else {
          printLines(ctx.io, [`Nudge ${row.id} to ${address}: ${row.state}${row.error ? ` (${row.error})` : ''}`]);
          ctx.exitCode = 1;
        }
      });
    }));
}
