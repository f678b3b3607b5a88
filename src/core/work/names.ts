/**
 * Polecat names and agent addresses (gastown-features.md §0 "Roles", §3.10 "name pool").
 *
 * Each rig draws its polecats' names from one themed pool: the theme named by the rig's
 * settings (`namepool.style`, or an explicit `namepool.names` list), else one picked by a stable
 * hash of the rig name, so a rig keeps its theme across machines. Names are handed out first
 * free in list order; when every name is taken the pool overflows to `<name>-2`, `<name>-3`, ….
 * The lists are our own. Pure: nothing here touches the disk or the database.
 */
import { GtError } from '../errors.js';

/** The built-in name pools, by theme. Every name is lowercase letters, digits and `_`. */
export const NAME_THEMES: Readonly<Record<string, readonly string[]>> = {
  'mad-max': [
    'furiosa', 'nux', 'slit', 'capable', 'toast', 'cheedo', 'dag', 'angharad', 'rictus', 'valkyrie',
    'keeper', 'glory', 'morsov', 'ace', 'toecutter', 'goose', 'savannah', 'pappagallo', 'gyro', 'feral',
    'wez', 'humungus', 'warboy', 'entity', 'masterblaster', 'jedediah', 'scrooloose', 'ironbar', 'dementus', 'praetorian',
  ],
  minerals: [
    'quartz', 'garnet', 'beryl', 'topaz', 'jasper', 'onyx', 'agate', 'opal', 'pyrite', 'galena',
    'mica', 'feldspar', 'calcite', 'fluorite', 'gypsum', 'talc', 'hematite', 'malachite', 'azurite', 'cinnabar',
    'obsidian', 'basalt', 'zircon', 'spinel', 'olivine', 'jade', 'tourmaline', 'corundum', 'dolomite', 'halite',
  ],
  wasteland: [
    'rust', 'dust', 'cinder', 'ash', 'scrap', 'static', 'ember', 'gravel', 'husk', 'drift',
    'flint', 'shard', 'sprocket', 'piston', 'rivet', 'vulture', 'scorpion', 'jackal', 'coyote', 'mirage',
    'dune', 'scorch', 'tinder', 'wreck', 'salvage', 'ratchet', 'grit', 'char', 'smog', 'fallout',
  ],
};

/** Theme names in hash order (the order {@link themeForRig} indexes into). */
export const THEME_NAMES: readonly string[] = Object.keys(NAME_THEMES);

/**
 * Names a polecat may never take: they are directories or roles of a rig or the town
 * (gastown-features.md §3.10). Compared case-insensitively.
 */
export const RESERVED_POLECAT_NAMES: readonly string[] = ['witness', 'mayor', 'deacon', 'refinery', 'crew', 'polecats'];

/** True when `name` is one of {@link RESERVED_POLECAT_NAMES}. */
export function isReservedName(name: string): boolean {
  return RESERVED_POLECAT_NAMES.includes(name.toLowerCase());
}

/** 32-bit FNV-1a of a string's UTF-16 code units: stable across runs, machines and Node versions. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The theme a rig gets when its settings name none: a stable hash of the rig name. */
export function themeForRig(rig: string): string {
  return THEME_NAMES[fnv1a(rig) % THEME_NAMES.length]!;
}

/** A rig's name pool: the theme's name and its names in allocation order. */
export interface NamePool {
  /** Theme name (`mad-max`), or the configured style for an explicit list. */
  theme: string;
  /** Names in allocation order, reserved names removed, no duplicates, never empty. */
  names: string[];
}

/** The `namepool` part of rig settings (settings.ts `RigSettings.namepool`). */
export interface NamePoolSettings {
  /** A theme name (a key of {@link NAME_THEMES}), or a label for `names`. */
  style: string;
  /** Explicit names used instead of the style's list. */
  names?: string[] | undefined;
}

/**
 * The name pool of a rig: explicit `namepool.names` when given, else the `namepool.style`
 * theme, else the hashed theme of {@link themeForRig}.
 *
 * @throws GtError CONFIG_INVALID when `style` names no built-in theme and no `names` are given,
 *   or when every explicit name is reserved.
 */
export function poolForRig(rig: string, settings?: NamePoolSettings): NamePool {
  const clean = (list: readonly string[]) => [...new Set(list)].filter((n) => !isReservedName(n));
  if (settings?.names?.length) {
    const names = clean(settings.names);
    if (!names.length) {
      throw new GtError('CONFIG_INVALID', `rig "${rig}": namepool.names has only reserved names (${RESERVED_POLECAT_NAMES.join(', ')})`, {
        fix: `set other names with \`gt rig config ${rig} namepool.names '["a","b"]'\``,
      });
    }
    return { theme: settings.style, names };
  }
  if (settings?.style) {
    const list = NAME_THEMES[settings.style];
    if (!list) {
      throw new GtError('CONFIG_INVALID', `rig "${rig}": unknown namepool.style "${settings.style}"`, {
        fix: `use one of ${THEME_NAMES.join(', ')}, or give namepool.names`,
        details: { style: settings.style, themes: THEME_NAMES },
      });
    }
    return { theme: settings.style, names: clean(list) };
  }
  const theme = themeForRig(rig);
  return { theme, names: clean(NAME_THEMES[theme]!) };
}

/**
 * The first name of `names` not in `inUse` and not reserved. When all are taken the pool
 * overflows in rounds: `<each name>-2` in order, then `-3`, and so on.
 *
 * @param names a pool's names in allocation order (see {@link poolForRig}).
 * @param inUse names already held in the rig (compared exactly).
 * @throws GtError INVALID_VALUE when `names` is empty.
 */
export function pickName(names: readonly string[], inUse: ReadonlySet<string>): string {
  const usable = names.filter((n) => !isReservedName(n));
  if (!usable.length) throw new GtError('INVALID_VALUE', 'the name pool is empty', { fix: 'give the rig a namepool with at least one name' });
  for (const n of usable) if (!inUse.has(n)) return n;
  for (let round = 2; ; round++) {
    for (const n of usable) {
      const candidate = `${n}-${round}`;
      if (!inUse.has(candidate)) return candidate;
    }
  }
}

// ---------------------------------------------------------------- addresses

/** Roles of Gas Town agents (gastown-features.md §0). */
export type AgentRole = 'polecat' | 'crew' | 'mayor' | 'deacon' | 'witness' | 'refinery';

/** A parsed agent address. */
export interface AgentAddress {
  /** The canonical address: `demo/polecats/nux`, `demo/crew/alice`, `demo/witness`, `mayor`. */
  address: string;
  /** The agent's role. */
  role: AgentRole;
  /** Its rig ('' for town agents: mayor, deacon). */
  rig: string;
  /** Its name (the role for singletons: `mayor`, `witness`). */
  name: string;
}

const RIG = '[A-Za-z0-9][A-Za-z0-9_]*';
const NAME = '[A-Za-z0-9][A-Za-z0-9_-]*';
const MEMBER = new RegExp(`^(${RIG})/(polecats|crew)/(${NAME})/?$`);
const SINGLETON = new RegExp(`^(${RIG})/(witness|refinery)/?$`);

/**
 * Parse an agent address (`<rig>/polecats/<name>`, `<rig>/crew/<name>`, `<rig>/witness`,
 * `<rig>/refinery`, `mayor`, `deacon`; a trailing `/` is accepted).
 *
 * @returns the parsed address, or undefined when `text` is not an agent address.
 */
export function parseAgentAddress(text: string): AgentAddress | undefined {
  const t = text.trim();
  if (/^(mayor|deacon)\/?$/.test(t)) {
    const role = t.replace(/\/$/, '') as 'mayor' | 'deacon';
    return { address: role, role, rig: '', name: role };
  }
  const m = MEMBER.exec(t);
  if (m) {
    const role = m[2] === 'polecats' ? 'polecat' : 'crew';
    return { address: `${m[1]}/${m[2]}/${m[3]}`, role, rig: m[1]!, name: m[3]! };
  }
  const s = SINGLETON.exec(t);
  if (s) return { address: `${s[1]}/${s[2]}`, role: s[2] as 'witness' | 'refinery', rig: s[1]!, name: s[2]! };
  return undefined;
}

/**
 * The agent a path belongs to, from its segments relative to the town root
 * (`['demo', 'polecats', 'nux', 'src']` → `demo/polecats/nux`; `['mayor']` → `mayor`).
 *
 * @returns the address, or undefined outside every agent's directory.
 */
export function addressFromTownPath(segments: readonly string[]): AgentAddress | undefined {
  const [rig, kind, name] = segments;
  if (rig === 'mayor' || rig === 'deacon') return parseAgentAddress(rig);
  if (rig && (kind === 'polecats' || kind === 'crew') && name) return parseAgentAddress(`${rig}/${kind}/${name}`);
  return undefined;
}

/** A polecat's address: `<rig>/polecats/<name>`. */
export function polecatAddress(rig: string, name: string): string {
  return `${rig}/polecats/${name}`;
}

/** The branch a polecat works a bead on: `polecat/<name>/<bead-id>`. */
export function polecatBranch(name: string, beadId: string): string {
  return `polecat/${name}/${beadId}`;
}

/**
 * The branch that preserves a polecat's unmerged work: `keep/polecat/<name>/<tail>`, where tail
 * is the last segment of the branch it came from (its bead id).
 */
export function keepBranch(name: string, fromBranch: string): string {
  const tail = fromBranch.split('/').filter(Boolean).pop() || 'work';
  return `keep/polecat/${name}/${tail}`;
}

/** A polecat's commit e-mail: `<rig>.polecats.<name>@<domain>` (Gas Town `GIT_AUTHOR_EMAIL`). */
export function polecatEmail(rig: string, name: string, domain: string): string {
  return `${rig}.polecats.${name}@${domain}`;
}

/** The rig prefix of a bead id (`gt-a3f8.2` → `gt`), or undefined when it has none. */
export function beadPrefix(beadId: string): string | undefined {
  const i = beadId.indexOf('-');
  return i > 0 ? beadId.slice(0, i) : undefined;
}
