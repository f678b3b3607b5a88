/**
 * Finding, reading and listing formula files (`<name>.formula.toml`) along a search path
 * ({@link formulaDirs}), and cooking one by name with its `extends`/`compose` references found
 * along the same path.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { GtError, closeMatches } from '../../core/errors.js';
import type { FormulaResolver } from '../../core/formula/compose.js';
import { cookFormula, type CookOptions } from '../../core/formula/cook.js';
import { formulaNameOfFile, parseFormula } from '../../core/formula/parse.js';
import type { FormulaOrigin, ParsedFormula } from '../../core/formula/parsed.js';
import type { CookedFormula, FormulaType } from '../../core/formula/types.js';
import { substitute } from '../../core/formula/vars.js';
import type { FormulaDir } from './dirs.js';

/** File name suffix of a formula. */
export const FORMULA_SUFFIX = '.formula.toml';

/** A formula file found on the search path. */
export interface FormulaRef {
  /** Formula name as looked up (file name without `.formula.toml`). */
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** Which directory it came from, or `file` for a path the user gave. */
  origin: FormulaOrigin;
}

/** Options of {@link resolveFormula} and {@link loadFormula}. */
export interface ResolveFormulaOptions {
  /** Relative paths are resolved against this (default `process.cwd()`). */
  cwd?: string;
  /** Search only the directories after the one holding this file (a formula extending its own name). */
  below?: string;
}

/** True when `ref` is written as a path (has a slash or ends in `.toml`), not a name. */
export function isFormulaPath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || ref.endsWith('.toml');
}

function inDir(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return Boolean(rel) && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Names of the formulas in one directory (missing directory = none). */
function namesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(FORMULA_SUFFIX)).map((f) => f.slice(0, -FORMULA_SUFFIX.length)).sort();
}

/**
 * Find a formula: a path (to any file), or a name looked up as `<dir>/<name>.formula.toml`
 * in each directory in order.
 *
 * @throws GtError FORMULA_NOT_FOUND naming what was searched, with close matches.
 */
export function resolveFormula(ref: string, dirs: readonly FormulaDir[], options: ResolveFormulaOptions = {}): FormulaRef {
  if (isFormulaPath(ref)) {
    const file = resolve(options.cwd ?? process.cwd(), ref);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new GtError('FORMULA_NOT_FOUND', `no formula file ${file}`, { fix: 'check the path, or give a formula name (see `gt formula list`)', details: { file } });
    }
    return { name: formulaNameOfFile(file), file, origin: 'file' };
  }
  let search = [...dirs];
  if (options.below) {
    const at = search.findIndex((d) => inDir(options.below!, d.dir));
    if (at !== -1) search = search.slice(at + 1);
  }
  for (const d of search) {
    const file = join(d.dir, `${ref}${FORMULA_SUFFIX}`);
    if (existsSync(file)) return { name: ref, file, origin: d.origin };
  }
  const names = [...new Set(search.flatMap((d) => namesIn(d.dir)))];
  const near = closeMatches(ref, names);
  throw new GtError('FORMULA_NOT_FOUND', `no formula "${ref}" (looked in ${search.map((d) => d.dir).join(', ') || 'no directories'})`, {
    fix: near.length
      ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
      : `see \`gt formula list\`, or put ${ref}${FORMULA_SUFFIX} in ${search[0]?.dir ?? 'a formulas directory'}`,
    details: { name: ref, candidates: near, dirs: search.map((d) => d.dir) },
  });
}

/**
 * Read and parse one formula file.
 *
 * @throws GtError FORMULA_NOT_FOUND when it cannot be read; FORMULA_INVALID from the parser.
 */
export function readFormulaFile(file: string, origin: FormulaOrigin = 'file'): ParsedFormula {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GtError('FORMULA_NOT_FOUND', `cannot read formula file ${file}: ${(e as Error).message}`, { fix: 'check the path and its permissions', cause: e, details: { file } });
  }
  return parseFormula(text, { file, origin });
}

/**
 * Find (see {@link resolveFormula}) and parse a formula.
 *
 * @throws GtError FORMULA_NOT_FOUND, FORMULA_INVALID.
 */
export function loadFormula(ref: string, dirs: readonly FormulaDir[], options: ResolveFormulaOptions = {}): ParsedFormula {
  const found = resolveFormula(ref, dirs, options);
  return readFormulaFile(found.file, found.origin);
}

/**
 * A resolver for cookFormula over `dirs`, caching parsed files. A name equal to the naming
 * formula's own name is looked up below that formula's directory (so `<town>/formulas/shiny`
 * may extend the shipped `shiny`); a path is relative to the naming formula's file.
 */
export function formulaResolver(dirs: readonly FormulaDir[]): FormulaResolver {
  const cache = new Map<string, ParsedFormula>();
  return (name, from) => {
    const fromFile = from.source.file;
    const found = resolveFormula(name, dirs, {
      cwd: dirname(fromFile),
      ...(name === from.name && !isFormulaPath(name) ? { below: fromFile } : {}),
    });
    let f = cache.get(found.file);
    if (!f) {
      f = readFormulaFile(found.file, found.origin);
      cache.set(found.file, f);
    }
    return f;
  };
}

/** Options of {@link loadAndCookFormula}. */
export interface LoadAndCookOptions extends Omit<CookOptions, 'resolve'> {
  /** The search path (formulaDirs / townFormulaDirs). */
  dirs: readonly FormulaDir[];
  /** Relative paths are resolved against this (default `process.cwd()`). */
  cwd?: string;
}

/**
 * Find, parse and cook a formula by name or path; `extends` and `compose` names are found on
 * the same search path.
 *
 * @throws GtError FORMULA_NOT_FOUND, FORMULA_INVALID, VAR_INVALID (see cookFormula).
 */
export function loadAndCookFormula(ref: string, vars: Readonly<Record<string, string>>, options: LoadAndCookOptions): CookedFormula {
  const parsed = loadFormula(ref, options.dirs, options.cwd ? { cwd: options.cwd } : {});
  return cookFormula(parsed, vars, { resolve: formulaResolver(options.dirs), ...(options.allowUnknownVars ? { allowUnknownVars: true } : {}) });
}

/** One formula of {@link listFormulas}. */
export interface FormulaListing {
  /** Formula name (file name without `.formula.toml`). */
  name: string;
  /** The file that wins (highest-precedence directory). */
  file: string;
  /** Which directory that file is in. */
  origin: FormulaOrigin;
  /** Its type; undefined when the file does not parse. */
  type?: FormulaType;
  /** First line of its description, var defaults filled in ('' when none or when it does not parse). */
  description: string;
  /** Files of the same name it hides, lower in the search path. */
  shadows: Array<{ file: string; origin: FormulaOrigin }>;
  /** Why the file does not parse (`GtError.toLine()`), when it does not. */
  error?: string;
}

/**
 * Every formula on the search path, by name; each name once, from the first directory that
 * has it. A file that does not parse is listed with `error` instead of failing the list.
 */
export function listFormulas(dirs: readonly FormulaDir[]): FormulaListing[] {
  const out = new Map<string, FormulaListing>();
  for (const d of dirs) {
    for (const name of namesIn(d.dir)) {
      const file = join(d.dir, `${name}${FORMULA_SUFFIX}`);
      const seen = out.get(name);
      if (seen) {
        seen.shadows.push({ file, origin: d.origin });
        continue;
      }
      const entry: FormulaListing = { name, file, origin: d.origin, description: '', shadows: [] };
      try {
        const f = readFormulaFile(file, d.origin);
        entry.type = f.type;
        const defaults = Object.fromEntries(f.vars.flatMap((v) => (v.default === undefined ? [] : [[v.name, v.default]])));
        entry.description = substitute(f.description.trim().split('\n')[0]?.trim() ?? '', defaults);
      } catch (e) {
        entry.error = e instanceof GtError ? e.toLine() : String(e);
      }
      out.set(name, entry);
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
