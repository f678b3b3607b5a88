/**
 * The shapes of `gt doctor` (Gas Town `gt doctor`: "Run health checks on the workspace"). A check
 * produces one or more {@link Finding}s, each with a stable id (`node.version`, `runtime.claude`,
 * `worktree.orphaned` …), a status, what was found and, for a problem, how to fix it. A problem
 * `--fix` can repair carries a {@link Finding.repair} that the report runs (report.ts).
 * Pure: nothing here touches the disk, git, SQLite or the daemon.
 */

/**
 * How a finding came out.
 *
 * - `ok`: healthy.
 * - `problem`: needs attention (counts towards exit code 1).
 * - `info`: worth knowing, not a problem (the daemon is simply not running: it starts on demand).
 * - `fixed`: was a problem, and `--fix` repaired it.
 */
export type CheckStatus = 'ok' | 'problem' | 'info' | 'fixed';

/** Every {@link CheckStatus}, in the order the summary line counts them. */
export const CHECK_STATUSES: readonly CheckStatus[] = ['ok', 'problem', 'fixed', 'info'];

/**
 * The stable check ids. Several findings may share one id (one per orphaned worktree, one per
 * runtime); `runtime.<name>` is one id per configured runtime.
 */
export type CheckId =
  | 'node.version'
  | 'git.version'
  | `runtime.${string}`
  | 'daemon.alive'
  | 'schema.version'
  | 'worktree.orphaned'
  | 'polecat.no_session'
  | 'lock.stale'
  | 'mr.branch_missing'
  | 'hooks.missing';

/** One result of a check, as printed and as `--json` gives it. */
export interface CheckResult {
  /** Stable id of the check ({@link CheckId}); scripts and tests match on it, never on text. */
  id: CheckId;
  /** How it came out. */
  status: CheckStatus;
  /** What was found, one line (versions, paths, counts; for `fixed`: what `--fix` did). */
  message: string;
  /** For a problem: how to fix it (a command to run, or what `--fix` would do). */
  fix?: string;
  /** Machine-readable facts (paths, pids, versions, branch names); shape depends on the id. */
  details?: Record<string, unknown>;
}

/**
 * A check result plus, for a problem `--fix` may repair, the repair itself. Not serialised: the
 * report strips `repair` before printing.
 */
export interface Finding extends CheckResult {
  /**
   * Repair the problem; resolves to one line saying what was done ("removed … kept its 2 commits
   * on keep/polecat/nux/gt-a"). Throws when it could not (the finding then stays a problem, with
   * the reason appended). Only set on findings with status `problem`.
   */
  repair?: () => Promise<string>;
}

/**
 * The whole `gt doctor` report (the `--json` output).
 *
 * ```json
 * { "ok": false,
 *   "checks": [ { "id": "daemon.alive", "status": "problem", "message": "…", "fix": "…", "details": { "pid": 42 } } ],
 *   "summary": { "ok": 7, "problem": 1, "fixed": 0, "info": 1 } }
 * ```
 */
export interface DoctorReport {
  /** True when no finding is a `problem` (after `--fix`, only what it could not repair counts). */
  ok: boolean;
  /** Every finding, in check order. */
  checks: CheckResult[];
  /** How many findings have each status. */
  summary: Record<CheckStatus, number>;
}
