/**
 * Rig, crew and prefix names (gastown-features.md §2.2: rig names may not contain `-./\`).
 *
 * A rig name becomes a directory in the town root and part of agent addresses
 * (`<rig>/polecats/<name>`), so it is restricted to letters, digits and `_`, and may not shadow
 * a town directory. A crew name becomes `<rig>/crew/<name>` and follows the same character
 * rules. A prefix starts every bead id of the rig (`gt-a3f8`).
 */
import { GtError } from '../errors.js';

/**
 * Names a rig may not take because the town root already uses them (compared
 * case-insensitively, for case-insensitive file systems).
 */
export const RESERVED_RIG_NAMES: readonly string[] = [
  'settings', '.beads', 'logs', 'daemon', 'formulas', 'mayor', 'deacon', 'plugins',
  'directives', 'config', 'runtime', 'hq', 'town',
];

/** Names a crew member may not take because a rig's crew directory uses them. */
export const RESERVED_CREW_NAMES: readonly string[] = ['settings', 'readme', 'mail', 'state'];

/** Longest rig or crew name, in characters. */
export const MAX_NAME_LENGTH = 64;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_]*$/;
const PREFIX = /^[a-z0-9]{2,8}$/;

/**
 * A name with every disallowed character replaced by `_` (`my-app.js` → `my_app_js`), used to
 * suggest a fix. Leading underscores are dropped; an empty result becomes `rig`.
 */
export function sanitizeName(name: string): string {
  const s = name.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+/, '').replace(/_+$/, '');
  return (s || 'rig').slice(0, MAX_NAME_LENGTH);
}

function checkName(kind: 'rig' | 'crew', name: string, reserved: readonly string[]): string | undefined {
  if (!name) return `${kind} name is empty`;
  if (name.length > MAX_NAME_LENGTH) return `${kind} name "${name}" is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAME.test(name)) {
    const bad = [...new Set(name.replace(/[A-Za-z0-9_]/g, ''))].map((c) => (c === ' ' ? 'space' : `"${c}"`));
    return bad.length
      ? `${kind} name "${name}" contains ${bad.join(', ')}; only letters, digits and "_" are allowed`
      : `${kind} name "${name}" must start with a letter or digit`;
  }
  if (reserved.includes(name.toLowerCase())) return `${kind} name "${name}" is reserved`;
  return undefined;
}

/**
 * Check a rig name: letters, digits and `_`, starting with a letter or digit, at most
 * {@link MAX_NAME_LENGTH} characters, not one of {@link RESERVED_RIG_NAMES}.
 *
 * @returns the name unchanged.
 * @throws GtError RIG_INVALID saying what is wrong and suggesting a valid name.
 */
export function validateRigName(name: string): string {
  const problem = checkName('rig', name, RESERVED_RIG_NAMES);
  if (!problem) return name;
  const suggestion = suggest(name, RESERVED_RIG_NAMES);
  throw new GtError('RIG_INVALID', problem, {
    fix: `use a name of letters, digits and "_" such as "${suggestion}" (reserved: ${RESERVED_RIG_NAMES.join(', ')})`,
    details: { name, suggestion },
  });
}

/**
 * Check a crew member's name: the same characters as a rig name, not one of
 * {@link RESERVED_CREW_NAMES}.
 *
 * @returns the name unchanged.
 * @throws GtError USAGE (exit 2) saying what is wrong and suggesting a valid name.
 */
export function validateCrewName(name: string): string {
  const problem = checkName('crew', name, RESERVED_CREW_NAMES);
  if (!problem) return name;
  const suggestion = suggest(name, RESERVED_CREW_NAMES);
  throw new GtError('USAGE', problem, {
    fix: `use a name of letters, digits and "_" such as "${suggestion}"`,
    details: { name, suggestion },
  });
}

/**
 * Check a bead prefix for a rig: 2..8 lowercase letters or digits, not `hq` (the town's own
 * prefix). A trailing `-` is accepted and removed (`gt-` → `gt`), as beads writes prefixes both ways.
 *
 * @returns the prefix without a trailing `-`.
 * @throws GtError RIG_INVALID saying what is wrong and how to fix it.
 */
export function validatePrefix(prefix: string): string {
  const p = prefix.endsWith('-') ? prefix.slice(0, -1) : prefix;
  if (p === 'hq') {
    throw new GtError('RIG_INVALID', 'prefix "hq" belongs to the town ledger', {
      fix: 'choose another prefix with --prefix, e.g. the initials of the rig name',
      details: { prefix },
    });
  }
  if (!PREFIX.test(p)) {
    const lower = p.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8);
    throw new GtError('RIG_INVALID', `prefix "${prefix}" must be 2 to 8 lowercase letters or digits`, {
      fix: lower.length >= 2 && lower !== 'hq' ? `use --prefix ${lower}` : 'use --prefix with 2 to 8 lowercase letters or digits, e.g. --prefix ab',
      details: { prefix },
    });
  }
  return p;
}

function suggest(name: string, reserved: readonly string[]): string {
  let s = sanitizeName(name);
  if (reserved.includes(s.toLowerCase())) s = `${s}_2`;
  return s;
}
