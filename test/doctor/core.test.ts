// The pure half of gt doctor: version rules, install hints, hook-file contents, repairs and the
// text and JSON report.
import { describe, expect, it } from 'vitest';
import { hookFileProblem, installHint, parseVersion, versionAtLeast } from '../../src/core/doctor/requirements.js';
import { applyRepairs, buildReport, formatReport, reportExitCode } from '../../src/core/doctor/report.js';
import type { Finding } from '../../src/core/doctor/types.js';

describe('doctor requirements', () => {
  it.each([
    ['v20.19.0', '20.19.0', true],
    ['v20.18.3', '20.19.0', false],
    ['v22.1.0', '20.19.0', true],
    ['git version 2.39.5', '2.31.0', true],
    ['git version 2.30.9', '2.31.0', false],
    ['git version 2.31', '2.31.0', true],
    ['git version 2.31.0.windows.1', '2.31.0', true],
    ['no version here', '2.31.0', false],
  ])('%s >= %s is %s', (found, min, ok) => {
    expect(versionAtLeast(found, min)).toBe(ok);
  });

  it('parses the first version in a text', () => {
    expect(parseVersion('codex-cli 0.30.1')).toEqual([0, 30, 1]);
    expect(parseVersion('1.2')).toEqual([1, 2, 0]);
    expect(parseVersion('none')).toBeUndefined();
  });

  it.each([
    ['claude', 'install it: npm install -g @anthropic-ai/claude-code'],
    ['/opt/bin/codex', 'install it: npm install -g @openai/codex'],
    ['gemini', 'install it: npm install -g @google/gemini-cli'],
    ['aider', "install `aider` on the PATH the daemon's sessions get"],
    ['./bin/mine', 'make ./bin/mine exist and be executable'],
  ])('install hint for %s', (command, hint) => {
    expect(installHint(command)).toBe(hint);
  });

  it.each([
    ['{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"gt agents hook claude Stop"}]}]}}', undefined],
    ['{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"echo hi"}]}]}}', 'has no "gt agents hook …" command'],
    ['{}', 'has no "gt agents hook …" command'],
    ['{ not json', expect.stringMatching(/^is not valid JSON/)],
  ])('hook file %s', (text, problem) => {
    expect(hookFileProblem(text)).toEqual(problem);
  });
});

describe('doctor report', () => {
  const findings = (): Finding[] => [
    { id: 'node.version', status: 'ok', message: 'node v22.0.0' },
    { id: 'daemon.alive', status: 'info', message: 'not running' },
    { id: 'lock.stale', status: 'problem', message: 'old lock', fix: 'remove it', repair: async () => 'removed old lock' },
    { id: 'worktree.orphaned', status: 'problem', message: 'orphan', fix: 'fix it', repair: async () => { throw new Error('disk full'); } },
    { id: 'mr.branch_missing', status: 'problem', message: 'gone\x1b[31m', fix: 'gt mq reject x' },
  ];

  it('prints one line per finding, a fix: line under each problem, and a summary', () => {
    expect(formatReport(findings())).toEqual([
      '✓ node.version      node v22.0.0',
      '· daemon.alive      not running',
      '✗ lock.stale        old lock',
      '                    fix: remove it',
      '✗ worktree.orphaned orphan',
      '                    fix: fix it',
      '✗ mr.branch_missing gone^[[31m',
      '                    fix: gt mq reject x',
      'Problems found: 1 ok, 3 problems, 1 info — run `gt doctor --fix` to repair 2 of them.',
    ]);
  });

  it('--fix turns repaired problems into fixed and keeps the failed ones as problems with the reason', async () => {
    const after = await applyRepairs(findings());
    expect(after.map((f) => f.status)).toEqual(['ok', 'info', 'fixed', 'problem', 'problem']);
    expect(after[2]).toEqual({ id: 'lock.stale', status: 'fixed', message: 'removed old lock' });
    expect(after[3]?.message).toBe('orphan (--fix failed: disk full)');
    const report = buildReport(after);
    expect(report).toMatchObject({ ok: false, summary: { ok: 1, problem: 2, fixed: 1, info: 1 } });
    expect(report.checks.every((c) => !('repair' in c))).toBe(true);
    expect(reportExitCode(report)).toBe(1);
    expect(formatReport(after, { fixed: true }).at(-1)).toBe('Problems found: 1 ok, 2 problems, 1 fixed, 1 info — 2 problems left that --fix could not repair; see the fix: lines.');
  });

  it('a report without problems is ok and exits 0', async () => {
    const after = await applyRepairs(findings().slice(0, 3));
    const report = buildReport(after);
    expect(report.ok).toBe(true);
    expect(reportExitCode(report)).toBe(0);
    expect(formatReport(after, { fixed: true }).at(-1)).toBe('Healthy after --fix: 1 ok, 0 problems, 1 fixed, 1 info.');
  });
});
