// `gt doctor --fix` on real damage in a real town: an orphaned polecat worktree (removed, its
// work kept on a keep/ branch, nothing else touched), a prunable worktree entry, a directory
// doctor did not make (left alone), stale locks, an MR whose branch vanished, a hooked polecat
// without a session (never started by doctor) and missing agent hooks (installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_COMMAND_PREFIX } from '../../src/core/agents/hook-files.js';
import { polecatsDir, refineryWorktree, rigBareRepo } from '../../src/core/town/layout.js';
import { connectDaemon } from '../../src/daemon/client.js';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { openTown, type Town } from '../../src/store/town/town.js';
import { createMergeRequest, getMergeRequest, listAgents } from '../../src/store/work/agents.js';
import { hookBead } from '../../src/store/work/hook.js';
import { allocatePolecat, type Allocation } from '../../src/store/work/polecats.js';
import { gt, tempDir } from '../cli/helpers.js';
import { GT_BIN, byId, doctor, doctorJson, doctorTown, git, refs, runBin } from './helpers.js';

/** What --fix must leave exactly as it was. */
function snapshot(town: Town, root: string, keeper: Allocation) {
  const bare = rigBareRepo(root, 'app');
  return {
    agents: JSON.stringify(listAgents(town.db, { includeNuked: true })),
    issues: JSON.stringify(town.db.prepare('SELECT id, doc, status, assignee FROM issues ORDER BY id').all()),
    rigs: JSON.stringify(town.db.prepare('SELECT * FROM rigs').all()),
    mrs: JSON.stringify(town.db.prepare('SELECT * FROM merge_requests ORDER BY id').all()),
    refinery: git(refineryWorktree(root, 'app'), 'rev-parse', 'HEAD'),
    keeperHead: git(keeper.worktree, 'rev-parse', 'HEAD'),
    keeperStatus: git(keeper.worktree, 'status', '--porcelain'),
    bareRefs: refs(bare),
  };
}

describe('gt doctor --fix', () => {
  const tmp = tempDir('gt-doctor-fix-');
  let root = '';
  let env: Record<string, string> = {};
  let town: Town;
  beforeAll(async () => {
    ({ root, env } = await doctorTown(tmp.dir));
    town = openTown(root);
  });
  afterAll(async () => {
    town?.close();
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  const bead = async (title: string): Promise<string> => {
    const r = await gt(['bd', 'create', title, '--rig', 'app', '--silent'], { env });
    expect(r.code, r.err).toBe(0);
    return r.out.trim();
  };

  it('removes an orphaned worktree and nothing else, keeping its commit and its uncommitted change', async () => {
    const keeper = await allocatePolecat(town, 'app', { beadId: await bead('keeper work') });
    writeFileSync(join(keeper.worktree, 'keeper.txt'), 'unsaved work of a live polecat\n');
    git(keeper.worktree, 'add', 'keeper.txt');
    git(keeper.worktree, 'commit', '-q', '-m', 'keeper commit');
    writeFileSync(join(keeper.worktree, 'keeper-dirty.txt'), 'dirty\n');
    const bare = rigBareRepo(root, 'app');
    const orphan = join(polecatsDir(root, 'app'), 'ghost');
    git(bare, 'worktree', 'add', '-q', '-b', 'polecat/ghost/ap-zz1', orphan, 'main');
    writeFileSync(join(orphan, 'ghost.txt'), 'committed in the orphan\n');
    git(orphan, 'add', 'ghost.txt');
    git(orphan, 'commit', '-q', '-m', 'orphan commit');
    const orphanSha = git(orphan, 'rev-parse', 'HEAD');
    writeFileSync(join(orphan, 'ghost-dirty.txt'), 'uncommitted in the orphan\n');
    const before = snapshot(town, root, keeper);

    const found = await doctor(env);
    expect(found.code).toBe(1);
    expect(found.out).toMatch(new RegExp(`^✗ worktree\\.orphaned\\s+${orphan.replace(/[.]/g, '\\.')} \\(branch polecat/ghost/ap-zz1\\) is a polecat worktree no agent owns$`, 'm'));
    expect(found.out).not.toContain(keeper.worktree);
    expect(existsSync(orphan)).toBe(true);

    const fixed = await doctor(env, '--fix');
    expect(fixed.code, fixed.out).toBe(0);
    expect(fixed.out).toMatch(/^✓ worktree\.orphaned\s+fixed: removed orphaned worktree .*ghost \(branch polecat\/ghost\/ap-zz1 stays\), kept its 1 uncommitted change and 1 commit on keep\/polecat\/ghost\/ap-zz1$/m);
    expect(existsSync(orphan)).toBe(false);
    expect(git(bare, 'worktree', 'list', '--porcelain')).not.toContain('ghost');

    const after = snapshot(town, root, keeper);
    const keep = 'keep/polecat/ghost/ap-zz1';
    const keepSha = git(bare, 'rev-parse', keep);
    // Every other branch is as it was; the orphan's own branch gained the commit of its
    // uncommitted change (preserveWork commits it there, as gt polecat nuke --force does).
    const ghost = 'refs/heads/polecat/ghost/ap-zz1';
    expect(before.bareRefs).toContain(`${ghost} ${orphanSha}`);
    expect(after.bareRefs).toEqual([...before.bareRefs.filter((r) => !r.startsWith(`${ghost} `)), `${ghost} ${keepSha}`, `refs/heads/${keep} ${keepSha}`].sort());
    expect(git(bare, 'rev-parse', `${keepSha}^`)).toBe(orphanSha);
    expect({ ...after, bareRefs: [] }).toEqual({ ...before, bareRefs: [] });
    expect(git(bare, 'merge-base', '--is-ancestor', orphanSha, keep)).toBe('');
    expect(git(bare, 'show', `${keep}:ghost.txt`)).toBe('committed in the orphan');
    expect(git(bare, 'show', `${keep}:ghost-dirty.txt`)).toBe('uncommitted in the orphan');
    expect(readFileSync(join(keeper.worktree, 'keeper-dirty.txt'), 'utf8')).toBe('dirty\n');
  });

  it('prunes a registered worktree whose directory is gone, and leaves a directory it did not make alone', async () => {
    const bare = rigBareRepo(root, 'app');
    const gone = join(polecatsDir(root, 'app'), 'vanished');
    git(bare, 'worktree', 'add', '-q', '-b', 'polecat/vanished/ap-zz2', gone, 'main');
    rmSync(gone, { recursive: true, force: true });
    const junk = join(polecatsDir(root, 'app'), 'notes');
    mkdirSync(junk, { recursive: true });
    writeFileSync(join(junk, 'mine.txt'), 'a human put this here\n');

    const { code, report } = await doctorJson(env);
    expect(code).toBe(1);
    const orphans = byId(report, 'worktree.orphaned');
    expect(orphans).toHaveLength(2);
    expect(orphans).toContainEqual(expect.objectContaining({ status: 'problem', details: expect.objectContaining({ prunable: true, path: gone }) }));
    expect(orphans).toContainEqual(expect.objectContaining({ status: 'problem', details: expect.objectContaining({ worktree: false, path: junk }) }));

    const fixed = await doctorJson(env, '--fix');
    expect(fixed.code).toBe(1); // the directory doctor did not make is still a problem
    const after = byId(fixed.report, 'worktree.orphaned');
    expect(after.find((c) => c.details?.prunable)).toMatchObject({ status: 'fixed', message: expect.stringContaining('pruned the stale worktree entry') });
    expect(after.find((c) => c.details?.worktree === false)).toMatchObject({ status: 'problem' });
    expect(readFileSync(join(junk, 'mine.txt'), 'utf8')).toBe('a human put this here\n');
    expect(git(bare, 'worktree', 'list', '--porcelain')).not.toContain('vanished');
    expect(git(bare, 'rev-parse', '--verify', 'refs/heads/polecat/vanished/ap-zz2')).toMatch(/^[0-9a-f]{40}$/); // the branch stays
    rmSync(junk, { recursive: true, force: true });
    expect((await doctor(env)).code).toBe(0);
  });

  it('removes stale locks (a dead owner, an old git index.lock) and keeps a fresh one', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const gtLock = join(rigBareRepo(root, 'app'), 'gt-worktrees.lock');
    writeFileSync(gtLock, String(dead));
    const oldLock = join(rigBareRepo(root, 'app'), 'worktrees', 'rig', 'index.lock');
    writeFileSync(oldLock, '');
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(oldLock, tenMinutesAgo, tenMinutesAgo);
    const freshLock = join(root, '.git', 'index.lock');
    writeFileSync(freshLock, '');
    try {
      const r = await doctor(env);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`✗ lock.stale`);
      expect(r.out).toContain(`${gtLock} is held by process ${dead}, which is gone`);
      expect(r.out).toMatch(/worktrees\/rig\/index\.lock is 10 min old and no git process is working there/);
      expect(r.out).not.toContain(freshLock);
      const fixed = await doctor(env, '--fix');
      expect(fixed.code, fixed.out).toBe(0);
      expect(fixed.out).toContain(`fixed: removed the stale git lock ${oldLock}`);
      expect(existsSync(gtLock)).toBe(false);
      expect(existsSync(oldLock)).toBe(false);
      expect(existsSync(freshLock)).toBe(true);
    } finally {
      rmSync(freshLock, { force: true });
    }
  });

  it('reports an open merge request whose branch vanished and leaves it for gt mq reject', async () => {
    const { mr } = createMergeRequest(town.db, { rig: 'app', branch: 'polecat/nobody/ap-zz3', target: 'main', bead_id: await bead('lost work'), polecat: 'app/polecats/nobody', commit_sha: '0'.repeat(40) });
    try {
      const r = await doctor(env, '--fix');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(new RegExp(`^✗ mr\\.branch_missing\\s+merge request ${mr.id} \\(queued, bead ${mr.bead_id}\\) needs branch polecat/nobody/ap-zz3, which is gone from rig app$`, 'm'));
      expect(r.out).toContain(`fix: gt mq reject ${mr.id} --reason "branch polecat/nobody/ap-zz3 vanished"`);
      expect(getMergeRequest(town.db, mr.id)?.state).toBe('queued');
      expect((await gt(['mq', 'reject', mr.id, '--reason', 'branch vanished'], { env })).code).toBe(0);
      expect((await doctor(env)).code).toBe(0);
    } finally {
      town.db.prepare('DELETE FROM merge_requests WHERE id = ?').run(mr.id);
    }
  });

  it('finds a hooked polecat without a session and does not start it; installs its missing hooks', async () => {
    // A runtime with Claude Code's file hooks that needs no LLM: `claude` overridden by the fake agent.
    expect((await gt(['config', 'agent', 'set', 'claude', `node ${join(import.meta.dirname, '../fixtures/fake-agent.mjs')}`, '--prompt', 'arg', '--rules', 'fake'], { env })).code).toBe(0);
    const start = await runBin(GT_BIN, ['daemon', 'start'], { env });
    expect(start.code, start.err).toBe(0);
    const b = await bead('hooked, never started');
    const p = await allocatePolecat(town, 'app', { beadId: b, runtime: 'claude' });
    hookBead(town, b, p.address);

    const { code, report } = await doctorJson(env);
    expect(code).toBe(1);
    expect(byId(report, 'polecat.no_session')).toEqual([expect.objectContaining({
      status: 'problem', message: `${p.address} has ${b} on its hook but no running session`,
      fix: expect.stringContaining(`gt handoff --agent ${p.address}`),
    })]);
    expect(byId(report, 'hooks.missing')).toEqual([expect.objectContaining({ status: 'problem', details: expect.objectContaining({ agent: p.address, kind: 'claude', files: ['.claude/settings.local.json'] }) })]);

    const fixed = await doctorJson(env, '--fix');
    expect(fixed.code).toBe(1); // the session problem is not auto-fixed
    expect(byId(fixed.report, 'polecat.no_session')[0]).toMatchObject({ status: 'problem', fix: expect.stringContaining('does not start agents') });
    expect(byId(fixed.report, 'hooks.missing')[0]).toMatchObject({ status: 'fixed', message: expect.stringContaining('.claude/settings.local.json') });
    expect(readFileSync(join(p.worktree, '.claude', 'settings.local.json'), 'utf8')).toContain(HOOK_COMMAND_PREFIX);
    const c = await connectDaemon(root, { gtBin: GT_BIN, autostart: false });
    try {
      const info = (await c.request<AgentInfo[]>('agent.list', {})).find((a) => a.address === p.address);
      expect(info?.session).toBeNull();
    } finally {
      c.close();
    }
    expect(byId((await doctorJson(env)).report, 'hooks.missing')[0]?.status).toBe('ok');

    // with the daemon down the same polecat is reported as waiting for a daemon
    expect((await runBin(GT_BIN, ['daemon', 'stop'], { env })).code).toBe(0);
    const down = await doctorJson(env);
    expect(byId(down.report, 'polecat.no_session')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining('the daemon is not running'), fix: expect.stringContaining('gt daemon start') });
  });
});
