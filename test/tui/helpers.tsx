/**
 * Helpers for TUI component tests: a sample town view, fresh stores, and the app rendered with
 * ink-testing-library with the real controller reading its stdin.
 */
import { render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { Controller, type CommandResult } from '../../src/tui/controller.js';
import { COMMANDS } from '../../src/tui/keys/commands.js';
import { buildKeymap } from '../../src/tui/keys/keymap.js';
import { keyInfo, Root } from '../../src/tui/run.js';
import { emptyTownView, type TownView } from '../../src/tui/state/read-model.js';
import { createTownStore, createUiStore, type SessionView, type Stores, type TownState, type UiState } from '../../src/tui/state/stores.js';
import { loadTheme } from '../../src/tui/theme.js';
import type { AgentRow } from '../../src/store/work/agents.js';
import type { EscalationRow } from '../../src/store/escalations.js';
import type { InboxEntry } from '../../src/store/mail/mail.js';

const T = '2026-12-01T08:00:00.000Z';

/** An agent row. */
export function agent(rig: string, name: string, patch: Partial<AgentRow> = {}): AgentRow {
  const role = patch.role ?? (rig ? 'polecat' : 'mayor');
  return {
    address: rig ? `${rig}/${role === 'crew' ? 'crew' : 'polecats'}/${name}` : name, role, rig, name, runtime: 'fake',
    state: 'working', hook_bead: '', worktree: '', branch: '', generation: 1, created_at: T, updated_at: T, ...patch,
  };
}

/** A mail inbox entry for the overseer. */
export function mail(id: string, from: string, subject: string, body = '', read = false): InboxEntry {
  return {
    message: { id, thread_id: id, reply_to: null, from, subject, body, kind: 'plain', fields: {}, priority: 2, urgent: false, bead_id: null, created_at: T },
    delivery: { message_id: id, address: 'overseer', role: 'to', via: null, read_at: read ? T : null, archived_at: null, announce: 'none' },
  } as unknown as InboxEntry;
}

/** An open escalation. */
export function escalation(id: string, severity: string, summary: string, source: string, patch: Partial<EscalationRow> = {}): EscalationRow {
  return {
    id, severity, category: 'help', summary, detail: '', bead_id: null, source, source_generation: 1, level: 'mayor', assignee: 'overseer',
    state: 'open', reescalations: 0, created_at: T, updated_at: T, escalated_at: T, acked_at: null, acked_by: null, closed_at: null, close_reason: null, ...patch,
  } as EscalationRow;
}

/** A town view with one rig of two polecats (nux working, slit exited), a ready list, mail and escalations. */
export function sampleView(patch: Partial<TownView> = {}): TownView {
  return {
    ...emptyTownView('demo', '/tmp/demo'),
    rigs: [{ name: 'app', prefix: 'ap', paused: false, agents: [agent('app', 'nux', { hook_bead: 'ap-1' }), agent('app', 'slit', { hook_bead: 'ap-2', state: 'stalled' })] }],
    ready: [{ id: 'ap-3', title: 'Add a flag', priority: 1, issue_type: 'task' }, { id: 'ap-4', title: 'Write docs', priority: 2, issue_type: 'task' }],
    mail: [mail('hq-m1', 'app/polecats/nux', 'ready for review', 'please look at ap-1')],
    unread: 1,
    escalations: [escalation('hq-e1', 'high', 'Should --name accept ""?', 'app/polecats/nux')],
    convoys: [{ id: 'hq-c1', title: 'Ship v1', done: 1, total: 2, landed: false, stranded: false }],
    ...patch,
  };
}

/** Sessions for the sample view: nux working, slit exited. */
export function sampleSessions(): Record<string, SessionView> {
  return {
    'app/polecats/nux': { address: 'app/polecats/nux', generation: 1, status: 'working', why: 'output' },
    'app/polecats/slit': { address: 'app/polecats/slit', generation: 2, status: 'exited', why: 'killed', exit: { code: 137, reason: 'killed by SIGKILL' } },
  };
}

/** A rendered app and what it ran. */
export interface AppRig {
  stores: Stores;
  controller: Controller;
  /** `gt` argv lists the controller ran, in order. */
  ran: string[][];
  /** Typed into sessions: [address, data]. */
  typed: Array<[string, string]>;
  quit: { called: boolean };
  /** Write raw terminal input and wait a macrotask (STACK.md). */
  press: (...chunks: string[]) => Promise<void>;
  /** The last frame without ANSI. */
  frame: () => string;
  /** The last frame with ANSI. */
  rawFrame: () => string;
  unmount: () => void;
}

/** Render the app on fresh stores (100x30: ink-testing-library's width is 100). */
export async function renderApp(options: { town?: Partial<TownState>; ui?: Partial<UiState>; result?: CommandResult; theme?: string } = {}): Promise<AppRig> {
  const stores: Stores = {
    town: createTownStore({ view: sampleView(), sessions: sampleSessions(), daemon: { state: 'up' }, ...options.town }),
    ui: createUiStore({ cols: 100, rows: 30, agent: 'app/polecats/nux', ...options.ui }),
  };
  const keymap = buildKeymap(COMMANDS, {});
  const ran: string[][] = [];
  const typed: Array<[string, string]> = [];
  const quit = { called: false };
  const controller = new Controller({
    stores, keymap, leaveChord: 'ctrl+q',
    run: async (argv) => { ran.push(argv); return options.result ?? { code: 0, out: '', err: '' }; },
    input: (address, _g, data) => typed.push([address, data]),
    quit: () => { quit.called = true; },
    changed: () => undefined,
  });
  const theme = loadTheme(options.theme ?? 'dark', { env: {} });
  const r = render(<Root stores={stores} theme={theme} keys={keyInfo(keymap, 'ctrl+q')} />);
  r.stdin.on('data', (chunk: string) => controller.handleInput(String(chunk)));
  const tick = () => new Promise((res) => setTimeout(res, 0));
  await tick();
  return {
    stores, controller, ran, typed, quit,
    press: async (...chunks) => { for (const c of chunks) { r.stdin.write(c); await tick(); } await tick(); },
    frame: () => stripAnsi(r.lastFrame() ?? ''),
    rawFrame: () => r.lastFrame() ?? '',
    unmount: () => r.unmount(),
  };
}
