/**
 * A pane's mirror of an agent's session: a headless terminal in the TUI, sized like the
 * daemon's, fed the daemon's snapshot on subscribe and then every `session.data` chunk. The
 * compositor reads its cells; nothing it parses reaches the real terminal as a sequence.
 */
import type { Terminal } from '@xterm/headless';
import { createHeadlessTerminal } from '../../sessions/screen.js';

/** The daemon's answer to `session.subscribe`. */
export interface SessionSnapshot {
  generation: number;
  /** Replay stream (serialize addon output). */
  data: string;
  cols: number;
  rows: number;
}

/** See the module comment. */
export class PaneMirror {
  /** The mirror terminal. */
  readonly term: Terminal;
  /** Session generation mirrored; data of other generations is ignored. */
  readonly generation: number;
  private disposed = false;

  /**
   * @param address agent address.
   * @param snapshot the subscribe answer.
   * @param onChange called after each parsed chunk (the compositor marks the pane dirty).
   */
  constructor(readonly address: string, snapshot: SessionSnapshot, private readonly onChange: () => void) {
    this.term = createHeadlessTerminal(snapshot.cols, snapshot.rows, 0).term;
    this.generation = snapshot.generation;
    this.feed(snapshot.data);
  }

  /** Size in cells. */
  get size(): { cols: number; rows: number } {
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** Parse output of the session. */
  feed(data: string): void {
    if (this.disposed || !data) return;
    this.term.write(data, () => {
      if (!this.disposed) this.onChange();
    });
  }

  /** Where the session's cursor is, and whether the program shows it. */
  cursor(): { x: number; y: number; visible: boolean } {
    const b = this.term.buffer.active;
    const core = (this.term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
    return { x: b.cursorX, y: b.cursorY, visible: !core?.coreService?.isCursorHidden };
  }

  /** Free it. */
  dispose(): void {
    this.disposed = true;
    this.term.dispose();
  }
}
