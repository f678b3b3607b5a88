/**
 * The screen compositor: the one writer of the real terminal while the TUI runs.
 *
 * Two kinds of layer make a frame:
 * - the chrome: Ink's rendered frame (header, tree, borders, tabs, hint bar, modals), parsed by
 *   a headless terminal of the screen's size so wide characters and SGR are understood exactly;
 * - live panes: each visible agent's headless terminal (a mirror of the daemon's), placed at
 *   the inside of its pane's border.
 *
 * The compositor keeps a copy of what the real terminal shows (the front buffer), walks only
 * rows marked dirty, compares cell by cell, and writes only the cells that changed, with cursor
 * moves and SGR only where needed, inside one synchronized-output block (DEC mode 2026). That is
 * what keeps a grid of streaming panes near tmux's cost (STACK.md: Ink text drawn every frame
 * measured ~20x tmux). Because only cells are written, nothing an agent or a bead title prints
 * can reach the terminal as a control sequence: OSC titles, palette changes and cursor moves end
 * inside the headless terminals.
 */
import type { IBufferCell, Terminal } from '@xterm/headless';
import { createHeadlessTerminal } from '../../sessions/screen.js';
import type { Rect } from '../layout.js';

/** A live pane's content: where it goes and the terminal it mirrors. */
export interface PaneLayer {
  /** Stable key (the agent address). */
  id: string;
  /** Inside of the pane's border, in screen cells. */
  rect: Rect;
  /** The mirror terminal; its top-left visible cell lands on rect's top-left. */
  term: Terminal;
}

/** Where to show the hardware cursor (an entered pane), or undefined to hide it. */
export interface CursorSpot {
  x: number;
  y: number;
}

// Cell attribute bits in the front buffer.
const BOLD = 1, DIM = 2, ITALIC = 4, UNDERLINE = 8, BLINK = 16, INVERSE = 32, INVISIBLE = 64, STRIKE = 128, OVERLINE = 256;
const CM_P16 = 0x1000000, CM_P256 = 0x2000000, CM_RGB = 0x3000000, CM_MASK = 0x3000000;

function flagsOf(c: IBufferCell): number {
  return (c.isBold() ? BOLD : 0) | (c.isDim() ? DIM : 0) | (c.isItalic() ? ITALIC : 0) | (c.isUnderline() ? UNDERLINE : 0)
    | (c.isBlink() ? BLINK : 0) | (c.isInverse() ? INVERSE : 0) | (c.isInvisible() ? INVISIBLE : 0)
    | (c.isStrikethrough() ? STRIKE : 0) | (c.isOverline() ? OVERLINE : 0);
}

function colourSgr(v: number, fg: boolean): string {
  const mode = v & CM_MASK;
  const c = v & 0xffffff;
  if (mode === CM_P16) return c < 8 ? `;${(fg ? 30 : 40) + c}` : `;${(fg ? 90 : 100) + c - 8}`;
  if (mode === CM_P256) return `;${fg ? 38 : 48};5;${c}`;
  if (mode === CM_RGB) return `;${fg ? 38 : 48};2;${(c >> 16) & 255};${(c >> 8) & 255};${c & 255}`;
  return '';
}

/** SGR for a cell style (always starting from a reset, so no state leaks between cells). */
export function sgrOf(fg: number, bg: number, flags: number, color: boolean): string {
  let s = '\x1b[0';
  if (flags & BOLD) s += ';1';
  if (flags & DIM) s += ';2';
  if (flags & ITALIC) s += ';3';
  if (flags & UNDERLINE) s += ';4';
  if (flags & BLINK) s += ';5';
  if (flags & INVERSE) s += ';7';
  if (flags & INVISIBLE) s += ';8';
  if (flags & STRIKE) s += ';9';
  if (flags & OVERLINE) s += ';53';
  if (color) s += colourSgr(fg, true) + colourSgr(bg, false);
  return `${s}m`;
}

const sameRect = (a: Rect, b: Rect) => a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
const sameLayer = (a: PaneLayer, b: PaneLayer) => a.id === b.id && a.term === b.term && sameRect(a.rect, b.rect);

/** Options of {@link Compositor}. */
export interface CompositorOptions {
  cols: number;
  rows: number;
  /** Writes bytes to the real terminal. */
  write: (data: string) => void;
  /** False drops every colour (NO_COLOR); bold, inverse and underline stay. */
  color?: boolean;
}

/** Figures about the work done, for benchmarks and tests. */
export interface CompositorStats {
  /** Frames flushed. */
  frames: number;
  /** Cells compared. */
  cellsVisited: number;
  /** Cells written to the terminal. */
  cellsWritten: number;
  /** Bytes written to the terminal. */
  bytesWritten: number;
}

/** See the module comment. */
export class Compositor {
  private cols: number;
  private rows: number;
  private readonly write: (data: string) => void;
  private readonly color: boolean;
  private chrome: Terminal;
  private chromeLines: string[] = [];
  private panes: PaneLayer[] = [];
  private occluders: Rect[] = [];
  private frontCh: string[] = [];
  private frontFg = new Int32Array(0);
  private frontBg = new Int32Array(0);
  private frontFl = new Int32Array(0);
  private dirty = new Uint8Array(0);
  private anyDirty = false;
  private cursor: CursorSpot | undefined;
  private cursorShown: CursorSpot | undefined | null = null;
  private readonly cell: IBufferCell;
  /** Work counters. */
  readonly stats: CompositorStats = { frames: 0, cellsVisited: 0, cellsWritten: 0, bytesWritten: 0 };

  constructor(options: CompositorOptions) {
    this.cols = options.cols;
    this.rows = options.rows;
    this.write = options.write;
    this.color = options.color ?? true;
    this.chrome = this.makeChrome();
    this.cell = this.chrome.buffer.active.getNullCell();
    this.resetFront();
  }

  private makeChrome(): Terminal {
    return createHeadlessTerminal(this.cols, this.rows, 0).term;
  }

  /**
   * Parse chrome rows at once when the emulator allows it: the compositor is this terminal's
   * only writer, so xterm's synchronous write is safe here and saves a timer hop on every
   * keypress (the keypress-to-screen latency). Falls back to the queued write.
   */
  private writeChrome(data: string, done: () => void): void {
    const core = (this.chrome as unknown as { _core?: { writeSync?: (d: string) => void; optionsService?: { options: { logLevel: string } } } })._core;
    if (core?.writeSync) {
      if (core.optionsService) core.optionsService.options.logLevel = 'off'; // writeSync warns once at 'warn'
      core.writeSync(data);
      done();
      return;
    }
    this.chrome.write(data, done);
  }

  private resetFront(): void {
    const n = this.cols * this.rows;
    this.frontCh = new Array<string>(n).fill('\u0000');
    this.frontFg = new Int32Array(n).fill(-1);
    this.frontBg = new Int32Array(n).fill(-1);
    this.frontFl = new Int32Array(n).fill(-1);
    this.dirty = new Uint8Array(this.rows).fill(1);
    this.anyDirty = true;
  }

  /** Screen size in cells. */
  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  /** True when something is waiting to be flushed. */
  get pending(): boolean {
    return this.anyDirty;
  }

  /**
   * Take a new chrome frame (Ink's full output: rows joined by `\n`). Only rows whose text
   * changed are parsed again and marked dirty. Resolves once the chrome terminal has parsed it.
   */
  setChrome(frame: string): Promise<void> {
    const lines = frame.split('\n');
    let data = '';
    const changed: number[] = [];
    for (let y = 0; y < this.rows; y++) {
      const line = lines[y] ?? '';
      if (this.chromeLines[y] === line) continue;
      this.chromeLines[y] = line;
      data += `\x1b[${y + 1};1H\x1b[0m\x1b[2K${line}`;
      changed.push(y);
    }
    if (!data) return Promise.resolve();
    const chrome = this.chrome;
    // Rows are marked dirty once parsed: a flush between the write and its parsing must not
    // consume the dirty mark while the chrome terminal still shows the old row.
    return new Promise((res) => this.writeChrome(data, () => {
      if (chrome === this.chrome) {
        for (const y of changed) this.dirty[y] = 1;
        this.anyDirty = true;
      }
      res();
    }));
  }

  /** Replace the set of live panes (their rows are redrawn). */
  setPanes(panes: PaneLayer[]): void {
    // The same layers again (the app re-places panes on every state change): nothing to redraw.
    if (panes.length === this.panes.length && panes.every((p, i) => sameLayer(p, this.panes[i]!))) return;
    for (const p of [...this.panes, ...panes]) this.markRect(p.rect);
    this.panes = panes;
  }

  /** Rectangles where panes must not show (modals, overlays drawn by the chrome). */
  setOccluders(rects: Rect[]): void {
    if (rects.length === this.occluders.length && rects.every((r, i) => sameRect(r, this.occluders[i]!))) return;
    for (const r of [...this.occluders, ...rects]) this.markRect(r);
    this.occluders = rects;
  }

  /** Mark a pane's rows for redraw (after its terminal parsed new output). */
  paneChanged(id: string): void {
    const p = this.panes.find((x) => x.id === id);
    if (p) this.markRect(p.rect);
  }

  /** Put the hardware cursor somewhere (an entered pane's cursor) or hide it. */
  setCursor(spot: CursorSpot | undefined): void {
    this.cursor = spot;
    this.anyDirty = true;
  }

  private markRect(r: Rect): void {
    for (let y = Math.max(0, r.y); y < Math.min(this.rows, r.y + r.h); y++) this.dirty[y] = 1;
    this.anyDirty = true;
  }

  /** New screen size: everything is redrawn (the caller sends Ink's new frame). */
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.chrome.dispose();
    this.chrome = this.makeChrome();
    this.chromeLines = [];
    this.resetFront();
  }

  /** Forget what the terminal shows (after the terminal was cleared or handed to another program). */
  invalidate(): void {
    this.resetFront();
  }

  /** Segments of row y: [x0, x1) ranges with their source terminal and source origin. */
  private segments(y: number): Array<{ x0: number; x1: number; term: Terminal; sx: number; sy: number }> {
    const segs: Array<{ x0: number; x1: number; term: Terminal; sx: number; sy: number }> = [];
    const hits = this.panes.filter((p) => y >= p.rect.y && y < p.rect.y + p.rect.h).sort((a, b) => a.rect.x - b.rect.x);
    const blocked = this.occluders.filter((r) => y >= r.y && y < r.y + r.h);
    let x = 0;
    const chromeTo = (to: number) => {
      if (to > x) segs.push({ x0: x, x1: to, term: this.chrome, sx: 0, sy: y });
    };
    for (const p of hits) {
      const x0 = Math.max(x, p.rect.x);
      const x1 = Math.min(this.cols, p.rect.x + p.rect.w);
      if (x1 <= x0) continue;
      chromeTo(x0);
      // Occluded parts of the pane show the chrome (the modal on top).
      let cx = x0;
      for (const o of blocked.filter((b) => b.x < x1 && b.x + b.w > x0).sort((a, b) => a.x - b.x)) {
        const ox0 = Math.max(cx, o.x);
        const ox1 = Math.min(x1, o.x + o.w);
        if (ox0 > cx) segs.push({ x0: cx, x1: ox0, term: p.term, sx: p.rect.x, sy: p.rect.y });
        if (ox1 > ox0) segs.push({ x0: ox0, x1: ox1, term: this.chrome, sx: 0, sy: y });
        cx = Math.max(cx, ox1);
      }
      if (x1 > cx) segs.push({ x0: cx, x1, term: p.term, sx: p.rect.x, sy: p.rect.y });
      x = x1;
    }
    chromeTo(this.cols);
    return segs;
  }

  /**
   * Write every changed cell of the dirty rows to the terminal (one write call, or none when
   * nothing changed).
   */
  flush(): void {
    if (!this.anyDirty) return;
    this.anyDirty = false;
    const out: string[] = [];
    let penX = -1, penY = -1;
    let pen = '';
    const cell = this.cell;
    for (let y = 0; y < this.rows; y++) {
      if (!this.dirty[y]) continue;
      this.dirty[y] = 0;
      for (const seg of this.segments(y)) {
        const buf = seg.term.buffer.active;
        const srcY = seg.term === this.chrome ? y : y - seg.sy;
        const line = srcY < seg.term.rows ? buf.getLine(buf.viewportY + srcY) : undefined;
        for (let x = seg.x0; x < seg.x1; x++) {
          const srcX = seg.term === this.chrome ? x : x - seg.sx;
          let ch = ' ', fg = 0, bg = 0, fl = 0, width = 1;
          if (line && srcX < seg.term.cols && line.getCell(srcX, cell)) {
            width = cell.getWidth();
            if (width === 0) {
              // right half of a wide character written just before
              const i = y * this.cols + x;
              this.frontCh[i] = ''; this.frontFg[i] = -2;
              continue;
            }
            ch = cell.getChars() || ' ';
            fg = cell.getFgColorMode() | cell.getFgColor();
            bg = cell.getBgColorMode() | cell.getBgColor();
            fl = flagsOf(cell);
            if (width === 2 && x + 1 >= seg.x1) { ch = ' '; width = 1; } // would spill out of its layer
          }
          this.stats.cellsVisited++;
          const i = y * this.cols + x;
          if (this.frontCh[i] === ch && this.frontFg[i] === fg && this.frontBg[i] === bg && this.frontFl[i] === fl) continue;
          this.frontCh[i] = ch; this.frontFg[i] = fg; this.frontBg[i] = bg; this.frontFl[i] = fl;
          if (width === 2 && x + 1 < this.cols) { const j = i + 1; this.frontCh[j] = ''; this.frontFg[j] = -2; }
          if (penY !== y || penX !== x) out.push(`\x1b[${y + 1};${x + 1}H`);
          const sgr = sgrOf(fg, bg, fl, this.color);
          if (sgr !== pen) { out.push(sgr); pen = sgr; }
          out.push(ch);
          this.stats.cellsWritten++;
          penY = y;
          penX = x + width >= this.cols ? -1 : x + width; // at the right edge the terminal's pending wrap makes the column unknown
        }
      }
    }
    const cursorMoved = this.cursorShown === null || this.cursor?.x !== this.cursorShown?.x || this.cursor?.y !== this.cursorShown?.y;
    if (out.length === 0 && !cursorMoved) return;
    let data = `\x1b[?2026h${out.join('')}\x1b[0m`;
    if (this.cursor) data += `\x1b[${this.cursor.y + 1};${this.cursor.x + 1}H\x1b[?25h`;
    else data += '\x1b[?25l';
    data += '\x1b[?2026l';
    this.cursorShown = this.cursor ? { ...this.cursor } : undefined;
    this.stats.frames++;
    this.stats.bytesWritten += Buffer.byteLength(data);
    this.write(data);
  }

  /** Free the chrome terminal. */
  dispose(): void {
    this.chrome.dispose();
  }
}
