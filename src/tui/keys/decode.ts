/**
 * Raw terminal input → canonical key names (key-names.ts), and back.
 *
 * A small deterministic decoder over one stdin chunk, for the legacy encodings every terminal
 * sends (C0 control bytes, `ESC x` for alt, CSI and SS3 sequences with xterm modifier
 * parameters) and the two extended ones (kitty's CSI-u `ESC[<code>;<mods>u` and xterm's
 * modifyOtherKeys `ESC[27;<mods>;<code>~`). Sequences it does not know (mouse reports, focus
 * events, bracketed-paste markers, device answers) become spans with no key and are dropped by
 * {@link decodeKeys}; nothing throws. A sequence split across two chunks is not reassembled:
 * terminals write each key in one piece.
 */
import { formatKey, isPrintable, parseKey, tryNormalizeKey, type KeyParts } from './key-names.js';

/** One piece of a chunk: its exact bytes and the key they mean (undefined when unknown). */
export interface KeySpan {
  /** The exact characters of the chunk this span covers (spans concatenate to the chunk). */
  raw: string;
  /** Canonical key name, or undefined for an unknown or non-key sequence. */
  key: string | undefined;
}

type Mods = Omit<KeyParts, 'name'>;

/** Canonical name from parts; a shift the character already carries (`shift+?`) is dropped. */
function make(mods: Mods, name: string): string | undefined {
  try {
    return formatKey({ ...mods, name });
  } catch {
    return formatKey({ ...mods, shift: false, name });
  }
}

/** Xterm modifier parameter (1 + shift·1 + alt·2 + ctrl·4 + …); caps/num lock ignored; super, hyper, meta unrepresentable. */
function modsFrom(param: string | undefined): Mods | undefined {
  const n = param === undefined || param === '' ? 1 : Number(param);
  if (!Number.isInteger(n) || n < 1) return undefined;
  const bits = n - 1;
  if (bits & (8 | 16 | 32)) return undefined;
  return { shift: Boolean(bits & 1), alt: Boolean(bits & 2), ctrl: Boolean(bits & 4) };
}

/** The key of one character outside an escape sequence. */
function charKey(ch: string): string | undefined {
  const c = ch.codePointAt(0)!;
  if (ch === '\r' || ch === '\n') return 'enter';
  if (ch === '\t') return 'tab';
  if (ch === '\x7f' || ch === '\b') return 'backspace';
  if (ch === ' ') return 'space';
  if (c === 0) return 'ctrl+space';
  if (c >= 1 && c <= 26) return `ctrl+${String.fromCharCode(c + 96)}`;
  if (c >= 0x1c && c <= 0x1f) return `ctrl+${'\\]^_'[c - 0x1c]}`;
  return isPrintable(ch) ? ch : undefined;
}

function withAlt(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const { name, ...mods } = parseKey(key);
  return make({ ...mods, alt: true }, name);
}

const CURSOR: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4' };
const TILDE: Record<string, string> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown', 7: 'home', 8: 'end',
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5', 17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10', 23: 'f11', 24: 'f12',
};
const CODES: Record<number, string> = { 8: 'backspace', 9: 'tab', 13: 'enter', 27: 'escape', 32: 'space', 127: 'backspace' };

/** A key given by Unicode code point and modifiers (CSI-u, modifyOtherKeys). */
function codeKey(code: number, mods: Mods | undefined, shifted?: number): string | undefined {
  if (!mods || !Number.isInteger(code)) return undefined;
  if (CODES[code]) return make(mods, CODES[code]);
  if (code < 32 || code > 0x10ffff || (code >= 0xe000 && code <= 0xf8ff)) return undefined; // kitty's private-use codes: keypad, media, lock keys
  let ch = String.fromCodePoint(code);
  if (mods.shift && shifted && shifted > 32 && shifted <= 0x10ffff && ch.toLowerCase() === ch.toUpperCase()) {
    ch = String.fromCodePoint(shifted);
    mods = { ...mods, shift: false };
  }
  return isPrintable(ch) ? make(mods, ch) : undefined;
}

/** The key of a complete CSI sequence given its parameter, intermediate and final parts. */
function csiKey(params: string, inter: string, final: string): string | undefined {
  if (inter || /^[<=>?]/.test(params)) return undefined; // mouse reports, device answers
  const fields = params.split(';').map((f) => f.split(':'));
  const mods = modsFrom(fields[1]?.[0]);
  if (fields[1]?.[1] === '3') return undefined; // kitty key release
  if (final in CURSOR) return mods && make(mods, CURSOR[final]!);
  if (final === 'Z') return mods && make({ ...mods, shift: true }, 'tab');
  if (final === 'u') return codeKey(Number(fields[0]?.[0]), mods, fields[0]?.[1] ? Number(fields[0][1]) : undefined);
  if (final !== '~') return undefined;
  if (fields[0]?.[0] === '27') return codeKey(Number(fields[2]?.[0]), mods);
  const name = TILDE[fields[0]?.[0] ?? ''];
  return name && mods ? make(mods, name) : undefined;
}

/** Length and key of the escape sequence starting at `chunk[i] === ESC`. */
function escapeAt(chunk: string, i: number): [number, string | undefined] {
  const next = chunk[i + 1];
  if (next === undefined) return [1, 'escape'];
  if (next === '\x1b') {
    if (chunk[i + 2] !== '[' && chunk[i + 2] !== 'O') return [1, 'escape'];
    const [len, key] = escapeAt(chunk, i + 1); // ESC ESC [ A: alt+up in some terminals
    return [len + 1, withAlt(key)];
  }
  if (next === '[' && i + 2 < chunk.length) {
    let j = i + 2;
    const code = (k: number) => chunk.charCodeAt(k);
    while (j < chunk.length && code(j) >= 0x30 && code(j) <= 0x3f) j++;
    const pEnd = j;
    while (j < chunk.length && code(j) >= 0x20 && code(j) <= 0x2f) j++;
    if (j >= chunk.length) return [chunk.length - i, undefined];
    if (code(j) < 0x40 || code(j) > 0x7e) return [j - i, undefined];
    const params = chunk.slice(i + 2, pEnd);
    const final = chunk[j]!;
    if (final === 'M' && j === i + 2) return [Math.min(j + 4, chunk.length) - i, undefined]; // X10 mouse: 3 raw bytes follow
    if (final === '[' && j === i + 2) { // Linux console F1-F5: ESC [ [ A..E
      const f = 'ABCDE'.indexOf(chunk[j + 1] ?? '');
      return f < 0 ? [j + 1 - i, undefined] : [j + 2 - i, `f${f + 1}`];
    }
    return [j + 1 - i, csiKey(params, chunk.slice(pEnd, j), final)];
  }
  if (next === 'O' && i + 2 < chunk.length) {
    const m = /^(\d*)([\s\S]?)/.exec(chunk.slice(i + 2, i + 6))!; // digits (a modifier) and a final character
    const name = m[2] === 'M' ? 'enter' : CURSOR[m[2]!];
    const mods = modsFrom(m[1] || undefined);
    return [2 + m[0].length, name && mods ? make(mods, name) : undefined];
  }
  const ch = String.fromCodePoint(chunk.codePointAt(i + 1)!);
  const key = charKey(ch);
  return key === undefined ? [1, 'escape'] : [1 + ch.length, withAlt(key)];
}

/**
 * Split a raw stdin chunk into spans, one per key or escape sequence, covering every character
 * (the spans' `raw` concatenate to `chunk`). `\r\n` counts as one enter.
 */
export function tokenizeKeys(chunk: string): KeySpan[] {
  const out: KeySpan[] = [];
  let i = 0;
  while (i < chunk.length) {
    if (chunk[i] === '\x1b') {
      const [len, key] = escapeAt(chunk, i);
      out.push({ raw: chunk.slice(i, i + len), key });
      i += len;
    } else if (chunk.startsWith('\r\n', i)) {
      out.push({ raw: '\r\n', key: 'enter' });
      i += 2;
    } else {
      const ch = String.fromCodePoint(chunk.codePointAt(i)!);
      out.push({ raw: ch, key: charKey(ch) });
      i += ch.length;
    }
  }
  return out;
}

/**
 * The keys in a raw stdin chunk, as canonical names in order: one per printable character (a
 * pasted `abc` is three keys), named keys, ctrl/alt chords; unknown sequences are dropped.
 *
 * @example decodeKeys('j\x1b[1;5A\x11') → ['j', 'ctrl+up', 'ctrl+q']
 */
export function decodeKeys(chunk: string): string[] {
  return tokenizeKeys(chunk).flatMap((s) => (s.key === undefined ? [] : [s.key]));
}

const LEGACY: Record<string, string> = {
  enter: '\r', tab: '\t', escape: '\x1b', backspace: '\x7f', space: ' ', insert: '\x1b[2~', delete: '\x1b[3~',
  pageup: '\x1b[5~', pagedown: '\x1b[6~', up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D',
  home: '\x1b[H', end: '\x1b[F', f1: '\x1bOP', f2: '\x1bOQ', f3: '\x1bOR', f4: '\x1bOS',
};

/**
 * The bytes a terminal without extended keyboard protocols sends for a key (xterm defaults),
 * e.g. for tests and e2e harnesses that type keys by name.
 *
 * @param key a key name (normalized first).
 * @returns the bytes, or undefined when the key has no legacy encoding (`ctrl+shift+q`,
 *   `ctrl+enter`) or is not a valid key name.
 */
export function encodeKey(key: string): string | undefined {
  const canonical = tryNormalizeKey(key);
  if (canonical === undefined) return undefined;
  const p = parseKey(canonical);
  const m = 1 + (p.shift ? 1 : 0) + (p.alt ? 2 : 0) + (p.ctrl ? 4 : 0);
  const cursor = Object.keys(CURSOR).find((k) => CURSOR[k] === p.name);
  const tilde = Object.keys(TILDE).find((k) => TILDE[k] === p.name && !['7', '8', '11', '12', '13', '14'].includes(k));
  if (m === 1 && LEGACY[p.name]) return LEGACY[p.name];
  if (m === 1 && tilde) return `\x1b[${tilde}~`;
  if (canonical === 'shift+tab') return '\x1b[Z';
  if (cursor && m > 1) return `\x1b[1;${m}${cursor}`;
  if (tilde && m > 1) return `\x1b[${tilde};${m}~`;
  if (p.alt) {
    const rest = encodeKey(formatKey({ ...p, alt: false }));
    return rest === undefined ? undefined : `\x1b${rest}`;
  }
  if (p.name.length > 1 && p.name !== 'space') return undefined;
  if (!p.ctrl && !p.shift) return p.name;
  if (!p.ctrl || p.shift) return undefined;
  if (p.name === 'space' || p.name === '@') return '\x00';
  if (/^[a-z]$/.test(p.name)) return String.fromCharCode(p.name.charCodeAt(0) - 96);
  const i = '[\\]^_'.indexOf(p.name);
  return i < 0 ? undefined : String.fromCharCode(0x1b + i);
}
