// Shared set-up of the doctor tests: a real town (fake agent as default runtime) built with the
// CLI, `gt doctor` run as the real built bin, and snapshots of what --fix must leave alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, DoctorReport } from '../../src/core/doctor/types.js';
import { fakeTown } from '../e2e/helpers.js';
import { GIT_ENV, GT_BIN, runBin, type CliRun } from '../cli/helpers.js';

export { GT_BIN, runBin };

/** A town for doctor tests: `root`, its env (GT_TOWN) and the source repo of rig `app`. */
export async function doctorTown(dir: string): Promise<{ root: string; env: Record<string, string>; repo: string }> {
  return fakeTown(dir);
}

/** Run `gt doctor <args>` with the built bin. */
export function doctor(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return runBin(GT_BIN, ['doctor', ...args], { env });
}

/** Run `gt doctor --json [args]` and parse the report (asserting stdout is JSON). */
export async function doctorJson(env: Record<string, string>, ...args: string[]): Promise<{ code: number; report: DoctorReport }> {
  const r = await doctor(env, '--json', ...args);
  try {
    return { code: r.code, report: JSON.parse(r.out) as DoctorReport };
  } catch {
    throw new Error(`gt doctor --json printed no JSON (exit ${r.code}): ${r.out}\n${r.err}`);
  }
}

/** The findings of a report with this id. */
export function byId(report: DoctorReport, id: string): CheckResult[] {
  return report.checks.filter((c) => c.id === id);
}

/** Run git in `cwd` and return trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Every local branch of a repo with its sha: `refs/heads/x <sha>` lines, sorted. */
export function refs(repo: string): string[] {
  return git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads').split('\n').filter(Boolean).sort();
}

/** A folder holding only `node` and `git` (symlinks), for a PATH that lacks every agent CLI. */
export function minimalPath(dir: string): string {
  const bin = join(dir, 'min-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
  return bin;
}
