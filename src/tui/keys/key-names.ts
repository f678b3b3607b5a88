/**
 * Canonical key names, the one spelling of a key shared by the command table, user overrides
 * (`tui.keys` in the town settings), the input decoder and the help views (CONVENTIONS.md "Keys").
 *
 * A canonical name is either a single printable character (`j`, `S`, `?`, `[`) or
 * `[ctrl+][alt+][shift+]<name>`, modifiers lowercase in that order. Rules:
 * - a bare letter carries its own shift (`shift+s` is `S`);
 * - with ctrl or alt a letter is lowercase and shift is explicit (`ctrl+shift+s`,
 *   `alt+shift+x`), because that is how terminals report them; when parsing what a user wrote,
 *   a letter's case after ctrl or alt is ignored (`Ctrl-Q` as help shows it is `ctrl+q`);
 * - other printable characters cannot take shift (the shifted character is the key: `?`, not
 *   `shift+/`), since the layout that maps one to the other is unknown;
 * - the space bar is `space`.
 */
import { GtError, closeMatches } from '../../core/errors.js';

/** Every non-character key name, lowercase. `insert` is decoded too although no command uses it. */
export const NAMED_KEYS: readonly string[] = [
  'enter', 'tab', 'escape', 'backspace', 'delete', 'insert', 'up', 'down', 'left', 'right',
  'home', 'end', 'pageup', 'pagedown', 'space',
  ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
];

/** Other spellings users type, mapped to the canonical name. */
const ALIASES: Record<string, string> = {
  return: 'enter', esc: 'escape', del: 'delete', ins: 'insert', pgup: 'pageup', pgdn: 'pagedown',
  pgdown: 'pagedown', arrowup: 'up', arrowdown: 'down', arrowleft: 'left', arrowright: 'right',
  bs: 'backspace', spacebar: 'space',
};

/** Modifier spellings accepted by {@link normalizeKey} (`meta` and `option` mean alt, as in Ink). */
const MODIFIERS: Record<string, 'ctrl' | 'alt' | 'shift'> = {
  ctrl: 'ctrl', control: 'ctrl', ctl: 'ctrl', alt: 'alt', meta: 'alt', option: 'alt', opt: 'alt', shift: 'shift',
};

/** A key split into its modifiers and its base name (a {@link NAMED_KEYS} entry or one character). */
export interface KeyParts {
  /** Control held. */
  ctrl: boolean;
  /** Alt (Option, Meta) held. */
  alt: boolean;
  /** Shift held (always false for a bare character; see the module rules). */
  shift: boolean;
  /** A named key (`enter`, `f5`) or a single printable character (`q`, `?`). */
  name: string;
}

/** True for one code point that prints (not a control, format or unassigned character). */
export function isPrintable(ch: string): boolean {
  return [...ch].length === 1 && !/^\p{C}$/u.test(ch) && ch !== ' ';
}

function isLetter(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

/**
 * The canonical name of a key given as parts, applying the module rules.
 *
 * @param parts modifiers and a base name; `name` is a canonical named key, `' '` or one printable character.
 * @returns the canonical name, e.g. `ctrl+shift+a`, `S`, `shift+tab`.
 * @throws GtError INVALID_VALUE when shift is combined with a printable non-letter (`shift+1`).
 */
export function formatKey(parts: KeyParts): string {
  let { shift, name } = parts;
  const { ctrl, alt } = parts;
  if (name === ' ') name = 'space';
  if (name.length > 0 && isPrintable(name)) {
    if (isLetter(name)) {
      const upper = name !== name.toLowerCase();
      shift = shift || upper;
      if (ctrl || alt) name = name.toLowerCase();
      else {
        name = shift ? name.toUpperCase() : name.toLowerCase();
        shift = false;
      }
    } else if (shift) {
      const spelled = [ctrl && 'ctrl', alt && 'alt', 'shift', name].filter(Boolean).join('+');
      throw new GtError('INVALID_VALUE', `"${spelled}" cannot be written with shift`, {
        fix: `write the character the shifted key types instead (for example "?" rather than "shift+/")`,
      });
    }
  }
  return [ctrl && 'ctrl', alt && 'alt', shift && 'shift', name].filter(Boolean).join('+');
}

/**
 * Split a canonical key name (as returned by {@link normalizeKey}) into parts. No validation:
 * pass only canonical names.
 */
export function parseKey(canonical: string): KeyParts {
  const parts: KeyParts = { ctrl: false, alt: false, shift: false, name: canonical };
  for (;;) {
    const m = /^(ctrl|alt|shift)\+(?=.)/.exec(parts.name);
    if (!m || parts.name.length === 1) break;
    parts[m[1] as 'ctrl' | 'alt' | 'shift'] = true;
    parts.name = parts.name.slice(m[0].length);
  }
  return parts;
}

/**
 * The canonical name of a key as a user or the command table spells it.
 *
 * Accepts modifiers `ctrl`/`control`, `alt`/`meta`/`option` and `shift`, in any order and case,
 * joined by `+` or `-` (`Ctrl-Q` as the help overlay shows it works too); key names are
 * case-insensitive (`Enter`, `PgUp`, `F5`) and a single character is case-sensitive (`s` ≠ `S`)
 * except after ctrl or alt, where shift must be written (`ctrl+shift+s`).
 *
 * @example normalizeKey('Shift+S') === 'S'; normalizeKey('Control-Q') === 'ctrl+q'
 * @throws GtError INVALID_VALUE for an empty spec, an unknown key name (with close matches), a
 *   non-printable character, or shift on a printable non-letter.
 */
export function normalizeKey(spec: string): string {
  const parts: KeyParts = { ctrl: false, alt: false, shift: false, name: spec === ' ' ? ' ' : spec.trim() };
  if (!parts.name) {
    throw new GtError('INVALID_VALUE', 'empty key name', { fix: 'write a key such as "q", "ctrl+q" or "enter"' });
  }
  for (;;) {
    const m = /^([a-z]+)[+-](?=.)/i.exec(parts.name);
    const mod = m && MODIFIERS[m[1]!.toLowerCase()];
    if (!m || !mod || parts.name.length === 1) break;
    parts[mod] = true;
    parts.name = parts.name.slice(m[0].length);
  }
  const name = parts.name;
  if ([...name].length === 1) {
    if (name !== ' ' && !isPrintable(name)) {
      throw new GtError('INVALID_VALUE', `key "${JSON.stringify(spec).slice(1, -1)}" is not a printable character`, {
        fix: 'name control keys with modifiers, e.g. "ctrl+q", and special keys by name, e.g. "escape"',
      });
    }
    return formatKey(parts.ctrl || parts.alt ? { ...parts, name: name.toLowerCase() } : parts);
  }
  const lower = name.toLowerCase();
  const canonical = NAMED_KEYS.includes(lower) ? lower : ALIASES[lower];
  if (!canonical) {
    const near = closeMatches(lower, [...NAMED_KEYS, ...Object.keys(MODIFIERS)]);
    throw new GtError('INVALID_VALUE', `unknown key name "${spec}": "${name}" is not a key`, {
      fix: `${near.length ? `did you mean "${near[0]}"? ` : ''}use one character or one of ${NAMED_KEYS.join(', ')}, optionally after ctrl+, alt+ or shift+`,
      details: { spec, candidates: near },
    });
  }
  return formatKey({ ...parts, name: canonical });
}

/** `normalizeKey` that returns undefined instead of throwing (for keys that may be malformed). */
export function tryNormalizeKey(spec: string): string | undefined {
  try {
    return normalizeKey(spec);
  } catch {
    return undefined;
  }
}

/** Title-case spellings of named keys for {@link displayKey}. */
const DISPLAY: Record<string, string> = { pageup: 'PageUp', pagedown: 'PageDown' };

/**
 * A canonical key name as shown to people (help overlay, hint bar, README): modifiers and named
 * keys title-cased and joined by `-`, a letter after a modifier uppercased, a bare character as is.
 *
 * @example displayKey('ctrl+q') === 'Ctrl-Q'; displayKey('shift+tab') === 'Shift-Tab'; displayKey('?') === '?'
 */
export function displayKey(key: string): string {
  const parts = parseKey(key);
  const mods = [parts.ctrl && 'Ctrl', parts.alt && 'Alt', parts.shift && 'Shift'].filter(Boolean) as string[];
  let name = parts.name;
  if (name.length > 1 && NAMED_KEYS.includes(name)) name = DISPLAY[name] ?? name[0]!.toUpperCase() + name.slice(1);
  else if (mods.length) name = name.toUpperCase();
  return [...mods, name].join('-');
}
