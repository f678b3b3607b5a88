/**
 * One agent terminal hosted by the daemon: a node-pty child whose output feeds an
 * `@xterm/headless` emulator (the source of status rules, `gt peek` and re-attach snapshots),
 * is re-emitted byte-exact to subscribers and is optionally recorded as asciicast v2.
 *
 * Flow control (STACK.md): bytes handed to xterm but not yet parsed are counted; above
 * {@link FLOW_PAUSE_BYTES} the PTY is paused (the child blocks on write), below
 * {@link FLOW_RESUME_BYTES} it is resumed. No byte is ever dropped — including the output a
 * child leaves in the kernel when it exits (see `readTailBeforeClose`).
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import * as pty from 'node-pty';
import { GtError } from '../core/errors.js';
import { AsciicastWriter } from './replay.js';
import { resolveCommand } from './resolve-command.js';
export { resolveCommand, type ResolvedCommand } from './resolve-command.js';
import { bufferLines, cursorOf, DEFAULT_SCROLLBACK_LINES, screenLines, TerminalFeeder, type CursorPosition } from './screen.js';

/** Pause the PTY when more than this many bytes wait to be parsed by xterm (1 MiB). */
export const FLOW_PAUSE_BYTES = 1024 * 1024;
/** Resume a paused PTY when fewer than this many bytes wait to be parsed (256 KiB). */
export const FLOW_RESUME_BYTES = 256 * 1024;
/** After `kill()`, SIGKILL follows if the process is still alive this many ms later. */
export const KILL_GRACE_MS = 3000;
/** Longest wait (ms) for an exiting child to be reaped before its PTY is closed (see `readTailBeforeClose`). */
const HANGUP_WAIT_MS = 1000;
/** Exit code reported when the command could not be started (as a shell does). */
export const EXIT_CANNOT_START = 127;

/** How to start one session. */
export interface SessionSpec {
  /** Session id, unique among running sessions of a host (e.g. an agent address). */
  id: string;
  /** Generation of this session for its id; messages carry it so stale ones are refused. */
  generation: number;
  /** Program to run: a name looked up on `env.PATH`, or a path (relative paths from `cwd`). Never a shell string. */
  command: string;
  /** Arguments, one per element (argv[1..]). */
  args: string[];
  /** Working directory of the child. */
  cwd: string;
  /** The child's complete environment (not merged with the daemon's); `TERM` defaults to `xterm-256color`, `COLORTERM` to `truecolor`. */
  env: Record<string, string>;
  /** Terminal width in cells (positive integer). */
  cols: number;
  /** Terminal height in cells (positive integer). */
  rows: number;
  /** Lines of scrollback kept above the screen (default 10000). */
  scrollback?: number;
  /** When set, an asciicast v2 recording is appended to this path (give each generation its own). */
  recordFile?: string;
  /** Flow-control watermarks in bytes, for tests and tuning (default 1 MiB / 256 KiB); resume must be <= pause. */
  flowControl?: { pauseBytes: number; resumeBytes: number };
}

/** Lifecycle state: `running` until the child is gone and its last output is parsed. */
export type SessionState = 'running' | 'exited';

/** Payload of the 'exit' event. */
export interface SessionExit {
  /** Exit status: the child's code, 128 + signal number when a signal ended it, 127 when it could not start. */
  code: number;
  /** Name of the signal that ended the child (`SIGTERM`), if one did. */
  signal: string | undefined;
  /** Why, in words: "exited with code 1", "killed by SIGTERM on request", "cannot start x: not found on PATH (…)". */
  reason: string;
}

/** Everything a late client needs to show the session as it is now. */
export interface SessionSnapshot {
  /** Session id. */
  id: string;
  /** Session generation. */
  generation: number;
  /** Width in cells; create the client terminal at this size before writing `data`. */
  cols: number;
  /** Height in cells. */
  rows: number;
  /**
   * Replay stream: SerializeAddon output (scrollback, screen, cursor, modes) followed by the
   * bytes already emitted as 'data' but not yet parsed. Writing it and then every 'data' chunk
   * emitted after the `snapshot()` call reproduces the live screen.
   */
  data: string;
  /** Cursor of the parsed state (exact after `whenIdleWritten()`), in cells. */
  cursor: CursorPosition;
  /** Last OSC 0/2 title ('' if none). */
  title: string;
  /** Lifecycle state. */
  state: SessionState;
  /** Exit status once exited (see {@link SessionExit.code}). */
  exitCode?: number;
  /** Why it exited, once exited. */
  exitReason?: string;
}

/** Events of a {@link HostedSession}. None are emitted after `dispose()`. */
export interface HostedSessionEvents {
  /** Output chunks, exactly in PTY order (plus a start-failure message). */
  data: [chunk: string];
  /** Emitted once, after the last output is parsed and the recording is closed. */
  exit: [info: SessionExit];
  /** The agent set its title with OSC 0 or 2. */
  title: [title: string];
}

/** Signal number → name (15 → SIGTERM). */
function signalName(signo: number): string {
  for (const [name, n] of Object.entries(os.constants.signals)) if (n === signo) return name;
  return `signal ${signo}`;
}

/** One agent terminal: a PTY child, its headless screen, its byte stream and recording. */
export class HostedSession extends EventEmitter<HostedSessionEvents> {
  /** Session id (from the spec). */
  readonly id: string;
  /** Generation (from the spec). */
  readonly generation: number;
  /** Child pid; undefined when the command could not be started. */
  readonly pid: number | undefined;
  /** Lifecycle state. */
  state: SessionState = 'running';
  /** When the session was created, epoch ms. */
  readonly startedAt: number;
  /** When the agent last produced output, epoch ms (`startedAt` until it does). */
  lastOutputAt: number;
  /** Exit status once exited (see {@link SessionExit.code}). */
  exitCode: number | undefined;
  /** Name of the signal that ended the child, if one did. */
  exitSignal: string | undefined;
  /** Why it exited, once exited. */
  exitReason: string | undefined;
  /** Last OSC 0/2 title set by the agent ('' if none). */
  title = '';
  /** Bytes received from the agent (UTF-8 length of its output). */
  bytesOut = 0;
  /** Current width in cells. */
  cols: number;
  /** Current height in cells. */
  rows: number;
  /** How many times flow control paused the PTY because xterm fell behind (diagnostics). */
  flowPauses = 0;

  private readonly screen: TerminalFeeder;
  private readonly recorder: AsciicastWriter | undefined;
  private readonly pty: pty.IPty | undefined;
  private ptyAlive = false;
  private killSignal: string | undefined;
  private escalated = false;
  private killTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  /**
   * Starts the session. A command that cannot be found or spawned does not throw: the session
   * shows a red "gt: cannot start …" message on its screen, is `exited` at once with exit code
   * 127, and emits 'exit' asynchronously.
   *
   * @throws GtError INVALID_VALUE when cols/rows/scrollback are not positive integers or the
   *   flow-control watermarks are inconsistent.
   */
  constructor(spec: SessionSpec) {
    super();
    checkSize(spec.cols, spec.rows);
    const scrollback = spec.scrollback ?? DEFAULT_SCROLLBACK_LINES;
    if (!Number.isInteger(scrollback) || scrollback < 0) {
      throw new GtError('INVALID_VALUE', `scrollback must be a non-negative integer, got ${scrollback}`);
    }
    const { pauseBytes = FLOW_PAUSE_BYTES, resumeBytes = FLOW_RESUME_BYTES } = spec.flowControl ?? {};
    if (!(resumeBytes > 0 && resumeBytes <= pauseBytes)) {
      throw new GtError('INVALID_VALUE', `flow control needs 0 < resumeBytes <= pauseBytes, got ${resumeBytes} and ${pauseBytes}`);
    }
    this.id = spec.id;
    this.generation = spec.generation;
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.startedAt = Date.now();
    this.lastOutputAt = this.startedAt;
    this.screen = new TerminalFeeder(spec.cols, spec.rows, scrollback, {
      pauseBytes,
      resumeBytes,
      pause: () => {
        this.flowPauses++;
        this.pty?.pause();
      },
      resume: () => this.pty?.resume(),
    });
    this.screen.term.onTitleChange((t) => {
      this.title = t;
      if (!this.disposed) this.emit('title', t);
    });
    this.recorder = spec.recordFile
      ? new AsciicastWriter(spec.recordFile, {
          width: spec.cols,
          height: spec.rows,
          timestamp: Math.floor(this.startedAt / 1000),
          env: { TERM: 'xterm-256color' },
          title: `${spec.id} (generation ${spec.generation}): ${[spec.command, ...spec.args].join(' ')}`,
        })
      : undefined;

    const env: Record<string, string> = { TERM: 'xterm-256color', COLORTERM: 'truecolor', ...spec.env };
    let failure: string | undefined;
    if (!isDirectory(spec.cwd)) failure = `working directory ${spec.cwd} does not exist`;
    const resolved = failure ? undefined : resolveCommand(spec.command, env, spec.cwd);
    if (resolved && 'error' in resolved) failure = resolved.error;
    if (resolved && 'path' in resolved) {
      try {
        this.pty = pty.spawn(resolved.path, spec.args, { name: env.TERM, cols: spec.cols, rows: spec.rows, cwd: spec.cwd, env });
      } catch (e) {
        failure = (e as Error).message;
      }
    }
    if (!this.pty) {
      this.failStart(`cannot start ${spec.command}: ${failure ?? 'unknown error'}`);
      return;
    }
    this.pid = this.pty.pid;
    this.ptyAlive = true;
    readTailBeforeClose(this.pty, (chunk) => this.onOutput(chunk));
    this.pty.onData((chunk) => this.onOutput(chunk));
    this.pty.onExit(({ exitCode, signal }) => this.onPtyExit(exitCode, signal ?? 0));
  }

  /**
   * Types `data` into the agent (recorded as an "i" event).
   *
   * @returns false (and does nothing) when the child is gone or the session disposed.
   */
  write(data: string): boolean {
    if (!this.pty || !this.ptyAlive || this.disposed) return false;
    this.pty.write(data);
    this.recorder?.event('i', data);
    return true;
  }

  /**
   * Resizes the PTY (the child gets SIGWINCH) and the headless terminal (recorded as "r").
   *
   * @param cols width in cells; @param rows height in cells.
   * @throws GtError INVALID_VALUE when either is not a positive integer.
   */
  resize(cols: number, rows: number): void {
    checkSize(cols, rows);
    if (this.disposed || (cols === this.cols && rows === this.rows)) return;
    this.cols = cols;
    this.rows = rows;
    if (this.pty && this.ptyAlive) {
      try {
        this.pty.resize(cols, rows);
      } catch {
        // The child exited between the check and the ioctl; the screen still resizes.
      }
    }
    this.screen.resize(cols, rows); // after pending output, as the recording's "r" event has it
    this.recorder?.event('r', `${cols}x${rows}`);
  }

  /**
   * Sends `signal` to the child's process group; when it was not SIGKILL, SIGKILL follows
   * after {@link KILL_GRACE_MS} ms if the child is still alive. No-op once the child is gone.
   *
   * @param signal a signal name (default SIGTERM).
   */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.ptyAlive) return;
    this.killSignal ??= signal;
    this.signalGroup(signal);
    if (signal !== 'SIGKILL' && !this.killTimer) {
      this.killTimer = setTimeout(() => {
        if (!this.ptyAlive) return;
        this.escalated = true;
        this.signalGroup('SIGKILL');
      }, KILL_GRACE_MS);
    }
  }

  /** A re-attach snapshot of the session now (see {@link SessionSnapshot}). */
  snapshot(): SessionSnapshot {
    const snap: SessionSnapshot = {
      id: this.id,
      generation: this.generation,
      cols: this.disposed ? this.cols : this.screen.term.cols,
      rows: this.disposed ? this.rows : this.screen.term.rows,
      data: this.screen.replayData(),
      cursor: this.disposed ? { x: 0, y: 0 } : cursorOf(this.screen.term),
      title: this.title,
      state: this.state,
    };
    if (this.exitCode !== undefined) snap.exitCode = this.exitCode;
    if (this.exitReason !== undefined) snap.exitReason = this.exitReason;
    return snap;
  }

  /**
   * The visible screen's last `lines` rows (default: all) as plain text, right-trimmed —
   * parsed output only (await {@link whenIdleWritten} for everything received). [] once disposed.
   */
  screenText(lines?: number): string[] {
    return this.disposed ? [] : screenLines(this.screen.term, lines);
  }

  /** The last `lines` lines of scrollback plus screen, ending at the last non-blank row. [] once disposed. */
  scrollbackText(lines: number): string[] {
    return this.disposed ? [] : bufferLines(this.screen.term, lines);
  }

  /** Resolves once every byte received so far has been parsed by xterm (at once when disposed). */
  whenIdleWritten(): Promise<void> {
    return this.screen.whenIdle();
  }

  /**
   * Releases the session: SIGHUP to a live child (SIGKILL after {@link KILL_GRACE_MS} ms),
   * flushes and closes the recording, frees the terminal. No events follow. Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    if (this.ptyAlive) this.kill('SIGHUP');
    this.disposed = true;
    void this.recorder?.close();
    this.screen.dispose(); // also resumes a paused PTY: the child must run into its SIGHUP
  }

  private onOutput(chunk: string): void {
    if (this.disposed) return;
    this.bytesOut += Buffer.byteLength(chunk, 'utf8');
    this.lastOutputAt = Date.now();
    this.recorder?.event('o', chunk);
    this.screen.write(chunk);
    this.emit('data', chunk);
  }

  private signalGroup(signal: string): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal); // node-pty children lead their own session and group
    } catch {
      try {
        this.pty?.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  private onPtyExit(exitCode: number, signo: number): void {
    this.ptyAlive = false;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    this.screen.release();
    const signal = signo ? signalName(signo) : undefined;
    let reason: string;
    if (signal) {
      if (this.escalated) reason = `killed by SIGKILL: still alive ${KILL_GRACE_MS} ms after ${this.killSignal}`;
      else reason = this.killSignal === signal ? `killed by ${signal} on request` : `killed by ${signal}`;
    } else {
      reason = `exited with code ${exitCode}` + (this.killSignal ? ` after ${this.killSignal}` : '');
    }
    void this.finish({ code: signal ? 128 + signo : exitCode, signal, reason });
  }

  /** The command could not be started: say so on the screen and exit with 127. */
  private failStart(reason: string): void {
    this.state = 'exited';
    this.exitCode = EXIT_CANNOT_START;
    this.exitReason = reason;
    const text = `\x1b[31mgt: ${reason}\x1b[0m\r\n`;
    this.recorder?.event('o', text);
    this.screen.write(text);
    setImmediate(() => {
      if (!this.disposed) this.emit('data', text);
      void this.finish({ code: EXIT_CANNOT_START, signal: undefined, reason });
    });
  }

  private async finish(info: SessionExit): Promise<void> {
    if (!this.disposed) this.screen.flushTail();
    await this.whenIdleWritten();
    await this.recorder?.close();
    this.state = 'exited';
    this.exitCode = info.code;
    this.exitSignal = info.signal;
    this.exitReason = info.reason;
    if (!this.disposed) this.emit('exit', info);
  }
}

/**
 * Makes sure the last output of a child that exits is read. Two things would drop it: libuv
 * takes POLLHUP after a short read as end-of-file, although a Linux PTY master hands out its
 * buffered output ~4 KiB per read (hundreds of KiB can still be queued when the child wrote
 * faster than we read); and node-pty 1.1 destroys the socket 200 ms after the child exits,
 * read or not (e.g. while flow control has it paused). Before either closes the PTY, this
 * reads what the socket still buffers and then the fd itself until EIO (the kernel answers
 * EIO only once nothing is left), handing the text to `onTail` in order; then it holds the
 * close until the child is reaped (at most {@link HANGUP_WAIT_MS} ms). Relies on node-pty's
 * private `_socket` and `fd`; does nothing when they are absent.
 */
function readTailBeforeClose(p: pty.IPty, onTail: (chunk: string) => void): void {
  type Socket = NodeJS.ReadableStream & {
    destroy(...a: unknown[]): unknown;
    readableLength: number;
    _readableState?: { decoder?: StringDecoder | null };
  };
  const { _socket: socket, fd } = p as unknown as { _socket?: Socket; fd?: number };
  if (!socket || typeof socket.destroy !== 'function' || typeof fd !== 'number') return;
  let done = false;
  const drain = (): void => {
    if (done) return;
    done = true;
    // Buffered in the (paused) stream: read() emits it as 'data', so it reaches onTail's owner in order.
    while (socket.readableLength > 0 && socket.read() !== null);
    const decoder = socket._readableState?.decoder ?? new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(64 * 1024);
    // Bounded, so a descendant that keeps the PTY open and writes fast cannot stall the loop.
    for (let total = 0; total < 8 * 1024 * 1024; ) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch {
        break; // EIO: the slave is closed and nothing is left (EAGAIN: someone still holds it open)
      }
      if (n <= 0) break;
      total += n;
      const text = decoder.write(buf.subarray(0, n));
      if (text) onTail(text);
    }
  };
  socket.prependListener('end', drain);
  const destroy = socket.destroy.bind(socket);
  let deadline = 0;
  let waiting = false;
  const close = (args: unknown[]): void => {
    // Closing the master hangs the terminal up: a child that closed its stdio but has not
    // exited yet (GNU tools do, at exit) would die of SIGHUP. Wait until it is reaped.
    if (Date.now() < deadline && pidExists(p.pid)) {
      setTimeout(() => close(args), 5);
      return;
    }
    waiting = false;
    destroy(...args);
  };
  socket.destroy = (...args: unknown[]) => {
    drain();
    if (waiting) return socket;
    waiting = true;
    deadline = Date.now() + HANGUP_WAIT_MS;
    close(args);
    return socket;
  };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checkSize(cols: number, rows: number): void {
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1) {
    throw new GtError('INVALID_VALUE', `terminal size must be positive integers, got ${cols}x${rows}`);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
