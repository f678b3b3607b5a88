/**
 * Text helpers for the TUI: make untrusted text (bead titles, mail, agent names) inert before
 * it is drawn, and fit text into a number of cells.
 *
 * Inert means no byte of it can act on a terminal (the rule lives in core/text.ts, shared with
 * the CLI).
 */

import { inert as inertText } from '../core/text.js';

/** `fit`/`pad` cut and pad to a width; `age` is a short age (`12s`, `5m`) — all in core/text.ts. */
export { fit, pad, shortAge as age } from '../core/text.js';

/**
 * Make untrusted text inert for drawing (see core/text.ts); folds it onto one line unless
 * `oneLine` is false.
 */
export function inert(text: string | null | undefined, options: { oneLine?: boolean } = {}): string {
  return inertText(text, { oneLine: options.oneLine ?? true });
}

/** A progress bar of `width` cells: `█` for done, `░` for the rest (the fraction is also shown as text by callers: never colour alone). */
export function bar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const f = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const n = Math.round(f * width);
  return '█'.repeat(n) + '░'.repeat(width - n);
}
