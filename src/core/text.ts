/**
 * Text rules shared by the CLI and the TUI: making untrusted text inert and short ages.
 */
import { timeMs } from './ledger/time.js';

const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Make text inert for a terminal: C0 controls (ESC, BEL, CR, BS …) become `^X` (ESC is `^[`),
 * DEL becomes `^?`, C1 controls (U+0080–U+009F, which some terminals read as CSI/OSC) become
 * `\u009b`-style text. So a title such as `"\x1b]0;pwned\x07"` shows as `^[]0;pwned^G` and can
 * neither move the cursor nor change the window title or the palette.
 *
 * @param text any string (undefined/null give '').
 * @param options.oneLine also fold newlines and tabs into spaces (default false: they are kept).
 */
export function inert(text: string | null | undefined, options: { oneLine?: boolean } = {}): string {
  if (!text) return '';
  return text.replace(options.oneLine ? CONTROL_ALL : CONTROL_KEEP_LINES, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n' || c === '\t') return ' ';
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return '^?';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A short age: `12s`, `5m`, `3h`, `2d` from an ISO time to `now` (ms since the epoch; default
 * the current time). Unparseable times give `?`.
 */
export function shortAge(iso: string | null | undefined, now: number = Date.now()): string {
  const t = iso ? timeMs(iso) : Number.NaN;
  if (!Number.isFinite(t)) return '?';
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : s < 86_400 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
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
