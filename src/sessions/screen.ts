/**
 * Helpers over an `@xterm/headless` terminal: make one, feed it and wait, read its screen and
 * buffer as plain text, and compare two screens (the re-attach property: a client fed a
 * snapshot shows what the live session shows).
 *
 * Text is read cell by cell through the buffer API, right-trimmed; wide characters appear once.
 */
import xterm from '@xterm/headless';
import type { Terminal } from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';

// @xterm/headless is CommonJS without an exports map: default import, then destructure (STACK.md).
const { Terminal: XTerminal } = xterm;

/** Default scrollback of a headless terminal, in lines (rows above the visible screen). */
export const DEFAULT_SCROLLBACK_LINES = 10_000;

/** A headless terminal with its serialize addon loaded. */
export interface HeadlessTerminal {
  /** The emulator. */
  term: Terminal;
  /** Produces a replay stream of `term` (scrollback, screen, cursor, modes). */
  serializer: SerializeAddon;
}

/** A cursor position in cells, 0-based, relative to the top-left of the visible screen. */
export interface CursorPosition {
  /** Column, 0-based (cells). */
  x: number;
  /** Row of the visible screen, 0-based (cells). */
  y: number;
}

/** What a user sees on a terminal: its size, its visible rows as text and the cursor. */
export interface ScreenState {
  /** Width in cells. */
  cols: number;
  /** Height in cells. */
  rows: number;
  /** Every visible row, top to bottom, right-trimmed (`rows` entries). */
  lines: string[];
  /** Cursor position on the visible screen. */
  cursor: CursorPosition;
  /** True when the alternate screen buffer (full-screen apps) is active; compared only when both sides know it. */
  alternate?: boolean;
}

/**
 * Creates a headless terminal with the serialize addon loaded.
 *
 * @param cols width in cells (positive integer).
 * @param rows height in cells (positive integer).
 * @param scrollback lines kept above the screen (default {@link DEFAULT_SCROLLBACK_LINES}).
 */
export function createHeadlessTerminal(cols: number, rows: number, scrollback = DEFAULT_SCROLLBACK_LINES): HeadlessTerminal {
  const term = new XTerminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new SerializeAddon();
  term.loadAddon(serializer);
  return { term, serializer };
}

/**
 * Writes `data` into `term` and resolves once xterm has parsed it (and everything queued
 * before it). Never resolves if the terminal is disposed first.
 */
export function writeAndWait(term: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/**
 * The visible screen's last `n` rows as plain text, right-trimmed, top to bottom.
 *
 * @param n how many rows from the bottom of the screen (default: all `term.rows`; capped there).
 */
export function screenLines(term: Terminal, n: number = term.rows): string[] {
  const buf = term.buffer.active;
  const count = Math.max(0, Math.min(Math.floor(n), term.rows));
  const out: string[] = [];
  for (let y = term.rows - count; y < term.rows; y++) {
    out.push(buf.getLine(buf.baseY + y)?.translateToString(true) ?? '');
  }
  return out;
}

/**
 * The last `n` lines of the whole buffer (scrollback and screen) as plain text, right-trimmed,
 * ending at the last non-blank row (blank rows below it, the cursor's included, are left out;
 * [] when everything is blank). Rows are physical: a soft-wrapped line counts once per row.
 *
 * @param n how many lines (non-negative).
 */
export function bufferLines(term: Terminal, n: number): string[] {
  const buf = term.buffer.active;
  const text = (y: number): string => buf.getLine(y)?.translateToString(true) ?? '';
  let end = buf.length;
  while (end > 0 && text(end - 1) === '') end--;
  const out: string[] = [];
  for (let y = Math.max(0, end - Math.max(0, Math.floor(n))); y < end; y++) out.push(text(y));
  return out;
}

/** The cursor of `term`, on its visible screen. */
export function cursorOf(term: Terminal): CursorPosition {
  const buf = term.buffer.active;
  return { x: buf.cursorX, y: buf.cursorY };
}

/** Reads what `term` shows now (processed bytes only; see {@link writeAndWait}). */
export function screenState(term: Terminal): ScreenState {
  return {
    cols: term.cols,
    rows: term.rows,
    lines: screenLines(term),
    cursor: cursorOf(term),
    alternate: term.buffer.active.type === 'alternate',
  };
}

/**
 * The first difference between two screens as one line ("row 3: "ab" vs "ac""), or undefined
 * when they are equal (size, every row's text, cursor, and the active buffer when both know it).
 */
export function describeScreenDifference(a: ScreenState, b: ScreenState): string | undefined {
  if (a.cols !== b.cols || a.rows !== b.rows) return `size ${a.cols}x${a.rows} vs ${b.cols}x${b.rows}`;
  if (a.alternate !== undefined && b.alternate !== undefined && a.alternate !== b.alternate) return `alternate buffer ${a.alternate} vs ${b.alternate}`;
  for (let y = 0; y < a.rows; y++) {
    if (a.lines[y] !== b.lines[y]) return `row ${y}: ${JSON.stringify(a.lines[y])} vs ${JSON.stringify(b.lines[y])}`;
  }
  if (a.cursor.x !== b.cursor.x || a.cursor.y !== b.cursor.y) {
    return `cursor ${a.cursor.x},${a.cursor.y} vs ${b.cursor.x},${b.cursor.y}`;
  }
  return undefined;
}

/** True when two screens show the same thing (see {@link describeScreenDifference}). */
export function snapshotEquals(a: ScreenState, b: ScreenState): boolean {
  return describeScreenDifference(a, b) === undefined;
}

/**
 * What a client that attaches late sees: a fresh headless terminal of the snapshot's size fed
 * the snapshot's replay stream, resolved once it is parsed.
 *
 * @param snapshot `cols`/`rows` in cells and `data`, e.g. a `SessionSnapshot`.
 * @param scrollback lines of scrollback for the new terminal (default {@link DEFAULT_SCROLLBACK_LINES}).
 */
export async function terminalFromSnapshot(
  snapshot: { cols: number; rows: number; data: string },
  scrollback = DEFAULT_SCROLLBACK_LINES,
): Promise<HeadlessTerminal> {
  const t = createHeadlessTerminal(snapshot.cols, snapshot.rows, scrollback);
  await writeAndWait(t.term, snapshot.data);
  return t;
}

/** A held-back escape sequence longer than this (characters) is fed anyway (e.g. a huge OSC 52). */
const MAX_HELD_ESCAPE = 64 * 1024;

/**
 * Splits a chunk of terminal output before a trailing escape sequence that is not complete yet
 * (ESC, CSI without its final byte, OSC/DCS/APC/PM/SOS without its terminator, ESC plus
 * intermediates). Feeding xterm only whole sequences keeps every parsed prefix a clean cut, so
 * a snapshot serialized there plus the unparsed rest replays exactly (no stray "1m" on a late
 * client's screen). Tails longer than 64 KiB are not held.
 *
 * @returns `[complete, tail]`: `complete + tail === chunk`; prepend `tail` to the next chunk.
 */
export function splitIncompleteEscape(chunk: string): [string, string] {
  const i = chunk.lastIndexOf('\x1b');
  if (i < 0 || chunk.length - i > MAX_HELD_ESCAPE || isCompleteEscape(chunk, i)) return [chunk, ''];
  let start = i;
  if (i === chunk.length - 1) {
    // A lone ESC may open the ST ("ESC \") that ends a string begun earlier in this chunk.
    const j = chunk.lastIndexOf('\x1b', i - 1);
    if (j >= 0 && 'P]X^_'.includes(chunk[j + 1] ?? '') && !chunk.slice(j, i).includes('\x07') && i - j < MAX_HELD_ESCAPE) start = j;
  }
  return [chunk.slice(0, start), chunk.slice(start)];
}

/** Whether the escape sequence starting at `s[i]` (an ESC, the last one in `s`) is complete. */
function isCompleteEscape(s: string, i: number): boolean {
  const kind = s[i + 1];
  if (kind === undefined) return false;
  if (kind === '[') {
    for (let k = i + 2; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x40 && c <= 0x7e) return true;
    }
    return false;
  }
  // No later ESC exists, so only BEL can end the string (ST would be "ESC \").
  if ('P]X^_'.includes(kind)) return s.includes('\x07', i + 2);
  const c = kind.charCodeAt(0);
  if (c >= 0x20 && c <= 0x2f) {
    for (let k = i + 2; k < s.length; k++) {
      const f = s.charCodeAt(k);
      if (f >= 0x30 && f <= 0x7e) return true;
    }
    return false;
  }
  return true;
}

/** Flow-control watermarks and hooks of a {@link TerminalFeeder}. */
export interface FeederFlow {
  /** Pause the source when more than this many bytes wait to be parsed. */
  pauseBytes: number;
  /** Resume it when fewer than this many bytes wait. */
  resumeBytes: number;
  /** Stop the source (e.g. `pty.pause()`). */
  pause(): void;
  /** Restart the source (e.g. `pty.resume()`). */
  resume(): void;
}

/**
 * Feeds a byte stream (a PTY's output) into a headless terminal: counts bytes handed to xterm
 * but not yet parsed and pauses/resumes the source at the watermarks (STACK.md: xterm throws
 * "write data discarded" at ~50 MB pending), holds back an incomplete trailing escape sequence
 * (see {@link splitIncompleteEscape}), and can produce a replay stream at any moment that,
 * followed by every later chunk, reproduces the screen.
 */
export class TerminalFeeder {
  /** The emulator. */
  readonly term: Terminal;
  /** Bytes (UTF-8) handed to xterm and not parsed yet. */
  pendingBytes = 0;
  /** Whether the source is paused now. */
  paused = false;
  private readonly serializer: SerializeAddon;
  private readonly pending: string[] = [];
  private held = '';
  private released = false;
  private disposed = false;
  private readonly waiters = new Set<() => void>();

  /**
   * @param cols width in cells; @param rows height in cells; @param scrollback lines.
   * @param flow watermarks (bytes) and the hooks that pause and resume the source.
   */
  constructor(cols: number, rows: number, scrollback: number, private readonly flow: FeederFlow) {
    ({ term: this.term, serializer: this.serializer } = createHeadlessTerminal(cols, rows, scrollback));
  }

  /** Writes a chunk of output, keeping an incomplete trailing escape sequence for the next one. */
  write(chunk: string): void {
    const [complete, tail] = splitIncompleteEscape(this.held + chunk);
    this.held = tail;
    if (complete) this.feed(complete);
  }

  /** Writes the held-back tail too (the source ended). */
  flushTail(): void {
    if (this.held) this.feed(this.held);
    this.held = '';
  }

  /** Resumes the source for good: no more pauses (its end must be read at full speed). */
  release(): void {
    this.released = true;
    if (this.paused) this.resume();
  }

  /** Resolves once everything written so far is parsed (at once when disposed). */
  whenIdle(): Promise<void> {
    if (this.disposed || this.pendingBytes === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      this.term.write('', done);
    });
  }

  /** Resizes after what was written so far is parsed, as a real terminal would (cells). */
  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    if (this.pendingBytes === 0) this.term.resize(cols, rows);
    else this.term.write('', () => this.term.resize(cols, rows));
  }

  /** Replay stream: the parsed state serialized, then what is written but not parsed yet. */
  replayData(): string {
    return this.disposed ? '' : this.serializer.serialize() + this.pending.join('') + this.held;
  }

  /** Frees the terminal; pending {@link whenIdle} promises resolve. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
    for (const done of [...this.waiters]) done();
    this.term.dispose();
  }

  private feed(chunk: string): void {
    const bytes = Buffer.byteLength(chunk, 'utf8');
    this.pendingBytes += bytes;
    this.pending.push(chunk);
    this.term.write(chunk, () => {
      this.pendingBytes -= bytes;
      this.pending.shift();
      if (this.paused && this.pendingBytes < this.flow.resumeBytes) this.resume();
    });
    if (!this.paused && !this.released && this.pendingBytes > this.flow.pauseBytes) {
      this.paused = true;
      this.flow.pause();
    }
  }

  private resume(): void {
    this.paused = false;
    this.flow.resume();
  }
}
