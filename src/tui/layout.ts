/**
 * The TUI's layout as plain numbers (cells), computed from the terminal size, so the Ink tree
 * and the pane compositor agree on where every live pane's content goes.
 *
 * ```
 * ┌ header (1 row) ─────────────────────────────────────────────────────────────┐
 * │ banner (1 row, only while the daemon is unreachable)                         │
 * │ tree │ pane grid (1, 2, 4, 6 or 9 panes; zoom = 1)              │ tabs       │
 * │      │                                                          │ (right when│
 * │      │                                                          │  wide, else│
 * │      │ tabs (bottom when narrow)                                │  bottom)   │
 * │ message line (toasts, errors, disabled reasons)                              │
 * └ key hint bar (1 row) ────────────────────────────────────────────────────────┘
 * ```
 */

/** A rectangle in cells; x/y are 0-based from the top-left of the screen. */
export interface Rect {
  x: number;
  y: number;
  /** Width in cells. */
  w: number;
  /** Height in cells. */
  h: number;
}

/** The smallest terminal the TUI draws in (smaller shows "enlarge to 80x24"). */
export const MIN_COLS = 80;
/** See {@link MIN_COLS}. */
export const MIN_ROWS = 24;

/** Pane counts the grid offers (issue #6). */
export const GRID_SIZES = [1, 2, 4, 6, 9] as const;

/** Where everything goes. */
export interface Layout {
  cols: number;
  rows: number;
  /** True when the terminal is smaller than {@link MIN_COLS}x{@link MIN_ROWS}: draw only the notice. */
  tooSmall: boolean;
  header: Rect;
  /** Present while a banner is shown. */
  banner?: Rect;
  tree: Rect;
  /** The area of the pane grid. */
  grid: Rect;
  /** Outer rectangles (with border) of the visible panes, in order. */
  panes: Rect[];
  /** Grid columns and rows used. */
  gridShape: { cols: number; rows: number };
  tabs: Rect;
  tabsAt: 'right' | 'bottom';
  message: Rect;
  hints: Rect;
}

/** Options of {@link computeLayout}. */
export interface LayoutOptions {
  /** Panes wanted (1, 2, 4, 6, 9); fewer are shown when they would be smaller than 20x5 inside. */
  panes: number;
  /** Show one pane over the whole grid. */
  zoom?: boolean;
  /** Reserve a banner row. */
  banner?: boolean;
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** Grid shape for `n` panes in a `w`x`h` area: columns x rows. */
export function gridShape(n: number, w: number, h: number): { cols: number; rows: number } {
  if (n <= 1) return { cols: 1, rows: 1 };
  if (n === 2) return w / 2 >= h ? { cols: 2, rows: 1 } : { cols: 1, rows: 2 };
  if (n <= 4) return { cols: 2, rows: 2 };
  if (n <= 6) return w >= h * 2 ? { cols: 3, rows: 2 } : { cols: 2, rows: 3 };
  return { cols: 3, rows: 3 };
}

/** Split `total` cells into `parts` sizes that differ by at most one. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** The inside of a bordered rectangle. */
export function inner(r: Rect): Rect {
  return { x: r.x + 1, y: r.y + 1, w: Math.max(0, r.w - 2), h: Math.max(0, r.h - 2) };
}

/** Lay out a grid of `n` panes in `area`, dropping panes until each is at least 22x7 (20x5 inside). */
function gridPanes(area: Rect, wanted: number): { panes: Rect[]; shape: { cols: number; rows: number } } {
  const sizes = GRID_SIZES.filter((s) => s <= Math.max(1, wanted)).reverse();
  for (const n of sizes) {
    const shape = gridShape(n, area.w, area.h);
    const ws = split(area.w, shape.cols);
    const hs = split(area.h, shape.rows);
    if (Math.min(...ws) < 22 || Math.min(...hs) < 7) continue;
    const panes: Rect[] = [];
    let y = area.y;
    for (let r = 0; r < shape.rows; r++) {
      let x = area.x;
      for (let c = 0; c < shape.cols; c++) {
        if (panes.length < n) panes.push({ x, y, w: ws[c]!, h: hs[r]! });
        x += ws[c]!;
      }
      y += hs[r]!;
    }
    return { panes, shape };
  }
  return { panes: [{ ...area }], shape: { cols: 1, rows: 1 } };
}

/** Compute the layout for a terminal of `cols`x`rows` cells. */
export function computeLayout(cols: number, rows: number, options: LayoutOptions): Layout {
  const tooSmall = cols < MIN_COLS || rows < MIN_ROWS;
  const header: Rect = { x: 0, y: 0, w: cols, h: 1 };
  const banner: Rect | undefined = options.banner ? { x: 0, y: 1, w: cols, h: 1 } : undefined;
  const top = banner ? 2 : 1;
  const hints: Rect = { x: 0, y: rows - 1, w: cols, h: 1 };
  const message: Rect = { x: 0, y: rows - 2, w: cols, h: 1 };
  const bodyH = Math.max(0, rows - top - 2);
  const treeW = clamp(Math.round(cols * 0.22), 24, 36);
  const wide = cols >= 140;
  const tabsW = wide ? clamp(Math.round(cols * 0.26), 30, 48) : 0;
  const centreW = Math.max(0, cols - treeW - tabsW);
  const tree: Rect = { x: 0, y: top, w: treeW, h: bodyH };
  let grid: Rect;
  let tabs: Rect;
  if (wide) {
    grid = { x: treeW, y: top, w: centreW, h: bodyH };
    tabs = { x: treeW + centreW, y: top, w: tabsW, h: bodyH };
  } else {
    const tabsH = clamp(Math.round(bodyH * 0.4), 8, 14);
    grid = { x: treeW, y: top, w: centreW, h: Math.max(0, bodyH - tabsH) };
    tabs = { x: treeW, y: top + grid.h, w: centreW, h: tabsH };
  }
  const { panes, shape } = gridPanes(grid, options.zoom ? 1 : options.panes);
  return { cols, rows, tooSmall, header, ...(banner ? { banner } : {}), tree, grid, panes, gridShape: shape, tabs, tabsAt: wide ? 'right' : 'bottom', message, hints };
}

/** The centred rectangle of a modal of at most `w`x`h` cells. */
export function modalRect(layout: Pick<Layout, 'cols' | 'rows'>, w: number, h: number): Rect {
  const mw = Math.min(w, layout.cols - 4);
  const mh = Math.min(h, layout.rows - 4);
  return { x: Math.floor((layout.cols - mw) / 2), y: Math.floor((layout.rows - mh) / 2), w: mw, h: mh };
}
