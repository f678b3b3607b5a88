/**
 * The one error hierarchy of Gas Town (CONVENTIONS.md "Errors").
 *
 * Every error that reaches a user is a {@link GtError}: a stable machine `code`
 * (`BEAD_NOT_FOUND`), a message that says what was wrong and where, an optional `fix`
 * that says how to put it right, and the process exit code the CLI uses
 * (1 = error, 2 = usage). The CLI prints `error: <message> — <fix>`; `--json` prints the
 * code and message.
 */

/** Stable error codes. Tests, scripts and the JSON output match on these, never on text. */
export type GtErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'BEAD_NOT_FOUND'
  | 'AMBIGUOUS_ID'
  | 'INVALID_VALUE'
  | 'INVALID_PRIORITY'
  | 'INVALID_STATUS'
  | 'INVALID_ID'
  | 'DEPENDENCY_CYCLE'
  | 'DEPENDENCY_CONFLICT'
  | 'CLOSE_GUARD'
  | 'ALREADY_CLAIMED'
  | 'JSONL_PARSE'
  | 'CONFIG_INVALID'
  | 'CONFIG_KEY'
  | 'TOWN_NOT_FOUND'
  | 'TOWN_NESTED'
  | 'RIG_EXISTS'
  | 'RIG_NOT_FOUND'
  | 'RIG_INVALID'
  | 'CREW_EXISTS'
  | 'GIT_FAILED'
  | 'SYNC_FAILED'
  | 'BUSY'
  | 'DAEMON_DOWN'
  | 'DAEMON_RUNNING'
  | 'AGENT_NOT_FOUND'
  | 'SESSION_NOT_FOUND'
  | 'STALE_GENERATION'
  | 'NOT_A_POLECAT'
  | 'NUDGE_FAILED'
  | 'FORMULA_INVALID'
  | 'FORMULA_NOT_FOUND'
  | 'VAR_INVALID'
  | 'INTERNAL';

/** Options for {@link GtError}. */
export interface GtErrorOptions {
  /** How to fix it, one short imperative sentence ("run `gt install` first"). */
  fix?: string;
  /** Process exit code for the CLI: 1 for an error (default), 2 for a usage error. */
  exitCode?: 1 | 2;
  /** Structured details for `--json` output and tests (candidates, cycle path, file/line). */
  details?: Record<string, unknown>;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error a user can act on.
 *
 * @example
 * throw new GtError('BEAD_NOT_FOUND', 'no bead "hq-zz9"', { fix: 'did you mean hq-zz8?' });
 */
export class GtError extends Error {
  /** Stable machine-readable code. */
  readonly code: GtErrorCode;
  /** How to fix it, or undefined when the message says it all. */
  readonly fix: string | undefined;
  /** CLI exit code: 1 error, 2 usage. */
  readonly exitCode: 1 | 2;
  /** Structured details (never needed to understand the message). */
  readonly details: Record<string, unknown>;

  constructor(code: GtErrorCode, message: string, options: GtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GtError';
    this.code = code;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? (code === 'USAGE' ? 2 : 1);
    this.details = options.details ?? {};
  }

  /** The one-line form the CLI prints: `<message> — <fix>` (without the `error: ` prefix). */
  toLine(): string {
    return this.fix ? `${this.message} — ${this.fix}` : this.message;
  }
}

/** True when `e` is a {@link GtError} (works across module copies, unlike instanceof). */
export function isGtError(e: unknown): e is GtError {
  return e instanceof GtError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'GtError');
}

/**
 * Close matches for a mistyped name: candidates sorted by edit distance, at most `limit`,
 * only those within a third of the input's length (min 2 edits) or sharing it as a substring.
 *
 * @param input what the user typed.
 * @param candidates the known names.
 * @param limit how many to return (default 3).
 */
export function closeMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(input.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    const d = editDistance(input, c);
    if (d <= max || c.includes(input) || input.includes(c)) scored.push([c, d]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, limit).map(([c]) => c);
}

/** Levenshtein distance between two strings (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
