/**
 * Text helpers for the TUI: make untrusted text (bead titles, mail, agent names) inert before
 * it is drawn, and fit text into a number of cells.
 *
 * Inert means no byte of it can act on a terminal (the rule lives in core/text.ts, shared with
 * the CLI).
 */

import { inert as inertText, shortAge } from '../core/text.js';

/**
 * Make untrusted text inert for drawing (see core/text.ts); folds it onto one line unless
 * `oneLine` is false.
 */
export function inert(text: string | null | undefined, options: { oneLine?: boolean } = {}): string {
  return inertText(text, { oneLine: options.oneLine ?? true });
}

/**
 * Cut text to at most `width` characters, ending with `…` when cut. Width is counted in code
 * points, which is the cell width for the text the TUI draws (wide CJK and emoji in user text
 * may take two cells; Ink's own layout then clips them).
 */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

/** Pad or cut text to exactly `width` characters. */
export function pad(text: string, width: number): string {
  const cut = fit(text, width);
  const n = [...cut].length;
  return n >= width ? cut : cut + ' '.repeat(width - n);
}

/** A short age (`12s`, `5m`, `3h`, `2d`) of an ISO time at `now` (ms since the epoch). */
export function age(iso: string | null | undefined, now: number): string {
  return shortAge(iso, now);
}

/** A progress bar of `width` cells: `█` for done, `░` for the rest (the fraction is also shown as text by callers: never colour alone). */
export function bar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const f = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const n = Math.round(f * width);
  return '█'.repeat(n) + '░'.repeat(width - n);
}
