/**
 * Turning `gt doctor` findings into a report: running the repairs of `--fix`, counting, the exit
 * code and the plain-text lines (`✓` ok · `✗` problem · `·` info · `✓ … fixed:`), each problem
 * followed by its `fix:` line and a summary line at the end. Pure apart from calling the
 * repairs the checks attached.
 */
import { inert } from '../text.js';
import { CHECK_STATUSES, type CheckResult, type CheckStatus, type DoctorReport, type Finding } from './types.js';

/**
 * Run the repair of every problem that has one, one after another (repairs touch the same git
 * repositories; git is not safe for concurrent worktree changes). A repair that resolves turns
 * its finding into `fixed` with the repair's line as message; one that throws leaves it a
 * problem with `(--fix failed: <reason>)` appended.
 *
 * @returns new findings in the same order (the input is not changed).
 */
export async function applyRepairs(findings: readonly Finding[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.status !== 'problem' || !f.repair) {
      out.push(f);
      continue;
    }
    try {
      const did = await f.repair();
      out.push({ id: f.id, status: 'fixed', message: did, ...(f.details ? { details: f.details } : {}) });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      out.push({ ...stripRepair(f), message: `${f.message} (--fix failed: ${why})` });
    }
  }
  return out;
}

function stripRepair(f: Finding): CheckResult {
  const { repair: _repair, ...rest } = f;
  return rest;
}

/** The report of a list of findings: `ok` when none is a problem, counts per status. */
export function buildReport(findings: readonly Finding[]): DoctorReport {
  const summary = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
  for (const f of findings) summary[f.status]++;
  return { ok: summary.problem === 0, checks: findings.map(stripRepair), summary };
}

/** The process exit code of a report: 1 when a problem remains, else 0. */
export function reportExitCode(report: DoctorReport): 0 | 1 {
  return report.ok ? 0 : 1;
}

const GLYPH: Record<CheckStatus, string> = { ok: '✓', problem: '✗', info: '·', fixed: '✓' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The plain-text lines of a report: one per finding (`<glyph> <id> <message>`, ids padded to one
 * column), an indented `fix:` line under each problem, then the summary line.
 *
 * @param findings the findings (with repairs, so the summary can say how many `--fix` could do).
 * @param options.fixed true when `--fix` ran (the summary then speaks of what remains).
 */
export function formatReport(findings: readonly Finding[], options: { fixed?: boolean } = {}): string[] {
  const width = Math.min(22, Math.max(0, ...findings.map((f) => f.id.length)));
  const lines: string[] = [];
  for (const f of findings) {
    const text = f.status === 'fixed' ? `fixed: ${f.message}` : f.message;
    lines.push(`${GLYPH[f.status]} ${f.id.padEnd(width)} ${inert(text, { oneLine: true })}`);
    if (f.status === 'problem' && f.fix) lines.push(`  ${' '.repeat(width)} fix: ${inert(f.fix, { oneLine: true })}`);
  }
  lines.push(summaryLine(findings, options.fixed ?? false));
  return lines;
}

function summaryLine(findings: readonly Finding[], fixed: boolean): string {
  const r = buildReport(findings);
  const counts = CHECK_STATUSES.filter((s) => s !== 'fixed' || r.summary.fixed > 0)
    .map((s) => (s === 'problem' ? plural(r.summary.problem, 'problem') : `${r.summary[s]} ${s}`))
    .join(', ');
  if (r.ok) return `${r.summary.fixed ? 'Healthy after --fix' : 'Healthy'}: ${counts}.`;
  const repairable = findings.filter((f) => f.status === 'problem' && f.repair).length;
  const hint = fixed
    ? `${plural(r.summary.problem, 'problem')} left that --fix could not repair; see the fix: lines`
    : repairable
      ? `run \`gt doctor --fix\` to repair ${repairable === r.summary.problem ? (repairable === 1 ? 'it' : 'all of them') : `${repairable} of them`}`
      : 'see the fix: lines';
  return `Problems found: ${counts} — ${hint}.`;
}
