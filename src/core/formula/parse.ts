/**
 * Read a formula file's text into a {@link ParsedFormula}: TOML (smol-toml), then the zod
 * schema (schema.ts), then our shapes. No file I/O here; store/formula reads the files.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { GtError, editDistance } from '../errors.js';
import type { FormulaType, FormulaVar } from './types.js';
import type {
  ExpandRule, FormulaOrigin, ParsedAdvice, ParsedFormula, ParsedLeg, ParsedStep,
} from './parsed.js';
import { displayPath, formulaError } from './problem.js';
import { FormulaFileSchema, KNOWN_KEYS, fixForKey, type StepFile } from './schema.js';
import { indexTomlLines, lineOf, type LineIndex } from './toml-lines.js';

/** Options of {@link parseFormula}. */
export interface ParseFormulaOptions {
  /** The file the text came from (named in every error and warning). */
  file: string;
  /** Which search directory it came from (default `file`: a path the user gave). */
  origin?: FormulaOrigin;
}

/** Var names usable as `{{name}}`. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `x.formula.toml` → `x` (the name of a formula without a `formula` key). */
export function formulaNameOfFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.formula\.toml$/, '').replace(/\.toml$/, '');
}

/**
 * Parse a formula file's text.
 *
 * @returns the formula; keys we do not use are kept in `raw` and listed in `warnings`.
 * @throws GtError FORMULA_INVALID naming the file, the line and the key: a TOML syntax error
 *   (line and column from smol-toml), a value of the wrong shape, a var name that cannot be a
 *   placeholder, or a `pattern` that is not a valid regular expression.
 */
export function parseFormula(text: string, options: ParseFormulaOptions): ParsedFormula {
  const { file } = options;
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const what = e.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? 'syntax error';
      throw new GtError('FORMULA_INVALID', `${file}:${e.line}:${e.column}: TOML syntax error: ${what}`, {
        fix: 'fix the TOML at that line (strings in quotes, one key per line, [[steps]] headers on their own line)',
        details: { file, line: e.line, column: e.column, codeblock: e.codeblock },
        cause: e,
      });
    }
    throw e;
  }
  const lines = indexTomlLines(text);
  const checked = FormulaFileSchema.safeParse(raw);
  if (!checked.success) {
    const issue = deepest(checked.error.issues[0]!);
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const key = [...path].reverse().find((p): p is string => typeof p === 'string');
    const stepId = stepIdAt(raw, path);
    const more = checked.error.issues.length > 1 ? ` (and ${checked.error.issues.length - 1} more problem(s))` : '';
    throw formulaError(
      { file, line: lineOf(lines, path), key: displayPath(path) },
      `${issue.message}${stepId ? ` (in the block with id = "${stepId}")` : ''}${more}`,
      fixForKey(key, whereOf(path)),
      { issues: checked.error.issues.map((i) => ({ key: displayPath(i.path), message: i.message, line: lineOf(lines, i.path.map(String)) })) },
    );
  }
  const f = checked.data;
  const warnings: string[] = [];
  const step = (s: StepFile, path: Array<string | number>): ParsedStep => toStep(s, file, lineOf(lines, [...path, 'id']));

  const steps = (f.steps ?? []).map((s, i) => step(s, ['steps', i]));
  const template = (f.template ?? []).map((s, i) => step(s, ['template', i]));
  const advice: ParsedAdvice[] = (f.advice ?? []).map((a, i) => ({
    ...(a.target === undefined ? {} : { target: a.target }),
    before: [...(a.before ?? []).map((s, j) => step(s, ['advice', i, 'before', j])), ...(a.around?.before ?? []).map((s, j) => step(s, ['advice', i, 'around', 'before', j]))],
    after: [...(a.around?.after ?? []).map((s, j) => step(s, ['advice', i, 'around', 'after', j])), ...(a.after ?? []).map((s, j) => step(s, ['advice', i, 'after', j]))],
    file,
    ...withLine(lineOf(lines, ['advice', i])),
  }));
  const legs: ParsedLeg[] = (f.legs ?? []).map((l, i) => ({
    id: l.id,
    ...(l.title === undefined ? {} : { title: l.title }),
    ...(l.focus === undefined ? {} : { focus: l.focus }),
    ...(l.description === undefined ? {} : { description: l.description }),
    ...(l.agent === undefined ? {} : { agent: l.agent }),
    file,
    ...withLine(lineOf(lines, ['legs', i, 'id'])),
  }));
  const expand: ExpandRule[] = (f.compose?.expand ?? []).map((r, i) => ({
    target: r.target, with: r.with, vars: r.vars ?? {}, file, ...withLine(lineOf(lines, ['compose', 'expand', i, 'target'])),
  }));

  let type: FormulaType;
  if (f.type === 'parallel') {
    type = 'workflow';
    warnings.push(`${file}:${lineOf(lines, ['type']) ?? 1}: type = "parallel" is read as "workflow" (steps without needs already run in parallel)`);
  } else {
    type = f.type
      ?? (legs.length ? 'convoy' : template.length ? 'expansion' : advice.length ? 'aspect' : 'workflow');
  }
  const parsed: ParsedFormula = {
    name: f.formula ?? formulaNameOfFile(file),
    type,
    description: f.description ?? '',
    version: f.version ?? 1,
    source: { file, origin: options.origin ?? 'file' },
    extends: f.extends ?? [],
    vars: toVars(f.vars ?? {}, file, lines),
    steps,
    template,
    compose: { aspects: f.compose?.aspects ?? [], expand },
    advice,
    pointcuts: (f.pointcuts ?? []).map((p) => ({
      ...(p.glob === undefined ? {} : { glob: p.glob }),
      ...(p.type === undefined ? {} : { type: p.type }),
      ...(p.label === undefined ? {} : { label: p.label }),
    })),
    legs,
    ...(f.synthesis ? {
      synthesis: {
        ...(f.synthesis.title === undefined ? {} : { title: f.synthesis.title }),
        ...(f.synthesis.description === undefined ? {} : { description: f.synthesis.description }),
        ...(f.synthesis.depends_on === undefined ? {} : { dependsOn: f.synthesis.depends_on }),
        ...withLine(lineOf(lines, ['synthesis'])),
      },
    } : {}),
    ...(f.agent === undefined ? {} : { agent: f.agent }),
    ...(f.generator === undefined ? {} : { generator: f.generator }),
    warnings: [...warnings, ...unusedKeyWarnings(raw, file, lines)],
    raw,
  };
  return parsed;
}

/** A zod issue; for a union, the issue of the branch that got furthest into the value. */
interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

/**
 * For a union whose value matched one branch's shape (a `[vars.x]` table, a list of steps), the
 * real problem is inside that branch: report it with the full path.
 */
function deepest(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    for (const i of branch) if (i.path.length && (!best || i.path.length > best.path.length)) best = i;
  }
  return best ? deepest({ ...best, path: [...issue.path, ...best.path] }) : issue;
}

function withLine(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

/** The id of the step block a schema error is in, when the path goes through one. */
function stepIdAt(raw: Record<string, unknown>, path: ReadonlyArray<PropertyKey>): string | undefined {
  let cur: unknown = raw;
  let id: string | undefined;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') break;
    cur = (cur as Record<PropertyKey, unknown>)[p];
    if (cur && typeof cur === 'object' && typeof (cur as { id?: unknown }).id === 'string') id = (cur as { id: string }).id;
  }
  return id;
}

/** `['steps', 2, 'priority']` → `steps.*` (the KNOWN_KEYS table the key belongs to). */
function whereOf(path: ReadonlyArray<PropertyKey>): string {
  return path.slice(0, -1).map((p) => (typeof p === 'number' ? '*' : String(p))).join('.');
}

function toStep(s: StepFile, file: string, line: number | undefined): ParsedStep {
  const needs = [...(s.needs ?? []), ...(s.depends_on ?? [])];
  return {
    id: s.id,
    ...(s.title === undefined ? {} : { title: s.title }),
    ...(s.description === undefined ? {} : { description: s.description }),
    needs: [...new Set(needs)],
    ...(s.type === undefined ? {} : { type: s.type }),
    ...(s.priority === undefined ? {} : { priority: s.priority }),
    ...(s.acceptance === undefined ? {} : { acceptance: s.acceptance }),
    ...(s.labels === undefined ? {} : { labels: s.labels }),
    ...(s.run === undefined ? {} : { run: s.run }),
    file,
    ...withLine(line),
  };
}

const VAR_TYPES: Record<string, FormulaVar['type']> = {
  string: 'string', int: 'int', integer: 'int', number: 'int', bool: 'bool', boolean: 'bool',
};

function toVars(vars: Record<string, unknown>, file: string, lines: LineIndex): FormulaVar[] {
  const out: FormulaVar[] = [];
  for (const [name, v] of Object.entries(vars)) {
    const at = { file, line: lineOf(lines, ['vars', name]), key: `vars.${name}` };
    if (!VAR_NAME.test(name)) {
      throw formulaError(at, `"${name}" cannot be used as {{${name}}}`, 'name vars with letters, digits, "_" and "-", starting with a letter or "_"');
    }
    if (typeof v !== 'object' || v === null) {
      out.push({ name, description: '', required: false, default: String(v) });
      continue;
    }
    const t = v as { description?: string; required?: boolean; default?: string; pattern?: string; enum?: string[]; type?: string; min?: number; max?: number };
    if (t.pattern !== undefined) {
      try {
        new RegExp(t.pattern);
      } catch (e) {
        throw formulaError({ ...at, line: lineOf(lines, ['vars', name, 'pattern']), key: `vars.${name}.pattern` },
          `not a valid regular expression: ${(e as Error).message}`, 'write a JavaScript regular expression, e.g. pattern = "^[0-9]+$"');
      }
    }
    const type = t.type === undefined ? (t.min !== undefined || t.max !== undefined ? 'int' : undefined) : VAR_TYPES[t.type];
    out.push({
      name,
      description: t.description ?? '',
      required: t.required ?? false,
      ...(t.default === undefined ? {} : { default: t.default }),
      ...(t.pattern === undefined ? {} : { pattern: t.pattern }),
      ...(t.enum === undefined ? {} : { enum: t.enum }),
      ...(type === undefined ? {} : { type }),
      ...(t.min === undefined ? {} : { min: t.min }),
      ...(t.max === undefined ? {} : { max: t.max }),
    });
  }
  return out;
}

/**
 * One warning per key we keep but do not use, by where it is (`steps[].gate` once, with how
 * many blocks carry it), naming the first line. A key one edit away from a known one gets a
 * "did you mean".
 */
function unusedKeyWarnings(raw: Record<string, unknown>, file: string, lines: LineIndex): string[] {
  const found = new Map<string, { line: number | undefined; count: number; suggestion?: string }>();
  const visit = (value: unknown, path: Array<string | number>, where: string): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((el, i) => visit(el, [...path, i], where ? `${where}.*` : '*'));
      return;
    }
    const known = KNOWN_KEYS[where];
    if (!known) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = where ? `${where}.${k}` : k;
      if (!known.includes(k)) {
        const label = displayPath([...path, k]).replace(/\[\d+\]/g, '[]');
        const seen = found.get(label);
        if (seen) seen.count++;
        else {
          const near = known.find((n) => editDistance(n, k) === 1);
          found.set(label, { line: lineOf(lines, [...path, k]), count: 1, ...(near ? { suggestion: near } : {}) });
        }
        continue;
      }
      if (where === '' && k === 'vars' && v && typeof v === 'object') {
        for (const [name, vv] of Object.entries(v as Record<string, unknown>)) visit(vv, [...path, k, name], 'vars.*');
        continue;
      }
      visit(v, [...path, k], child);
    }
  };
  visit(raw, [], '');
  return [...found].map(([label, f]) =>
    `${file}:${f.line ?? 1}: ${label} is not used by gt (kept as is)${f.count > 1 ? ` — in ${f.count} blocks` : ''}${f.suggestion ? `; did you mean "${f.suggestion}"?` : ''}`);
}
