// The refinery on real git repositories with a real test suite as the gate (issue #4 "Done when").
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mrById, refineryState } from '../../src/store/refinery/refinery-db.js';
import { runRefineryOnce } from '../../src/store/refinery/refinery.js';
import { getIssueDoc, getLabels } from '../../src/store/sqlite/ledger-rows.js';
import type { Town } from '../../src/store/town/town.js';
import { GIT_ENV, gt, tempDir } from '../cli/helpers.js';
import { failingTest, git, makeMr, passingTest, refineryTown } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let town: Town;
let bare = '';
let env: Record<string, string> = {};

async function setup(gates?: Parameters<typeof refineryTown>[1]) {
  tmp = tempDir('gt-refinery-');
  ({ town, bare, env } = await refineryTown(tmp.dir, gates));
}
afterEach(() => {
  town?.close();
  tmp?.cleanup();
});

/** Mail of one kind delivered to an address, shaped as the old message beads: title = `<KIND> <subject>`, description = body. */
const messagesTo = (address: string, kind: string) => (town.db.prepare(`SELECT m.kind, m.subject, m.body FROM messages m JOIN mail_deliveries d ON d.message_id = m.id
  WHERE d.address = ? AND m.kind = ? ORDER BY m.created_at`).all(address, kind) as Array<{ kind: string; subject: string; body: string }>)
  .map((r) => ({ title: `${r.kind} ${r.subject}`, description: r.body }));

describe('refinery', () => {
  beforeEach(async () => { await setup(); });

  it('lands 5 independent good MRs with one gate run; beads closed, branches deleted', async () => {
    const mrs = [1, 2, 3, 4, 5].map((n) => makeMr(town, bare, passingTest(n)));
    const run = await runRefineryOnce(town, 'app');
    expect(run.runs).toBe(1);
    expect(run.merged.sort()).toEqual(mrs.map((m) => m.id).sort());
    const main = git(bare, 'rev-parse', 'main');
    expect(main).toBe(run.tip);
    const files = git(bare, 'ls-tree', '--name-only', 'main').split('\n');
    for (const n of [1, 2, 3, 4, 5]) expect(files).toContain(`feature${n}.js`);
    for (const mr of mrs) {
      expect(mrById(town.db, mr.id)).toMatchObject({ state: 'merged', merged_sha: main });
      expect(getIssueDoc(town.db, mr.bead_id)).toMatchObject({ status: 'closed', close_reason: `merged ${main.slice(0, 12)}` });
      expect(git(bare, 'branch', '--list', mr.branch)).toBe('');
    }
    // every commit keeps its polecat author; the refinery is the committer
    expect(git(bare, 'log', '-5', '--format=%an|%cn', 'main').split('\n').every((l) => /^app\/polecats\/cat\d+\|Gas Town Refinery$/.test(l))).toBe(true);
    // the refinery worktree follows the target
    expect(git(join(town.root, 'app/refinery/rig'), 'rev-parse', 'HEAD')).toBe(main);
  });

  it('8 MRs, one breaking a test: 7 land, the culprit gets FIX_NEEDED, at most 1 + 2·⌈log2 8⌉ gate runs', async () => {
    const mrs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => makeMr(town, bare, n === 6 ? { ...passingTest(n), ...failingTest(n) } : passingTest(n)));
    const culprit = mrs[5]!;
    const run = await runRefineryOnce(town, 'app');
    expect(run.runs).toBeLessThanOrEqual(7);
    expect(run.culprits).toEqual([culprit.id]);
    expect(run.merged.sort()).toEqual(mrs.filter((m) => m !== culprit).map((m) => m.id).sort());
    expect(mrById(town.db, culprit.id)).toMatchObject({ state: 'failed', retries: 1 });
    // its commit is kept on a branch that the message points to
    expect(git(bare, 'rev-parse', `keep/mr/${culprit.id}`)).toBe(culprit.commit_sha);
    const fix = messagesTo(culprit.polecat, 'FIX_NEEDED');
    expect(fix.length).toBe(1);
    expect(fix[0]!.description).toContain(`Kept-Branch: keep/mr/${culprit.id}`);
    expect(fix[0]!.description).toContain('Attempt-Number: 1');
    expect(fix[0]!.description).toContain('broken 6 breaks'); // the tail of the gate output
    expect(getIssueDoc(town.db, culprit.bead_id)).toMatchObject({ status: 'open', assignee: culprit.polecat });
    expect(git(bare, 'ls-tree', '--name-only', 'main')).not.toContain('broken6.test.js');
  });

  it('two MRs editing the same lines: the first lands, the second gets a rework bead and REWORK_REQUEST', async () => {
    const a = makeMr(town, bare, { 'app.js': 'export const add = (a, b) => a + b; // first\n' });
    const b = makeMr(town, bare, { 'app.js': 'export const add = (a, b) => b + a; // second\n' });
    const run = await runRefineryOnce(town, 'app');
    expect(run.merged).toEqual([a.id]);
    expect(run.rework).toEqual([b.id]);
    expect(mrById(town.db, b.id)).toMatchObject({ state: 'rework' });
    const rr = messagesTo(b.polecat, 'REWORK_REQUEST');
    expect(rr[0]!.description).toContain('Conflict-Files: app.js');
    const reworkId = /Rework-Bead: (\S+)/.exec(rr[0]!.description)![1]!;
    const rework = getIssueDoc(town.db, reworkId)!;
    expect(rework.title).toContain('Resolve merge conflicts');
    expect(rework.assignee).toBe(b.polecat);
    expect(rework.description).toContain(`keep/mr/${b.id}`);
    expect(git(bare, 'rev-parse', `keep/mr/${b.id}`)).toBe(b.commit_sha);
  });

  it('an MR whose branch vanished is closed with the reason and its bead reopened', async () => {
    const mr = makeMr(town, bare, passingTest(1));
    git(bare, 'branch', '-D', mr.branch);
    const good = makeMr(town, bare, passingTest(2));
    const run = await runRefineryOnce(town, 'app');
    expect(run.closed).toEqual([mr.id]);
    expect(run.merged).toEqual([good.id]);
    expect(mrById(town.db, mr.id)).toMatchObject({ state: 'rejected', error: expect.stringContaining('branch vanished') });
    expect(getIssueDoc(town.db, mr.bead_id)).toMatchObject({ status: 'open' });
  });

  it('a target that already fails its gates: a pre-existing-failure bug, nobody blamed, the queue waits', async () => {
    // break main directly
    const clone = join(tmp.dir, 'breaker');
    git(tmp.dir, 'clone', '-q', bare, clone);
    execFileSync('sh', ['-c', "printf \"import { test } from 'node:test';\\nimport assert from 'node:assert/strict';\\ntest('main is broken', () => assert.equal(1, 2));\\n\" > main-broken.test.js && git add -A && git commit -qm 'break main' && git push -q origin HEAD:refs/heads/breaker"], { cwd: clone, env: { ...process.env, ...GIT_ENV } });
    git(bare, 'update-ref', 'refs/heads/main', git(bare, 'rev-parse', 'breaker')); // main is checked out in the refinery worktree: move the ref
    const mrs = [1, 2, 3].map((n) => makeMr(town, bare, passingTest(n), { base: 'origin/main' }));
    const run = await runRefineryOnce(town, 'app');
    expect(run).toMatchObject({ preexisting: true, culprits: [], merged: [] });
    const bug = getIssueDoc(town.db, run.bug!)!;
    expect(bug).toMatchObject({ issue_type: 'bug', priority: 1 });
    expect(bug.description).toContain('main is broken');
    expect(getLabels(town.db, run.bug!)).toContain('refinery:preexisting:app');
    for (const mr of mrs) expect(mrById(town.db, mr.id)).toMatchObject({ state: 'queued', retries: 0 });
    expect(messagesTo('overseer', 'HELP').length).toBe(1);
    expect(refineryState(town.db, 'app').blocked_sha).toBe(git(bare, 'rev-parse', 'main'));
    const again = await runRefineryOnce(town, 'app');
    expect(again.skipped).toMatch(/^blocked/);
  });

  it('records a gate that fails then passes on retry as flaky, and still lands', async () => {
    await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates', JSON.stringify({ flaky: { cmd: `test -f ${join(tmp.dir, 'once')} || { touch ${join(tmp.dir, 'once')}; exit 1; }`, timeout_ms: 10_000, phase: 'test' } })], { env });
    const mr = makeMr(town, bare, passingTest(1));
    const run = await runRefineryOnce(town, 'app');
    expect(run).toMatchObject({ merged: [mr.id], flaky: true, runs: 1 });
    const status = await gt(['refinery', 'status', '--json'], { env });
    expect(status.json<Array<{ gate_runs: Array<{ flaky: number }> }>>()[0]!.gate_runs[0]!.flaky).toBe(1);
  });
});

describe('refinery: bad gates', () => {
  it.each([
    ['a gate command that does not exist', { lint: { cmd: 'no-such-linter-xyz --check', phase: 'lint' } }, /no-such-linter-xyz[\s\S]*not found/],
    ['a gate that times out', { slow: { cmd: 'sleep 20', timeout_ms: 300, phase: 'test' } }, /timed out/],
  ])('%s is reported per gate with its output, blaming no MR', async (_name, gates, pattern) => {
    await setup(gates as never);
    makeMr(town, bare, passingTest(1));
    const run = await runRefineryOnce(town, 'app');
    expect(run.preexisting).toBe(true);
    expect(run.culprits).toEqual([]);
    const bug = getIssueDoc(town.db, run.bug!)!;
    expect(bug.description).toMatch(pattern);
    expect(bug.title).toContain(Object.keys(gates)[0]!);
  });
});

describe('gt mq', () => {
  beforeEach(async () => { await setup(); });

  it('lists, shows, pauses, resumes, rejects and retries', async () => {
    const good = makeMr(town, bare, passingTest(1), { priority: 0 });
    const other = makeMr(town, bare, passingTest(2), { priority: 3 });
    const list = (await gt(['mq', 'list', '--json'], { env })).json<Array<{ id: string }>>();
    expect(list.map((m) => m.id)).toEqual([good.id, other.id]); // P0 first
    expect((await gt(['mq', 'pause', '--rig', 'app'], { env })).code).toBe(0);
    const paused = await gt(['refinery', 'run-once', '--rig', 'app'], { env });
    expect(paused.out).toContain('paused');
    expect((await gt(['mq', 'resume', '--rig', 'app'], { env })).code).toBe(0);
    expect((await gt(['mq', 'reject', other.id, '--reason', 'not wanted'], { env })).code).toBe(0);
    const ran = await gt(['refinery', 'run-once', '--rig', 'app', '--json'], { env });
    expect(ran.json<Array<{ merged: string[] }>>()[0]!.merged).toEqual([good.id]);
    const show = await gt(['mq', 'show', good.id], { env });
    expect(show.out).toContain('merged');
    expect(show.out).toContain('gate run');
    expect((await gt(['mq', 'retry', other.id], { env })).code).toBe(0);
    expect(mrById(town.db, other.id)!.state).toBe('queued');
    const gate = await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates.lint', 'node --check app.js'], { env });
    expect(gate.code, gate.err).toBe(0);
    const shown = (await gt(['rig', 'config', 'show', 'app', '--json'], { env })).json<{ merge_queue: { gates: Record<string, unknown> } }>();
    expect(shown.merge_queue.gates.lint).toEqual({ cmd: 'node --check app.js', timeout_ms: 600_000, phase: 'test' });
    const missing = await gt(['mq', 'show', 'app-mr-999'], { env });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no merge request "app-mr-999"');
    expect((await gt(['mq', 'retry', good.id], { env })).err).toContain('only failed, rework or rejected');
  });
});
