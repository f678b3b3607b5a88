/**
 * A tmux driver for end-to-end tests of full-screen programs (the `gt tui`): a program runs in
 * one pane of a tmux server on a PRIVATE socket (`tmux -L gt-e2e-<unique>`, never the user's
 * default server), keys are pressed by normalized name (`ctrl+q`, `shift+tab`, `enter`, `?`),
 * and the screen is read with `capture-pane`, waiting on a condition with a timeout (never a
 * fixed sleep).
 *
 * The program's environment never has `CI` (Ink renders nothing to a TTY when `CI=true`), nor
 * `TMUX`/`TMUX_PANE` of an enclosing tmux. The server reads no user config: it gets its own
 * config file (no status line, so the pane is exactly `cols × rows`; `remain-on-exit`, so the
 * last screen of a program that exited can still be captured).
 *
 * ```ts
 * requireTmux();
 * const s = await startTmux({ cols: 200, rows: 50, command: ['node', GT_BIN, 'tui'], env: { GT_TOWN: root } });
 * try {
 *   await s.waitForText('Gas Town', 10_000);
 *   await s.sendKeys('?');
 *   await s.waitForText(/Gas Town keys/, 5_000);
 * } finally {
 *   await s.kill();
 * }
 * ```
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How {@link startTmux} starts a program. */
export interface TmuxOptions {
  /** Terminal width (default 120). */
  cols?: number;
  /** Terminal height (default 40). */
  rows?: number;
  /** The program and its arguments, run directly (no shell). */
  command: readonly string[];
  /** Extra environment on top of this process's; `CI` is removed whatever is given here. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory of the program (default this process's). */
  cwd?: string;
}

/** Options of {@link TmuxSession.capture}. */
export interface CaptureOptions {
  /** Keep SGR escapes (`capture-pane -e`); default plain text. */
  escapes?: boolean;
  /** Start at the top of the scrollback (`-S -`), not the top of the screen. */
  history?: boolean;
}

/** A program running in a pane of a private tmux server, made by {@link startTmux}. */
export interface TmuxSession {
  /** The socket name (`tmux -L <socket>`). */
  readonly socket: string;
  /** The socket file's path, as the server reports it. */
  readonly socketPath: string;
  /** The target of the program's pane (`-t`). */
  readonly target: string;
  /** The screen as text, one line per row, trailing blanks trimmed by tmux. */
  capture(options?: CaptureOptions): Promise<string>;
  /**
   * Poll the screen until it matches (`RegExp`) or contains (string) the text.
   *
   * @returns the matching capture.
   * @throws an Error quoting the last capture after `timeoutMs`.
   */
  waitForText(text: RegExp | string, timeoutMs?: number): Promise<string>;
  /**
   * Poll the screen until it no longer matches / contains the text.
   *
   * @returns the first capture without it.
   * @throws an Error quoting the last capture after `timeoutMs`.
   */
  waitForNoText(text: RegExp | string, timeoutMs?: number): Promise<string>;
  /**
   * Press keys, in order, by normalized name: `ctrl+q`, `alt+x`, `shift+tab`, `enter`,
   * `escape`, `up`, `pagedown`, `f5`, or one literal character (`S`, `?`, `1`, `;`).
   * See {@link tmuxKeyArgs}.
   */
  sendKeys(...keys: string[]): Promise<void>;
  /** Type text literally (`send-keys -l`): no key names are interpreted. */
  type(text: string): Promise<void>;
  /** Resize the terminal (the program gets SIGWINCH). */
  resize(cols: number, rows: number): Promise<void>;
  /** The pid of the program in the pane. */
  panePid(): Promise<number>;
  /** True while the server is up and the program in the pane has not exited. */
  alive(): Promise<boolean>;
  /**
   * Poll until the program in the pane has exited (e.g. after `q`); its last screen stays
   * capturable until {@link TmuxSession.kill} (tmux's "Pane is dead" line may scroll it up by
   * one row: capture with `history` to see it all).
   *
   * @throws an Error quoting the last capture after `timeoutMs`.
   */
  waitForExit(timeoutMs?: number): Promise<void>;
  /** Kill the server on this socket and remove its files. Idempotent. */
  kill(): Promise<void>;
}

/** Polling interval of the wait methods. */
const POLL_MS = 50;
/** Default wait timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Named keys (lowercase) to tmux key names. */
const NAMED_KEYS: Readonly<Record<string, string>> = {
  enter: 'Enter', return: 'Enter',
  escape: 'Escape', esc: 'Escape',
  tab: 'Tab', backtab: 'BTab',
  space: 'Space',
  backspace: 'BSpace',
  delete: 'DC', del: 'DC',
  insert: 'IC', ins: 'IC',
  up: 'Up', down: 'Down', left: 'Left', right: 'Right',
  home: 'Home', end: 'End',
  pageup: 'PPage', pgup: 'PPage', pagedown: 'NPage', pgdn: 'NPage',
};

/** Modifier names to tmux prefixes. */
const MODIFIERS: Readonly<Record<string, string>> = { ctrl: 'C-', control: 'C-', alt: 'M-', meta: 'M-', shift: 'S-' };

/**
 * Translate one normalized key name into `send-keys` arguments.
 *
 * - one character (`S`, `?`, `1`, `;`, `é`) → `['-l', char]`, sent literally;
 * - a named key (`enter`, `escape`, `tab`, `space`, `backspace`, `delete`, `up`, `down`,
 *   `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `f1`…`f12`) → its tmux name;
 * - modifiers joined with `+` (`ctrl+q` → `C-q`, `alt+x` → `M-x`, `ctrl+shift+up` → `C-S-Up`);
 *   `shift+tab` is `BTab` (ESC [ Z), and `shift+<letter>` is the capital letter.
 *
 * Names are case-insensitive except a single literal character.
 *
 * @throws an Error for a name it does not know.
 */
export function tmuxKeyArgs(key: string): string[] {
  if ([...key].length === 1) return ['-l', key];
  const parts = key.split('+');
  // `ctrl++` or `+`: a literal plus as the last part
  if (key.endsWith('++')) parts.splice(-2, 2, '+');
  const base = parts.pop() ?? '';
  const mods = parts.map((m) => {
    const p = MODIFIERS[m.toLowerCase()];
    if (!p) throw new Error(`unknown modifier "${m}" in key "${key}" (known: ctrl, alt, shift)`);
    return p;
  });
  if (!base) throw new Error(`no key in "${key}"`);
  let name: string | undefined;
  const lower = base.toLowerCase();
  if ([...base].length === 1) name = base;
  else if (NAMED_KEYS[lower]) name = NAMED_KEYS[lower];
  else if (/^f([1-9]|1[0-2])$/.test(lower)) name = `F${lower.slice(1)}`;
  if (!name) throw new Error(`unknown key "${key}" (known: one character, ${Object.keys(NAMED_KEYS).join(', ')}, f1-f12, with ctrl+/alt+/shift+)`);
  const shift = mods.includes('S-');
  if (shift && name === 'Tab') return [[...mods.filter((m) => m !== 'S-'), 'BTab'].join('')];
  if (shift && /^[a-z]$/i.test(name)) return [[...mods.filter((m) => m !== 'S-'), name.toUpperCase()].join('')];
  return [mods.join('') + name];
}

/** `tmux -V`, or undefined when tmux is not installed. */
export function tmuxVersion(): string | undefined {
  try {
    return execFileSync('tmux', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Check that tmux is installed (for a `beforeAll`).
 *
 * @returns the `tmux -V` text.
 * @throws an Error saying how to install it when it is missing.
 */
export function requireTmux(): string {
  const v = tmuxVersion();
  if (!v) throw new Error('tmux is not installed: the end-to-end TUI tests need it (apt-get install tmux)');
  return v;
}

/** The environment for the tmux server and its program: this process's plus `extra`, minus CI and an enclosing tmux. */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.CI;
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/**
 * Escape one argument of a tmux command line given as argv: an argument ending in `;` would be
 * taken as a command separator, so its last `;` gets a backslash (tmux removes it).
 */
function tmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

interface TmuxResult { code: number; stdout: string; stderr: string }

function runTmux(socket: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<TmuxResult> {
  return new Promise((res) => {
    execFile('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: env ?? cleanEnv(), timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

async function mustTmux(socket: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runTmux(socket, args, env);
  if (r.code !== 0) throw new Error(`tmux -L ${socket} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

let counter = 0;
/** Servers not yet killed (socket name → socket file), killed synchronously if this process exits first. */
const live = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [socket, file] of live) {
      try { execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 2000 }); } catch { /* already gone */ }
      rmSync(file, { force: true });
    }
  });
}

function matches(screen: string, text: RegExp | string): boolean {
  if (typeof text === 'string') return screen.includes(text);
  text.lastIndex = 0;
  return text.test(screen);
}

/**
 * Start `command` in a fresh tmux server on a private socket, in a detached session of
 * `cols × rows` (no status line).
 *
 * @returns the session; call {@link TmuxSession.kill} when done (also done at process exit).
 */
export async function startTmux(options: TmuxOptions): Promise<TmuxSession> {
  if (options.command.length === 0) throw new Error('startTmux: empty command');
  const cols = options.cols ?? 120;
  const rows = options.rows ?? 40;
  const socket = `gt-e2e-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const confDir = mkdtempSync(join(tmpdir(), 'gt-e2e-tmux-'));
  const conf = join(confDir, 'tmux.conf');
  writeFileSync(conf, [
    'set -g status off',
    'set -g remain-on-exit on',
    'set -g escape-time 0',
    'set -g history-limit 2000',
    'set -g default-terminal "tmux-256color"',
    '',
  ].join('\n'));
  const env = cleanEnv(options.env);
  // The server inherits this environment; `env -u CI` makes sure, even if a global
  // environment were to bring it back.
  const argv = ['env', '-u', 'CI', ...options.command].map(tmuxArg);
  const target = 'gt:0.0';
  const defaultSocketPath = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket);
  installExitHook();
  live.set(socket, defaultSocketPath);
  try {
    await mustTmux(socket, ['-f', conf, 'new-session', '-d', '-s', 'gt', '-x', String(cols), '-y', String(rows),
      ...(options.cwd ? ['-c', options.cwd] : []), '--', ...argv], env);
  } catch (e) {
    live.delete(socket);
    await runTmux(socket, ['kill-server']);
    rmSync(confDir, { recursive: true, force: true });
    rmSync(defaultSocketPath, { force: true }); // a server that died at start leaves it behind
    throw e;
  }
  const socketPath = (await mustTmux(socket, ['display-message', '-p', '-t', target, '#{socket_path}'])).trim() || defaultSocketPath;
  live.set(socket, socketPath);
  let killed = false;

  const capture = async (o: CaptureOptions = {}): Promise<string> => {
    const out = await mustTmux(socket, ['capture-pane', '-p', ...(o.escapes ? ['-e'] : []), ...(o.history ? ['-S', '-'] : []), '-t', target]);
    return out.endsWith('\n') ? out.slice(0, -1) : out;
  };

  const waitUntil = async (want: boolean, text: RegExp | string, timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        last = await capture();
        if (matches(last, text) === want) return last;
      } catch (e) {
        if (killed) throw new Error(`waiting for ${want ? '' : 'no '}${String(text)}: the session was killed`, { cause: e });
        last = `(capture failed: ${(e as Error).message})`;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${want ? '' : 'no '}${String(text)} on tmux ${socket}; last screen:\n${last}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  const session: TmuxSession = {
    socket,
    socketPath,
    target,
    capture,
    waitForText: (text, timeoutMs = DEFAULT_TIMEOUT_MS) => waitUntil(true, text, timeoutMs),
    waitForNoText: (text, timeoutMs = DEFAULT_TIMEOUT_MS) => waitUntil(false, text, timeoutMs),
    async sendKeys(...keys) {
      if (keys.length === 0) return;
      // one tmux invocation: send-keys commands joined by `;`
      const args: string[] = [];
      for (const key of keys) {
        const k = tmuxKeyArgs(key);
        if (args.length) args.push(';');
        args.push('send-keys', '-t', target, ...(k[0] === '-l' ? ['-l', '--', tmuxArg(k[1]!)] : k));
      }
      await mustTmux(socket, args);
    },
    async type(text) {
      if (text) await mustTmux(socket, ['send-keys', '-t', target, '-l', '--', tmuxArg(text)]);
    },
    async resize(c, r) {
      await mustTmux(socket, ['resize-window', '-t', 'gt:0', '-x', String(c), '-y', String(r)]);
    },
    async panePid() {
      return Number((await mustTmux(socket, ['display-message', '-p', '-t', target, '#{pane_pid}'])).trim());
    },
    async alive() {
      if (killed) return false;
      const r = await runTmux(socket, ['display-message', '-p', '-t', target, '#{pane_dead}']);
      return r.code === 0 && r.stdout.trim() === '0';
    },
    async waitForExit(timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (await session.alive()) {
        if (Date.now() > deadline) {
          const last = await capture().catch((e: unknown) => `(capture failed: ${(e as Error).message})`);
          throw new Error(`timed out after ${timeoutMs} ms waiting for the program on tmux ${socket} to exit; last screen:\n${last}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    async kill() {
      if (!killed) {
        killed = true;
        await runTmux(socket, ['kill-server']);
        live.delete(socket);
        rmSync(confDir, { recursive: true, force: true });
      }
      // tmux 3.3 leaves its socket file behind after kill-server
      if (socketPath && existsSync(socketPath)) rmSync(socketPath, { force: true });
    },
  };
  return session;
}
