/**
 * The TUI entry (`gt`, `gt tui`): sets the terminal up (alternate screen, raw input, hidden
 * cursor), renders the Ink app into the compositor, connects to the daemon, wires keys to the
 * controller, and on quit puts the terminal back — leaving every agent running.
 *
 * Loaded only by `gt tui` through a dynamic import (STACK.md: Ink costs ~0.5 s to import).
 */
import { render } from 'ink';
import type { TownEvent } from '../core/events/types.js';
import { openTown, type Town } from '../store/town/town.js';
import { Controller, type CommandResult } from './controller.js';
import { DaemonLink } from './daemon-link.js';
import { COMMANDS } from './keys/commands.js';
import { displayKey, helpRows, hintBar } from './keys/help.js';
import { buildKeymap, type Keymap } from './keys/keymap.js';
import type { Scope } from './keys/commands.js';
import { screenPlan } from './plan.js';
import { Compositor, type PaneLayer } from './render/compositor.js';
import { readTownView, watchDayCosts } from './state/read-model.js';
import { createTownStore, createUiStore, pushToast, TOAST_MS, type Stores } from './state/stores.js';
import { agentsInOrder, clampIndex, escalationItems, filterFor, mailItems, queueItems, readyItems } from './state/selectors.js';
import { loadTheme, themeDirs, type Theme } from './theme.js';
import { App, ErrorBoundary } from './components/App.js';
import { KeysContext, StoresContext, ThemeContext, type KeyInfo } from './components/context.js';
import { QuietStdin, VirtualStdout } from './virtual-stdout.js';
import { toastOf } from './toasts.js';

/** Options of {@link runTui}. */
export interface RunTuiOptions {
  root: string;
  gtBin: string;
  env: NodeJS.ProcessEnv;
  /** Theme name (overrides the town's `theme` setting). */
  theme?: string;
  /** Run `gt <argv>` in-process (the CLI's runCli bound to this town). */
  run: (argv: string[]) => Promise<CommandResult>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** How the TUI ended. */
export interface TuiExit {
  /** Sessions still running in the daemon when the TUI left. */
  running: number;
  /** Why it ended ('quit', 'signal'). */
  reason: string;
}

/** The key info components show, from a keymap. */
export function keyInfo(keymap: Keymap, leave: string): KeyInfo {
  return {
    hints: (scopes) => hintBar(keymap, COMMANDS, scopes as Scope[]),
    help: () => helpRows(keymap, COMMANDS),
    leave: displayKey(leave),
    keyOf: (id) => { const k = keymap.keysOf(id)[0]; return k ? displayKey(k) : ''; },
  };
}

/** The Ink tree with its providers. */
export function Root({ stores, theme, keys }: { stores: Stores; theme: Theme; keys: KeyInfo }) {
  return (
    <ErrorBoundary>
      <ThemeContext.Provider value={theme}>
        <StoresContext.Provider value={stores}>
          <KeysContext.Provider value={keys}>
            <App />
          </KeysContext.Provider>
        </StoresContext.Provider>
      </ThemeContext.Provider>
    </ErrorBoundary>
  );
}

/**
 * Run the TUI until the user quits.
 *
 * @throws GtError from opening the town or loading the theme (before the screen is taken).
 */
export async function runTui(options: RunTuiOptions): Promise<TuiExit> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const town: Town = openTown(options.root);
  const settings = town.settings();
  const theme = loadTheme(options.theme ?? settings.theme, { dirs: themeDirs(options.root), env: options.env });
  const keymap = buildKeymap(COMMANDS, settings.tui.keys);
  const leave = settings.tui.leave_chord;
  const frameMs = Math.round(1000 / settings.tui.fps);
  const stores: Stores = {
    town: createTownStore({ view: { ...readTownView(town) } }),
    ui: createUiStore({ cols: stdout.columns || 80, rows: stdout.rows || 24, gridSize: settings.tui.panes }),
  };
  const first = agentsInOrder(stores.town.getState().view)[0];
  if (first) stores.ui.setState({ agent: first.address });
  for (const e of keymap.errors) pushToast(stores.ui, `settings tui.keys: ${e}`, 'error');

  // ---- the screen -------------------------------------------------------------------------
  let stopped = false;
  // A terminal that went away (closed window, killed tmux) must not crash the TUI mid-frame.
  const onStdoutError = () => stop('the terminal went away');
  stdout.on('error', onStdoutError);
  const write = (s: string) => {
    try {
      stdout.write(s);
    } catch {
      stop('the terminal went away');
    }
  };
  const compositor = new Compositor({ cols: stores.ui.getState().cols, rows: stores.ui.getState().rows, write, color: theme.color });
  let flushTimer: NodeJS.Timeout | undefined;
  let lastFlush = 0;
  let urgent = false;
  const flushNow = () => {
    flushTimer = undefined;
    urgent = false;
    lastFlush = Date.now();
    placeCursor();
    compositor.flush();
  };
  /** Chrome changes (keys, state) draw at once; pane output at most `fps` times a second. */
  const schedule = (now = false) => {
    if (now) urgent = true;
    const wait = urgent ? 0 : Math.max(0, lastFlush + frameMs - Date.now());
    if (flushTimer && !now) return;
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flushNow, wait);
  };

  const link = new DaemonLink({
    root: options.root, gtBin: options.gtBin, env: options.env, town: stores.town,
    onMirrorChange: (address) => { compositor.paneChanged(address); schedule(); },
    onMirrorsChanged: () => placePanes(),
    onTownChanged: (events) => { toastEvents(events); refresh(); },
  });

  // The screen plan of the current state, recomputed when a store changes (placePanes), read
  // by every flush (placeCursor) without computing it again per frame.
  let plan = screenPlan(stores.town.getState(), stores.ui.getState());
  const placeCursor = () => {
    const u = stores.ui.getState();
    const m = u.entered ? link.mirror(u.entered) : undefined;
    const r = u.entered ? plan.contentRects.get(u.entered) : undefined;
    if (m && r && !u.modal && !u.help) {
      const c = m.cursor();
      if (c.visible && c.x < r.w && c.y < r.h) return compositor.setCursor({ x: r.x + c.x, y: r.y + c.y });
    }
    compositor.setCursor(undefined);
  };

  const placePanes = () => {
    plan = screenPlan(stores.town.getState(), stores.ui.getState());
    const layers: PaneLayer[] = [];
    if (!plan.layout.tooSmall) {
      for (const [address, rect] of plan.contentRects) {
        const m = link.mirror(address);
        if (m) layers.push({ id: address, rect, term: m.term });
      }
    }
    compositor.setPanes(layers);
    compositor.setOccluders([plan.helpRect, plan.modalRect].filter((r): r is NonNullable<typeof r> => Boolean(r)));
    link.setVisible(plan.layout.tooSmall ? new Map() : plan.contentRects);
    schedule(true);
  };

  // ---- the town view ----------------------------------------------------------------------
  let refreshTimer: NodeJS.Timeout | undefined;
  let lastRefresh = 0;
  let lastViewKey = '';
  const doRefresh = () => {
    refreshTimer = undefined;
    lastRefresh = Date.now();
    try {
      const view = readTownView(town);
      const key = JSON.stringify({ ...view, readAt: 0 });
      if (key !== lastViewKey || stores.town.getState().readError) {
        lastViewKey = key;
        const keep = selectedIds();
        stores.town.setState({ view, readError: undefined });
        clampSelections(keep);
      }
    } catch (e) {
      stores.town.setState({ readError: (e as Error).message });
    }
  };
  const refresh = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(doRefresh, Math.max(0, lastRefresh + 150 - Date.now()));
  };
  /** The ids under each list's selection, so a new read keeps the same items selected. */
  const selectedIds = () => {
    const u = stores.ui.getState();
    const v = stores.town.getState().view;
    return {
      ready: readyItems(v, filterFor(u, 'ready'))[u.selected.ready]?.id,
      mail: mailItems(v, filterFor(u, 'mail'))[u.selected.mail]?.message.id,
      escalations: escalationItems(v, filterFor(u, 'escalations'))[u.selected.escalations]?.id,
      queue: queueItems(v, filterFor(u, 'queue'))[u.selected.queue]?.id,
    };
  };
  const clampSelections = (keep: ReturnType<typeof selectedIds>) => {
    const u = stores.ui.getState();
    const v = stores.town.getState().view;
    const agents = agentsInOrder(v);
    const agent = agents.some((a) => a.address === u.agent) ? u.agent : agents[0]?.address;
    const at = <T,>(list: T[], id: string | undefined, idOf: (x: T) => string, old: number) => {
      const i = id === undefined ? -1 : list.findIndex((x) => idOf(x) === id);
      return i >= 0 ? i : clampIndex(old, list.length);
    };
    stores.ui.setState({
      ...(agent !== u.agent ? { agent } : {}),
      selected: {
        ...u.selected,
        ready: at(readyItems(v, filterFor(u, 'ready')), keep.ready, (x) => x.id, u.selected.ready),
        mail: at(mailItems(v, filterFor(u, 'mail')), keep.mail, (x) => x.message.id, u.selected.mail),
        escalations: at(escalationItems(v, filterFor(u, 'escalations')), keep.escalations, (x) => x.id, u.selected.escalations),
        queue: at(queueItems(v, filterFor(u, 'queue')), keep.queue, (x) => x.id, u.selected.queue),
      },
    });
  };
  const toastEvents = (events: TownEvent[]) => {
    for (const e of events) {
      const t = toastOf(e);
      if (t) pushToast(stores.ui, t.text, t.kind);
    }
  };

  // ---- Ink --------------------------------------------------------------------------------
  // A new chrome frame (a key was pressed, state changed) is drawn at once, not on the next
  // timer tick: keypress-to-screen latency is what users feel.
  const inkOut = new VirtualStdout(compositor.size.cols, compositor.size.rows, (frame) => {
    void compositor.setChrome(frame).then(() => {
      if (!stopped) {
        clearTimeout(flushTimer);
        flushNow();
      }
    });
  });
  const ink = render(<Root stores={stores} theme={theme} keys={keyInfo(keymap, leave)} />, {
    stdout: inkOut as unknown as NodeJS.WriteStream,
    stdin: new QuietStdin() as unknown as NodeJS.ReadStream,
    debug: true, exitOnCtrlC: false, patchConsole: false,
  });
  const unsubUi = stores.ui.subscribe(() => placePanes());
  const unsubTown = stores.town.subscribe((s, prev) => {
    if (s.view !== prev.view || s.attached !== prev.attached || s.sessions !== prev.sessions || s.daemon !== prev.daemon) placePanes();
  });

  // ---- terminal, keys, clock ----------------------------------------------------------------
  stdout.write('\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l');
  const raw = typeof stdin.setRawMode === 'function' && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();

  // Today's token cost for the header: read from the runtimes' logs off the first frame, every 30 s.
  let stopCosts: () => void = () => undefined;
  let finish!: (exit: TuiExit) => void;
  const done = new Promise<TuiExit>((r) => { finish = r; });
  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(clock);
    clearTimeout(flushTimer);
    clearTimeout(refreshTimer);
    stopCosts();
    unsubUi();
    unsubTown();
    stdin.off('data', onData);
    stdout.off('resize', onResize);
    ink.unmount();
    const running = link.runningCount();
    link.close();
    compositor.dispose();
    try {
      stdout.write('\x1b[?2026l\x1b[0m\x1b[?25h\x1b[?1049l');
      if (raw) stdin.setRawMode(false);
    } catch {
      // the terminal is gone: nothing to restore
    }
    stdin.pause();
    town.close();
    finish({ running, reason });
  };
  const controller = new Controller({
    stores, keymap, leaveChord: leave,
    run: options.run,
    input: (address, generation, data) => link.input(address, generation, data, (e) => pushToast(stores.ui, `typing to ${address} failed: ${e.message}`, 'error')),
    quit: () => stop('quit'),
    changed: () => refresh(),
  });
  const onData = (chunk: string | Buffer) => controller.handleInput(String(chunk));
  stdin.on('data', onData);
  const onResize = () => {
    const cols = stdout.columns || 80;
    const rows = stdout.rows || 24;
    compositor.resize(cols, rows);
    inkOut.resize(cols, rows);
    stores.ui.setState({ cols, rows });
  };
  stdout.on('resize', onResize);
  let ticks = 0;
  const clock = setInterval(() => {
    ticks++;
    const u = stores.ui.getState();
    const now = Date.now();
    const toastLive = u.toasts.some((t) => now - t.at < TOAST_MS + 1_000);
    const banner = stores.town.getState().daemon.state !== 'up';
    if (toastLive || banner || ticks % 30 === 0) stores.ui.setState({ now, toasts: u.toasts.filter((t) => now - t.at < TOAST_MS + 1_000) });
  }, 1_000);
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.once(sig, () => stop(sig));

  link.start();
  stopCosts = watchDayCosts(town, options.env, (costs) => stores.town.setState({ costs }));
  placePanes();
  return done;
}
