/**
 * The stream Ink renders into: it looks like a terminal of the screen's size to Ink, and hands
 * every frame to the compositor instead of the real terminal (Ink runs in debug mode, so each
 * write is one whole frame, rows joined by `\n`).
 */
import { EventEmitter } from 'node:events';

/** See the module comment. */
export class VirtualStdout extends EventEmitter {
  /** Ink reads these for its layout width and fullscreen checks. */
  columns: number;
  rows: number;
  readonly isTTY = false;

  constructor(cols: number, rows: number, private readonly onFrame: (frame: string) => void) {
    super();
    this.columns = cols;
    this.rows = rows;
  }

  /** Ink writes a frame. */
  write(frame: string): boolean {
    this.onFrame(frame);
    return true;
  }

  /** New size; Ink re-lays out on 'resize'. */
  resize(cols: number, rows: number): void {
    this.columns = cols;
    this.rows = rows;
    this.emit('resize');
  }
}

/** A stdin for Ink that never touches the real terminal (the runtime owns raw input). */
export class QuietStdin extends EventEmitter {
  readonly isTTY = false;
  /** Ink may call these; they do nothing. */
  setRawMode(): this { return this; }
  setEncoding(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  read(): null { return null; }
}
