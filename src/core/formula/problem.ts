/**
 * Formula errors: every one names the file, the line when known and the key, and says how to
 * fix it (CONVENTIONS.md "Errors").
 */
import { GtError } from '../errors.js';

/** Where a problem is: file, 1-based line (when known) and the key (`steps[2].priority`). */
export interface ProblemAt {
  /** The formula file (as given to the parser). */
  file: string;
  /** 1-based line, when known. */
  line?: number | undefined;
  /** The key as people write it (`steps[2].priority`). */
  key?: string | undefined;
}

/** `file:line` (or just `file`). */
export function place(at: ProblemAt): string {
  return at.line === undefined ? at.file : `${at.file}:${at.line}`;
}

/**
 * A FORMULA_INVALID error: `<file>:<line>: <key>: <what>` with `fix`, and `details`
 * `{ file, line, key, … }` for `--json` and tests.
 */
export function formulaError(at: ProblemAt, what: string, fix: string, details: Record<string, unknown> = {}): GtError {
  const key = at.key ? `${at.key}: ` : '';
  return new GtError('FORMULA_INVALID', `${place(at)}: ${key}${what}`, {
    fix,
    details: { file: at.file, ...(at.line === undefined ? {} : { line: at.line }), ...(at.key ? { key: at.key } : {}), ...details },
  });
}

/** A path like `['steps', 2, 'priority']` as people write it: `steps[2].priority`. */
export function displayPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}
