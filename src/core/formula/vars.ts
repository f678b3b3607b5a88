/**
 * Formula vars: check the values a user gave (`--var k=v`) against the declarations
 * (`[vars.x]`: required, default, pattern, enum, type, min, max; beads §6.1) and substitute
 * `{{name}}` placeholders. Placeholders of undeclared names are left as they are (Gas Town's
 * convoy prompts use Go-template `{{.x}}`, which never matches).
 */
import { GtError, closeMatches } from '../errors.js';
import type { FormulaVar } from './types.js';

/** `{{name}}` (spaces allowed inside the braces). */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** Options of {@link resolveVars}. */
export interface ResolveVarsOptions {
  /** Ignore given names the formula does not declare (default: they are an error). */
  allowUnknown?: boolean;
}

function allowed(v: FormulaVar): string {
  const parts: string[] = [];
  if (v.enum) parts.push(`one of ${v.enum.join(', ')}`);
  if (v.pattern) parts.push(`matching ${v.pattern}`);
  if (v.type === 'int') parts.push(`a whole number${v.min !== undefined ? ` ≥ ${v.min}` : ''}${v.max !== undefined ? ` ≤ ${v.max}` : ''}`);
  if (v.type === 'bool') parts.push('true or false');
  return parts.join(', ') || 'any text';
}

/**
 * Check one value against its declaration.
 *
 * @throws GtError VAR_INVALID saying what is allowed.
 */
export function checkVarValue(v: FormulaVar, value: string, formula: string, fromDefault = false): void {
  const fail = (why: string): never => {
    throw new GtError('VAR_INVALID', `formula "${formula}": var "${v.name}" = "${value}"${fromDefault ? ' (its default)' : ''} ${why}`, {
      fix: fromDefault
        ? `pass --var ${v.name}=<value> (${allowed(v)}), or fix the default in the formula`
        : `pass --var ${v.name}=<value> with a value ${allowed(v)}`,
      details: { formula, var: v.name, value, allowed: allowed(v), ...(v.enum ? { enum: v.enum } : {}), ...(v.pattern ? { pattern: v.pattern } : {}) },
    });
  };
  if (v.enum && !v.enum.includes(value)) fail(`is not one of: ${v.enum.join(', ')}`);
  if (v.pattern && !new RegExp(`^(?:${v.pattern})$`).test(value)) fail(`does not match ${v.pattern}`);
  if (v.type === 'bool' && value !== 'true' && value !== 'false') fail('is not true or false');
  if (v.type === 'int') {
    if (!/^-?[0-9]+$/.test(value)) fail('is not a whole number');
    const n = Number(value);
    if (v.min !== undefined && n < v.min) fail(`is below the minimum ${v.min}`);
    if (v.max !== undefined && n > v.max) fail(`is above the maximum ${v.max}`);
  }
}

/**
 * The value of every declared var: the given one, else the default, else '' (only for a var
 * that is not required).
 *
 * @param declared the formula's vars (after extends and composition).
 * @param given `--var` values by name.
 * @param formula the formula's name, for messages.
 * @returns name → value for every declared var (given names that are not declared are dropped
 *   when `allowUnknown`).
 * @throws GtError VAR_INVALID: a given name the formula does not declare (listing the declared
 *   ones), a required var without a value (naming the var and the formula; all missing ones at
 *   once), or a value (given or default) failing its enum/pattern/type/min/max.
 */
export function resolveVars(declared: readonly FormulaVar[], given: Readonly<Record<string, string>>, formula: string, options: ResolveVarsOptions = {}): Record<string, string> {
  const byName = new Map(declared.map((v) => [v.name, v]));
  if (!options.allowUnknown) {
    const unknown = Object.keys(given).filter((k) => !byName.has(k));
    if (unknown.length) {
      const names = [...byName.keys()];
      const near = closeMatches(unknown[0]!, names);
      throw new GtError('VAR_INVALID', `formula "${formula}" has no var ${unknown.map((u) => `"${u}"`).join(', ')}`, {
        fix: `${near.length ? `did you mean "${near[0]}"? ` : ''}${names.length ? `it declares: ${names.join(', ')}` : 'it declares no vars; drop the --var'}`,
        details: { formula, unknown, declared: names },
      });
    }
  }
  const missing = declared.filter((v) => v.required && given[v.name] === undefined && v.default === undefined);
  if (missing.length) {
    const first = missing[0]!;
    throw new GtError('VAR_INVALID', `formula "${formula}" needs var ${missing.map((v) => `"${v.name}"`).join(', ')}${first.description ? ` (${first.name}: ${first.description})` : ''}`, {
      fix: `pass ${missing.map((v) => `--var ${v.name}=<value>`).join(' ')}`,
      details: { formula, missing: missing.map((v) => v.name) },
    });
  }
  const values: Record<string, string> = {};
  for (const v of declared) {
    const value = given[v.name];
    if (value !== undefined) {
      checkVarValue(v, value, formula);
      values[v.name] = value;
    } else if (v.default !== undefined) {
      checkVarValue(v, v.default, formula, true);
      values[v.name] = v.default;
    } else {
      values[v.name] = '';
    }
  }
  return values;
}

/**
 * Replace `{{name}}` with `values[name]`; placeholders of other names stay as written.
 *
 * @param unknown collects the names of placeholders that had no value (for a warning).
 */
export function substitute(text: string, values: Readonly<Record<string, string>>, unknown?: Set<string>): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (all, name: string) => {
    const v = values[name];
    if (v !== undefined) return v;
    unknown?.add(name);
    return all;
  });
}

/**
 * Merge var declarations: later lists override earlier ones by name (a child's `[vars.x]`
 * replaces its parent's); order is first appearance.
 */
export function mergeVars(...lists: ReadonlyArray<readonly FormulaVar[]>): FormulaVar[] {
  const out = new Map<string, FormulaVar>();
  for (const list of lists) for (const v of list) out.set(v.name, v);
  return [...out.values()];
}
