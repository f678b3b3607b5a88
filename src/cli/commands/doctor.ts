/**
 * `gt doctor [--fix] [--json]`: health checks on the town (Gas Town `gt doctor`). Checks, by id:
 * `node.version`, `git.version`, `runtime.<name>` (each configured runtime on the sessions'
 * PATH, with its version), `daemon.alive`, `schema.version`, `worktree.orphaned`,
 * `polecat.no_session`, `lock.stale`, `mr.branch_missing` and `hooks.missing`.
 *
 * Doctor never starts the daemon or an agent. Without `--fix` it changes nothing (the database
 * is opened read-only). `--fix` repairs what is safe: a dead daemon's files, orphaned worktrees
 * (their work kept on a keep/ branch first), prunable worktree entries, stale locks, missing
 * hooks, an old schema. Exit code 1 while any problem remains, else 0. The `--json` shape is
 * {@link DoctorReport} (core/doctor/types.ts).
 */
import type { Command } from 'commander';
import { applyRepairs, buildReport, formatReport, reportExitCode } from '../../core/doctor/report.js';
import type { CheckId, DoctorReport, Finding } from '../../core/doctor/types.js';
import { isGtError } from '../../core/errors.js';
import { checkDaemon, checkSessions, sessionPath } from '../../daemon/doctor/daemon-checks.js';
import { checkGit, checkNode, checkRuntimes } from '../../store/doctor/environment.js';
import { checkLocks } from '../../store/doctor/locks.js';
import { openTownForDoctor } from '../../store/doctor/open.js';
import { checkHooks, checkMergeRequests, type HookInstaller } from '../../store/doctor/work-checks.js';
import { checkWorktrees } from '../../store/doctor/worktrees.js';
import { resolveTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/**
 * Install hooks through daemon/agent-hooks.ts (`installAgentHooks(kind, worktree)` → the paths
 * written), loaded only when `--fix` needs it.
 */
const installHooks: HookInstaller = async (kind, worktree) => {
  const { installAgentHooks } = await import('../../daemon/agent-hooks.js');
  return installAgentHooks(kind, worktree);
};

/** Run one check; a check that throws becomes a problem finding instead of ending doctor. */
async function guard(id: CheckId, fn: () => Finding[] | Finding | Promise<Finding[] | Finding>): Promise<Finding[]> {
  try {
    const r = await fn();
    return Array.isArray(r) ? r : [r];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return [{
      id, status: 'problem', message: `the check could not run: ${message}`,
      fix: isGtError(e) && e.fix ? e.fix : 'fix the cause above, then run gt doctor again', details: { error: isGtError(e) ? e.code : 'INTERNAL' },
    }];
  }
}

/**
 * Run every check on the town at `root` and, with `fix`, the repairs.
 *
 * @returns the findings in check order (fixed ones with what was done).
 * @throws GtError CONFIG_INVALID when town.json is broken.
 */
export async function runDoctor(root: string, env: NodeJS.ProcessEnv, options: { fix?: boolean } = {}): Promise<Finding[]> {
  const fix = Boolean(options.fix);
  const findings: Finding[] = [checkNode(), ...(await guard('git.version', () => checkGit(root)))];
  const daemon = await checkDaemon(root).catch((e: unknown): Awaited<ReturnType<typeof checkDaemon>> => ({
    findings: [{ id: 'daemon.alive', status: 'problem', message: `the check could not run: ${(e as Error).message}`, fix: 'see gt daemon status' }],
    client: undefined,
  }));
  try {
    const { town, schema } = openTownForDoctor(root, { fix });
    try {
      if (town) {
        const path = sessionPath(root, env);
        findings.push(...(await guard('runtime.default', () => checkRuntimes(town, { path: path.path, pathSource: path.source, env }))));
      }
      findings.push(...daemon.findings.filter((f) => f.id === 'daemon.alive'), schema);
      if (town) {
        findings.push(...(await guard('worktree.orphaned', () => checkWorktrees(town))));
        findings.push(...(await guard('polecat.no_session', () => checkSessions(town, daemon.client))));
        const locks = [...daemon.findings.filter((f) => f.id === 'lock.stale'), ...(await guard('lock.stale', () => checkLocks(town)))];
        // one "no stale locks" line only when neither the daemon's nor the town's check found one
        findings.push(...(locks.some((f) => f.status !== 'ok') ? locks.filter((f) => f.status !== 'ok') : locks));
        findings.push(...(await guard('mr.branch_missing', () => checkMergeRequests(town))));
        findings.push(...(await guard('hooks.missing', () => checkHooks(town, { install: installHooks }))));
      } else {
        findings.push(...daemon.findings.filter((f) => f.id === 'lock.stale'));
      }
      // Repairs run while the town is open: they use its database.
      return fix ? await applyRepairs(findings) : findings;
    } finally {
      town?.close();
    }
  } finally {
    daemon.client?.close();
  }
}

/** Register `gt doctor`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('doctor')
    .description('run health checks on the town: tools, agent runtimes, daemon, schema, worktrees, sessions, locks, merge queue, hooks')
    .option('--fix', 'repair what is safe (dead daemon files, orphaned worktrees after keeping their work, stale locks, missing hooks); never starts agents')
    .option('--json', 'JSON output: {ok, checks: [{id, status, message, fix?, details?}], summary}')
    .action(action(ctx, 'gt', async (o: JsonOption & { fix?: boolean }) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const findings = await runDoctor(root, ctx.env, { fix: Boolean(o.fix) });
      const report: DoctorReport = buildReport(findings);
      if (o.json) printJson(ctx.io, report);
      else printLines(ctx.io, formatReport(findings, { fixed: Boolean(o.fix) }));
      ctx.exitCode = reportExitCode(report);
    }));
}
