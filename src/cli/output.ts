/**
 * CLI output: plain text for people, `--json` for programs, and the one error format
 * (CONVENTIONS.md "Errors"): `error: <what> — <how to fix>` on stderr, exit 1 (2 for usage).
 *
 * `gt bd …` / `bd …` print errors in beads' JSON shape (beads.md §4.1:
 * `{"error":"…","code":"not_found","schema_version":1}`) so beads-trained agents parse them;
 * other `gt` commands print `{"error":{"code","message","fix"}}`.
 */
import { GtError, isGtError } from '../core/errors.js';

/** Where output goes; tests pass their own writers. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The process's stdout/stderr. */
export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Print a value as JSON (2-space indent, trailing newline), as `bd --json` does. */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Print lines of plain text. */
export function printLines(io: Io, lines: string[]): void {
  if (lines.length) io.out(`${lines.join('\n')}\n`);
}

/** Beads' error codes for JSON errors (beads.md §4.1), from our stable codes. */
function beadsCode(code: string): string {
  switch (code) {
    case 'BEAD_NOT_FOUND':
    case 'NOT_FOUND':
    case 'RIG_NOT_FOUND':
    case 'TOWN_NOT_FOUND':
      return 'not_found';
    case 'AMBIGUOUS_ID':
      return 'ambiguous';
    case 'USAGE':
      return 'usage';
    default:
      return code.toLowerCase();
  }
}

/**
 * Report an error and return the exit code to use.
 *
 * @param style `beads` for `bd` commands (beads' JSON error shape), `gt` for the rest.
 */
export function reportError(io: Io, e: unknown, json: boolean, style: 'beads' | 'gt'): number {
  const err: GtError = isGtError(e)
    ? e
    : new GtError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
  if (json) {
    const payload = style === 'beads'
      ? { error: err.toLine(), code: beadsCode(err.code), schema_version: 1, ...pickDetails(err) }
      : { error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}), ...pickDetails(err) } };
    io.err(`${JSON.stringify(payload)}\n`);
  } else {
    io.err(`error: ${err.toLine()}\n`);
    if (err.code === 'INTERNAL' && process.env.GT_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  }
  return err.exitCode;
}

function pickDetails(err: GtError): Record<string, unknown> {
  return Object.keys(err.details).length ? { details: err.details } : {};
}
