/**
 * The live keymap: the command table with the user's overrides (`tui.keys` in the town
 * settings) applied, indexed by scope and key, and the conflict rules (CONVENTIONS.md "Keys").
 *
 * Conflict rules: within one scope a key names one command; a focus scope (`tree`, `ready`,
 * `panes`, `mail`, `escalations`, `queue`) may not reuse a `global` key unless the command names
 * the global command in `shadows`; `modal` and `entered` replace every other scope, so they are
 * only checked within themselves.
 */
import { closeMatches } from '../../core/errors.js';
import { SCOPES, type CommandSpec, type Scope } from './commands.js';
import { normalizeKey, tryNormalizeKey } from './key-names.js';

export { normalizeKey } from './key-names.js';

/** A command table with overrides applied. */
export interface Keymap {
  /** Per scope (every {@link Scope} present, possibly empty), canonical key → command id. */
  bindings: Map<Scope, Map<string, string>>;
  /** The canonical keys of a command after overrides, first = primary; `[]` if unbound or unknown. */
  keysOf: (id: string) => string[];
  /**
   * One readable sentence per override that was ignored (unknown id, bad key, conflict), in the
   * overrides' order, then any conflict among the table's own defaults.
   */
  errors: string[];
}

/** Two commands that claim the same key where they can meet. */
interface Conflict {
  key: string;
  /** The command listed later in the table (or the scoped one, for a global clash). */
  id: string;
  /** The command it clashes with. */
  other: string;
  /** Scope of `id`. */
  scope: Scope;
  /** Scope of `other`. */
  otherScope: Scope;
}

/** Scopes checked only within themselves. */
const ISOLATED: ReadonlySet<Scope> = new Set<Scope>(['modal', 'entered']);

/** Conflicts among commands whose (canonical) keys are given by `keysOf`. */
function conflictsOf(commands: readonly CommandSpec[], keysOf: (c: CommandSpec) => string[]): Conflict[] {
  const out: Conflict[] = [];
  const byScope = new Map<Scope, Map<string, CommandSpec>>();
  for (const c of commands) {
    const seen = byScope.get(c.scope) ?? new Map<string, CommandSpec>();
    byScope.set(c.scope, seen);
    for (const key of new Set(keysOf(c))) {
      const prior = seen.get(key);
      if (prior) out.push({ key, id: c.id, other: prior.id, scope: c.scope, otherScope: c.scope });
      else seen.set(key, c);
    }
  }
  const global = byScope.get('global') ?? new Map<string, CommandSpec>();
  for (const c of commands) {
    if (c.scope === 'global' || ISOLATED.has(c.scope)) continue;
    for (const key of new Set(keysOf(c))) {
      const g = global.get(key);
      if (g && !c.shadows?.includes(g.id)) out.push({ key, id: c.id, other: g.id, scope: c.scope, otherScope: 'global' });
    }
  }
  return out;
}

function describe(c: Conflict): string {
  const where = c.scope === c.otherScope ? `in scope ${c.scope}` : `(${c.id} in scope ${c.scope}, ${c.other} in scope global)`;
  return `key "${c.key}" is bound to both ${c.other} and ${c.id} ${where}`;
}

/**
 * Every problem of a command table that makes a key ambiguous: two commands of one scope on the
 * same key, a focus scope reusing a global key without naming that command in `shadows`, plus
 * duplicate ids, keys that are not valid key names and `shadows` entries that name no global
 * command. Keys are compared after {@link normalizeKey}.
 *
 * @returns one readable sentence per problem; empty when the table is sound.
 */
export function findConflicts(commands: readonly CommandSpec[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const globals = new Set(commands.filter((c) => c.scope === 'global').map((c) => c.id));
  for (const c of commands) {
    if (ids.has(c.id)) problems.push(`command id ${c.id} is used twice; give each command its own id`);
    ids.add(c.id);
    for (const k of c.keys) {
      try {
        normalizeKey(k);
      } catch (e) {
        problems.push(`${c.id}: ${(e as Error).message}`);
      }
    }
    for (const s of c.shadows ?? []) {
      if (!globals.has(s)) problems.push(`${c.id} shadows "${s}", which is not a global command; remove it from shadows`);
    }
  }
  const keys = (c: CommandSpec) => c.keys.map(tryNormalizeKey).filter((k): k is string => k !== undefined);
  for (const c of conflictsOf(commands, keys)) {
    const hint = c.scope === c.otherScope ? 'give one of them another key' : `give one another key, or list "${c.other}" in ${c.id}'s shadows to take the key over on purpose`;
    problems.push(`${describe(c)}; ${hint}`);
  }
  return problems;
}

/**
 * Build the keymap from the command table and the user's overrides.
 *
 * An override replaces all of a command's keys (`[]` unbinds it). Overrides are never fatal:
 * an unknown command id, a key that is not a valid key name, a value that is neither a string
 * nor a list of strings, or a key that would conflict with another command (see module rules)
 * is reported in `errors` and that command keeps its default keys. When two overrides clash,
 * the one listed later is the one ignored.
 *
 * @param commands the command table (normally {@link COMMANDS}); its default keys are
 *   normalized; a conflict among defaults alone is reported too, and the command listed first keeps the key.
 * @param overrides command id → key or keys, as in `tui.keys` (`{"app.quit": "Q"}`).
 */
export function buildKeymap(commands: readonly CommandSpec[], overrides: Record<string, string | string[]> = {}): Keymap {
  const found: Array<[number, string]> = [];
  const position = new Map(Object.keys(overrides).map((id, i) => [id, i]));
  const report = (id: string, message: string) => found.push([position.get(id) ?? Infinity, message]);
  const byId = new Map(commands.map((c) => [c.id, c]));
  const defaults = new Map(commands.map((c) => [c.id, c.keys.map(tryNormalizeKey).filter((k): k is string => k !== undefined)]));
  const current = new Map(defaults);
  const overridden: string[] = [];
  const show = (keys: string[]) => (keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no key');

  for (const [id, value] of Object.entries(overrides)) {
    if (!byId.has(id)) {
      const near = closeMatches(id, byId.keys());
      report(id, `tui.keys: there is no command "${id}"; ${near.length ? `did you mean "${near[0]}"? ` : ''}use a command id from the ? help overlay (the override was ignored)`);
      continue;
    }
    const list: unknown[] = Array.isArray(value) ? value : [value];
    const keys: string[] = [];
    let bad: string | undefined;
    for (const raw of list) {
      if (typeof raw !== 'string') {
        bad = `${JSON.stringify(raw)} is not a key name (write keys as strings, e.g. "ctrl+g")`;
        break;
      }
      try {
        keys.push(normalizeKey(raw));
      } catch (e) {
        bad = `"${raw}" is not a valid key: ${(e as Error).message}`;
        break;
      }
    }
    if (bad) {
      report(id, `tui.keys."${id}": ${bad}; fix or remove the override (${id} keeps ${show(defaults.get(id)!)})`);
      continue;
    }
    current.set(id, [...new Set(keys)]);
    overridden.push(id);
  }

  // Revert overrides that conflict, latest first, until only default-vs-default conflicts remain.
  for (;;) {
    const active = new Set(overridden.filter((id) => current.get(id) !== defaults.get(id)));
    const conflicts = conflictsOf(commands, (c) => current.get(c.id) ?? []);
    const culprit = [...active].reverse().find((id) => conflicts.some((c) => c.id === id || c.other === id));
    if (!culprit) {
      for (const c of conflicts) report('', `command table: ${describe(c)}; ${c.other} keeps it`);
      break;
    }
    const c = conflicts.find((x) => x.id === culprit || x.other === culprit)!;
    const other = c.id === culprit ? c.other : c.id;
    const otherScope = c.id === culprit ? c.otherScope : c.scope;
    report(
      culprit,
      `tui.keys."${culprit}": key "${c.key}" is already bound to ${other} (scope ${otherScope}); ` +
      `the override was ignored and ${culprit} keeps ${show(defaults.get(culprit)!)} — pick another key, or rebind ${other} too`,
    );
    current.set(culprit, defaults.get(culprit)!);
  }

  const bindings = new Map<Scope, Map<string, string>>(SCOPES.map((s) => [s, new Map<string, string>()]));
  for (const c of commands) {
    const scope = bindings.get(c.scope) ?? new Map<string, string>();
    bindings.set(c.scope, scope);
    for (const key of current.get(c.id) ?? []) if (!scope.has(key)) scope.set(key, c.id);
  }
  const errors = found.sort((a, b) => a[0] - b[0]).map(([, message]) => message);
  return { bindings, keysOf: (id) => [...(current.get(id) ?? [])], errors };
}

/**
 * The command a key runs, looking through `scopes` in order (focused first, e.g. `['modal']` or
 * `['ready', 'global']`); the first scope that binds the key wins.
 *
 * @param key a key name; canonical names from decodeKeys are looked up directly, others are normalized first.
 * @returns the command id, or undefined when no scope in the stack binds the key (or it is not a key).
 */
export function resolveKey(keymap: Keymap, key: string, scopes: readonly Scope[]): string | undefined {
  let k = key;
  if (!scopes.some((s) => keymap.bindings.get(s)?.has(key))) k = tryNormalizeKey(key) ?? key;
  for (const s of scopes) {
    const id = keymap.bindings.get(s)?.get(k);
    if (id !== undefined) return id;
  }
  return undefined;
}
