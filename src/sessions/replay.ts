/**
 * Session recordings in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON
 * header line, then one `[seconds, code, data]` line per event — "o" output from the agent,
 * "i" input typed into it, "r" a resize as `"COLSxROWS"`. {@link AsciicastWriter} records a
 * live session; {@link readAsciicast} and {@link renderRecording} read one back (seance, replay).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GtError } from '../core/errors.js';
import { createHeadlessTerminal, screenLines, writeAndWait } from './screen.js';

/** An asciicast event code: "o" output, "i" input, "r" resize (`"COLSxROWS"`). */
export type AsciicastCode = 'o' | 'i' | 'r';

/** One event: seconds since the recording started (fractional), its code, its data. */
export type AsciicastEvent = [number, AsciicastCode, string];

/** The first line of an asciicast v2 file. */
export interface AsciicastHeader {
  /** Always 2. */
  version: 2;
  /** Initial terminal width in cells. */
  width: number;
  /** Initial terminal height in cells. */
  height: number;
  /** Start time, Unix epoch seconds. */
  timestamp?: number;
  /** Captured environment; this recorder writes `{ TERM: 'xterm-256color' }`. */
  env?: Record<string, string>;
  /** Human-readable title. */
  title?: string;
  /** Other fields of the format (idle_time_limit, theme …) are kept as read. */
  [key: string]: unknown;
}

/** A parsed recording. */
export interface Asciicast {
  /** The header line. */
  header: AsciicastHeader;
  /** Every event in file order. */
  events: AsciicastEvent[];
}

/** Buffered output is written to the file once it reaches this many characters. */
const FLUSH_CHARS = 64 * 1024;
/** ...or at the latest this many ms after the first unwritten event. */
const FLUSH_MS = 250;

/**
 * Appends an asciicast v2 recording to a file through a write stream. Events are buffered in
 * memory and flushed every {@link FLUSH_MS} ms, above {@link FLUSH_CHARS} characters and on
 * {@link AsciicastWriter.close}. A file error stops recording (see `error`) and never throws
 * into the session. The file is opened in append mode: give every session generation its own
 * path, or the file holds two recordings.
 */
export class AsciicastWriter {
  /** The first write error, if recording stopped because of one. */
  error: Error | undefined;
  private readonly stream: fs.WriteStream;
  private readonly t0 = performance.now();
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /**
   * Opens `file` for appending (creating its directory) and writes the header line.
   *
   * @param file path of the `.cast` file.
   * @param header header fields; `version: 2` is set here.
   */
  constructor(readonly file: string, header: Omit<AsciicastHeader, 'version'>) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch {
      // The stream reports the real error below.
    }
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
    this.push(JSON.stringify({ version: 2, ...header }) + '\n');
  }

  /** Seconds since this writer was created (monotonic clock), as written into events. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Records one event at the current time. Ignored after {@link close} or an error. */
  event(code: AsciicastCode, data: string): void {
    if (this.closing || this.error) return;
    this.push(JSON.stringify([Math.round(this.elapsed() * 1e6) / 1e6, code, data]) + '\n');
  }

  /** Hands buffered lines to the stream now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || this.error) return;
    this.stream.write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  /** Flushes and closes the file; resolves when it is written (or failed). Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.flush();
      this.closing = new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.end();
      });
    }
    return this.closing;
  }

  private push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }
}

/**
 * Reads an asciicast v2 file. A malformed last line (a recorder that died mid-write) is
 * skipped; a later header line (a second recording appended to the same file) is skipped.
 *
 * @throws GtError NOT_FOUND when the file cannot be read; JSONL_PARSE (details: file, line)
 *   when the header is not a version 2 header or an event line is malformed.
 */
export function readAsciicast(file: string): Asciicast {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GtError('NOT_FOUND', `cannot read recording ${file}: ${(e as Error).message}`, { cause: e });
  }
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const bad = (line: number, what: string): GtError =>
    new GtError('JSONL_PARSE', `${file}:${line}: ${what}`, { details: { file, line } });

  let header: AsciicastHeader | undefined;
  const events: AsciicastEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      if (i === lines.length - 1 && header) break;
      throw bad(i + 1, 'not JSON');
    }
    if (!header) {
      const h = value as Partial<AsciicastHeader> | null;
      if (!h || typeof h !== 'object' || Array.isArray(h) || h.version !== 2) throw bad(i + 1, 'not an asciicast v2 header');
      if (!isPositiveInt(h.width) || !isPositiveInt(h.height)) throw bad(i + 1, 'header width/height must be positive integers');
      header = h as AsciicastHeader;
      continue;
    }
    if (!Array.isArray(value)) {
      if (value && typeof value === 'object') continue; // an appended recording's header
      throw bad(i + 1, 'not an event');
    }
    const [t, code, data] = value as unknown[];
    if (typeof t !== 'number' || (code !== 'o' && code !== 'i' && code !== 'r') || typeof data !== 'string') {
      if (i === lines.length - 1) break;
      throw bad(i + 1, 'event must be [seconds, "o"|"i"|"r", string]');
    }
    events.push([t, code, data]);
  }
  if (!header) throw bad(1, 'empty recording');
  return { header, events };
}

/**
 * Plays a recording's output into a fresh headless terminal and returns the final visible
 * screen as plain text rows (right-trimmed). Resize events are applied unless a size is given.
 *
 * @param cols width in cells (default: the header's width, then each "r" event).
 * @param rows height in cells (default: the header's height, then each "r" event).
 * @throws GtError as {@link readAsciicast}.
 */
export async function renderRecording(file: string, cols?: number, rows?: number): Promise<string[]> {
  const { header, events } = readAsciicast(file);
  const fixed = cols !== undefined || rows !== undefined;
  const { term } = createHeadlessTerminal(cols ?? header.width, rows ?? header.height);
  try {
    let chunk: string[] = [];
    for (const [, code, data] of events) {
      if (code === 'o') chunk.push(data);
      else if (code === 'r' && !fixed) {
        const m = /^(\d+)x(\d+)$/.exec(data);
        if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) continue;
        await writeAndWait(term, chunk.join(''));
        chunk = [];
        term.resize(Number(m[1]), Number(m[2]));
      }
    }
    await writeAndWait(term, chunk.join(''));
    return screenLines(term);
  } finally {
    term.dispose();
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
