/**
 * Views generated from the command table and the live keymap (CONVENTIONS.md "Keys"): the rows
 * of the `?` overlay, the one-line hint bar and the README key reference. Nothing here lists a
 * key by hand, so user overrides show up everywhere.
 */
import { CATEGORIES, type Category, type CommandSpec, type Scope } from './commands.js';
import { displayKey } from './key-names.js';
import { resolveKey, type Keymap } from './keymap.js';

export { displayKey } from './key-names.js';

/** One row of the `?` overlay (or of the README table). */
export interface HelpRow {
  /** Help section. */
  category: Category;
  /** The command's keys for display, joined by ` / ` (`j / Down`), `1…9` for a numbered run, `(none)` if unbound. */
  keys: string;
  /** Short label. */
  label: string;
  /** One sentence. */
  description: string;
  /** Where the keys are live. */
  scope: Scope;
  /** The command id, or `first … last` for a collapsed numbered run (`focus.1 … focus.9`). */
  id: string;
}

/** One hint of the hint bar. */
export interface Hint {
  /** The primary reachable key for display (`?`, `Enter`, `Ctrl-G`). */
  keys: string;
  /** Short label. */
  label: string;
}

const shown = (keys: string[]) => (keys.length ? keys.map(displayKey).join(' / ') : '(none)');

/** `stem` and number of an id ending in one digit 1–9 (`focus.3` → [`focus.`, 3]). */
function numbered(id: string): [string, number] | undefined {
  const m = /^(.*\D)([1-9])$/.exec(id);
  return m ? [m[1]!, Number(m[2])] : undefined;
}

/** Text with the whole-word number `n` replaced by `N`. */
const generic = (text: string, n: number) => text.replace(new RegExp(`\\b${n}\\b`, 'g'), 'N');

/** A help row before its keys are formatted: per command of the row, its canonical keys. */
interface RawRow extends Omit<HelpRow, 'keys'> {
  keys: string[][];
}

function rawRows(keymap: Keymap, commands: readonly CommandSpec[]): RawRow[] {
  const rows: RawRow[] = [];
  for (const category of CATEGORIES) {
    const list = commands.filter((c) => c.category === category);
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      const run = [c];
      const num = numbered(c.id);
      if (num?.[1] === 1) {
        for (let n = 2; n <= 9; n++) {
          const d = list[i + n - 1];
          if (!d || d.id !== `${num[0]}${n}` || d.scope !== c.scope) break;
          if (generic(d.label, n) !== generic(c.label, 1) || generic(d.description, n) !== generic(c.description, 1)) break;
          run.push(d);
        }
      }
      const one = run.length < 2;
      rows.push({
        category,
        keys: run.map((d) => keymap.keysOf(d.id)),
        label: one ? c.label : generic(c.label, 1),
        description: one ? c.description : generic(c.description, 1),
        scope: c.scope,
        id: one ? c.id : `${c.id} … ${run[run.length - 1]!.id}`,
      });
      i += run.length - 1;
    }
  }
  return rows;
}

/** True when a numbered run's commands are bound to 1, 2, 3 … exactly. */
const ownDigits = (keys: string[][]) => keys.length > 1 && keys.every((k, n) => k.length === 1 && k[0] === String(n + 1));

/**
 * The rows of the `?` overlay: categories in {@link CATEGORIES} order, commands in table order
 * within each. A run of commands numbered 1, 2, 3 … (`focus.1` … `focus.9`) with one scope and
 * the same label and description apart from the number becomes one row, whose label and
 * description say `N`; its keys read `1…9` when each is bound to its own digit, else every
 * command's keys are listed, separated by spaces.
 */
export function helpRows(keymap: Keymap, commands: readonly CommandSpec[]): HelpRow[] {
  return rawRows(keymap, commands).map((r) => ({
    ...r,
    keys: ownDigits(r.keys) ? `1…${r.keys.length}` : r.keys.map(shown).join(' '),
  }));
}

/**
 * The hint bar for a scope stack (focused scope first, e.g. `['ready', 'global']`): every
 * `bar: true` command whose scope is in the stack and one of whose keys actually reaches it
 * (not shadowed by an earlier scope), focused scope's commands first, then table order.
 */
export function hintBar(keymap: Keymap, commands: readonly CommandSpec[], scopes: readonly Scope[]): Hint[] {
  const hints: Hint[] = [];
  for (const scope of scopes) {
    for (const c of commands) {
      if (!c.bar || c.scope !== scope) continue;
      const key = keymap.keysOf(c.id).find((k) => resolveKey(keymap, k, scopes) === c.id);
      if (key !== undefined) hints.push({ keys: displayKey(key), label: c.label });
    }
  }
  return hints;
}

/** A cell of a markdown table: `|` escaped, newlines flattened. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** One key as inline code, safe for keys that are themselves a backtick. */
const code = (key: string) => (key.includes('`') ? `\`\` ${key} \`\`` : `\`${key}\``);

/**
 * The README key reference: a markdown table `| keys | command | scope | what it does |` with
 * the rows of {@link helpRows} (each key as inline code), ending in a newline.
 */
export function keyReferenceMarkdown(keymap: Keymap, commands: readonly CommandSpec[]): string {
  const lines = ['| keys | command | scope | what it does |', '| --- | --- | --- | --- |'];
  for (const r of rawRows(keymap, commands)) {
    const keys = ownDigits(r.keys) ? `${code('1')}…${code(String(r.keys.length))}`
      : r.keys.map((k) => (k.length ? k.map((x) => code(displayKey(x))).join(' / ') : '(none)')).join(' ');
    lines.push(`| ${cell(keys)} | ${cell(r.id.split(' … ').map((id) => `\`${id}\``).join(' … '))} | ${r.scope} | ${cell(r.description)} |`);
  }
  return `${lines.join('\n')}\n`;
}
