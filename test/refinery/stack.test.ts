import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import { addWorktree, branchExists, listWorktrees } from '../../src/store/git/git.js';
import {
  buildStack, checkoutDetached, deleteBranch, fastForward, isAncestor, keepBranch, pushAndVerify, resolveRef,
  syncWorktreeTo, type StackEntry,
} from '../../src/store/refinery/stack.js';

let root: string;

// Real git, isolated from the machine's config, with a fixed default identity (which the
// refinery must not use: it keeps the polecats' authors and commits as itself).
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'gt-stack-')));
  writeFileSync(join(root, 'gitconfig'), '');
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer', GIT_COMMITTER_EMAIL: 'committer@example.com',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function sh(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }).trim();
}

let counter = 0;
function fresh(label: string): string {
  const dir = join(root, `${label}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const SHARED = 'one\ntwo\nthree\nfour\nfive\n';

interface Rig { dir: string; bare: string; src: string; scratch: string; main: string }

/** A source repo with one commit on main, bare-cloned into `<rig>/.repo.git`. */
function makeRig(): Rig {
  const src = fresh('src');
  sh(src, ['init', '-q', '-b', 'main']);
  writeFileSync(join(src, 'README.md'), '# hello\n');
  writeFileSync(join(src, 'shared.txt'), SHARED);
  sh(src, ['add', '.']);
  sh(src, ['commit', '-q', '-m', 'first']);
  const dir = fresh('rig');
  const bare = join(dir, '.repo.git');
  sh(dir, ['clone', '-q', '--bare', src, bare]);
  return { dir, bare, src, scratch: join(dir, 'refinery', 'scratch'), main: sh(bare, ['rev-parse', 'main']) };
}

interface Commit { files: Record<string, string>; message?: string }

/**
 * Commit on `branch` in a fresh clone of the bare repo (starting at `from`, default main) as
 * polecat `author`, and push it. Returns the last commit's sha.
 */
function polecatWork(rig: Rig, branch: string, author: string, commits: Commit[], from = 'main'): string {
  const clone = fresh('clone');
  sh(clone, ['clone', '-q', rig.bare, '.']);
  sh(clone, ['checkout', '-q', '-b', branch, `origin/${from}`]);
  const env = { GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: `${author}@polecats.local`, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: `${author}@polecats.local` };
  for (const [i, c] of commits.entries()) {
    for (const [file, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      writeFileSync(join(clone, file), text);
    }
    sh(clone, ['add', '-A']);
    sh(clone, ['commit', '-q', '-m', c.message ?? `${author} change ${i + 1}`], env);
  }
  sh(clone, ['push', '-q', '--force', 'origin', `${branch}:${branch}`]);
  return sh(clone, ['rev-parse', 'HEAD']);
}

function mr(rig: Rig, id: string, author: string, commits: Commit[], from?: string): StackEntry {
  const branch = `polecat/${author}/${id}`;
  return { id, branch, commit: polecatWork(rig, branch, author, commits, from) };
}

function show(bare: string, sha: string, path: string): string | undefined {
  try {
    return sh(bare, ['show', `${sha}:${path}`]);
  } catch {
    return undefined;
  }
}

function scratchIsClean(rig: Rig, tip: string): void {
  expect(sh(rig.scratch, ['status', '--porcelain', '--ignored'])).toBe('');
  expect(sh(rig.scratch, ['rev-parse', 'HEAD'])).toBe(tip);
  expect(() => sh(rig.scratch, ['symbolic-ref', '-q', 'HEAD'])).toThrow(); // detached
  expect(() => sh(rig.scratch, ['rev-parse', '--verify', '-q', 'CHERRY_PICK_HEAD'])).toThrow();
}

async function gtError(p: Promise<unknown>): Promise<GtError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GtError);
    return e as GtError;
  }
  throw new Error('expected a GtError');
}

describe('buildStack', () => {
  it('stacks independent MRs in order, keeping authors, committing as the refinery', async () => {
    const rig = makeRig();
    const entries = [
      mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]),
      mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }, { files: { 'b2.txt': 'b2\n' } }]),
      mr(rig, 'gt-3', 'furiosa', [{ files: { 'c.txt': 'c\n' } }]),
    ];
    const r = await buildStack(rig.bare, rig.scratch, 'main', entries);
    expect(r).toMatchObject({ base: rig.main, applied: ['gt-1', 'gt-2', 'gt-3'], conflicts: [], missing: [] });
    for (const f of ['a.txt', 'b.txt', 'b2.txt', 'c.txt', 'README.md']) expect(show(rig.bare, r.tip, f)).toBeDefined();
    const log = sh(rig.bare, ['log', '--reverse', '--format=%an <%ae>|%cn <%ce>|%s', `${rig.main}..${r.tip}`]).split('\n');
    expect(log).toEqual([
      'nux <nux@polecats.local>|Gas Town Refinery <refinery@gastown.local>|nux change 1',
      'slit <slit@polecats.local>|Gas Town Refinery <refinery@gastown.local>|slit change 1',
      'slit <slit@polecats.local>|Gas Town Refinery <refinery@gastown.local>|slit change 2',
      'furiosa <furiosa@polecats.local>|Gas Town Refinery <refinery@gastown.local>|furiosa change 1',
    ]);
    expect(sh(rig.bare, ['rev-parse', 'main'])).toBe(rig.main); // the target is not touched
    scratchIsClean(rig, r.tip);
    expect(await branchExists(rig.bare, 'refinery/scratch')).toBe(false);
  });

  it('skips a conflicting MR with its files, keeps going, and leaves the scratch worktree clean', async () => {
    const rig = makeRig();
    const first = mr(rig, 'gt-1', 'nux', [{ files: { 'shared.txt': SHARED.replace('two', 'TWO by nux') } }]);
    // Two commits: the first applies cleanly, the second conflicts; neither may stay in the tip.
    const second = mr(rig, 'gt-2', 'slit', [
      { files: { 'x.txt': 'x\n' } },
      { files: { 'shared.txt': SHARED.replace('two', 'TWO by slit') }, message: 'slit edits shared' },
    ]);
    const third = mr(rig, 'gt-3', 'furiosa', [{ files: { 'c.txt': 'c\n' } }]);
    const r = await buildStack(rig.bare, rig.scratch, rig.main, [first, second, third]);
    expect(r.applied).toEqual(['gt-1', 'gt-3']);
    expect(r.missing).toEqual([]);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ id: 'gt-2', files: ['shared.txt'] });
    expect(r.conflicts[0]!.message).toMatch(/slit edits shared.*shared\.txt/);
    expect(show(rig.bare, r.tip, 'shared.txt')).toContain('TWO by nux');
    expect(show(rig.bare, r.tip, 'x.txt')).toBeUndefined();
    expect(show(rig.bare, r.tip, 'c.txt')).toBe('c');
    scratchIsClean(rig, r.tip);
  });

  it('reports MRs whose commit is gone or no longer on the branch as missing', async () => {
    const rig = makeRig();
    const gone = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]);
    const rewritten = mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }]);
    const ok = mr(rig, 'gt-3', 'furiosa', [{ files: { 'c.txt': 'c\n' } }]);
    // gt-1: branch deleted and its commit garbage-collected.
    sh(rig.bare, ['branch', '-D', gone.branch]);
    sh(rig.bare, ['reflog', 'expire', '--expire=now', '--all']);
    sh(rig.bare, ['gc', '-q', '--prune=now']);
    expect(await resolveRef(rig.bare, gone.commit)).toBeUndefined();
    // gt-2: the branch was force-pushed elsewhere; the recorded commit still exists.
    polecatWork(rig, rewritten.branch, 'slit', [{ files: { 'other.txt': 'o\n' } }]);
    expect(await resolveRef(rig.bare, rewritten.commit)).toBe(rewritten.commit);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [gone, rewritten, ok]);
    expect(r.applied).toEqual(['gt-3']);
    expect(r.conflicts).toEqual([]);
    expect(r.missing.map((m) => m.id)).toEqual(['gt-1', 'gt-2']);
    expect(r.missing[0]!.reason).toMatch(/deleted.*no longer exists/);
    expect(r.missing[1]!.reason).toMatch(/no longer on branch/);
    expect(show(rig.bare, r.tip, 'b.txt')).toBeUndefined();
    expect(show(rig.bare, r.tip, 'other.txt')).toBeUndefined();
  });

  it('replays a deleted branch from its recorded commit while the commit still exists', async () => {
    const rig = makeRig();
    const e = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]);
    sh(rig.bare, ['branch', '-D', e.branch]);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [e]);
    expect(r.applied).toEqual(['gt-1']);
    expect(show(rig.bare, r.tip, 'a.txt')).toBe('a');
  });

  it('applies an MR already contained in the base without changing the tip', async () => {
    const rig = makeRig();
    const e = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]);
    sh(rig.bare, ['update-ref', 'refs/heads/main', e.commit]);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [e]);
    expect(r).toEqual({ base: e.commit, tip: e.commit, applied: ['gt-1'], conflicts: [], missing: [] });
  });

  it('applies an MR whose change the tip already has (an empty pick) without a commit', async () => {
    const rig = makeRig();
    const first = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } }]);
    const same = mr(rig, 'gt-2', 'slit', [{ files: { 'a.txt': 'a\n' } }]);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [first, same]);
    expect(r).toMatchObject({ applied: ['gt-1', 'gt-2'], conflicts: [], missing: [] });
    expect(sh(rig.bare, ['rev-list', '--count', `${rig.main}..${r.tip}`])).toBe('1');
    scratchIsClean(rig, r.tip);
  });

  it('replays only the new commits of an MR stacked on an earlier MR', async () => {
    const rig = makeRig();
    const first = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]);
    const second = mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }], first.branch);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [first, second]);
    expect(r.applied).toEqual(['gt-1', 'gt-2']);
    expect(sh(rig.bare, ['rev-list', '--count', `${rig.main}..${r.tip}`])).toBe('2');
    // Re-running with the first MR already in the base: the second adds one commit only.
    const again = await buildStack(rig.bare, rig.scratch, sh(rig.bare, ['rev-parse', `${r.tip}~1`]), [first, second]);
    expect(again.applied).toEqual(['gt-1', 'gt-2']);
    expect(sh(rig.bare, ['rev-list', '--count', `${again.base}..${again.tip}`])).toBe('1');
  });

  it('reuses the scratch worktree across calls and cleans what gates left behind', async () => {
    const rig = makeRig();
    const a = mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }]);
    const b = mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }]);
    const r1 = await buildStack(rig.bare, rig.scratch, 'main', [a]);
    await checkoutDetached(rig.bare, rig.scratch, r1.tip);
    writeFileSync(join(rig.scratch, 'README.md'), 'dirty\n');
    writeFileSync(join(rig.scratch, 'build.out'), 'artefact\n');
    const r2 = await buildStack(rig.bare, rig.scratch, 'main', [b]);
    expect(r2.applied).toEqual(['gt-2']);
    expect(show(rig.bare, r2.tip, 'a.txt')).toBeUndefined();
    scratchIsClean(rig, r2.tip);
    expect((await listWorktrees(rig.bare)).filter((p) => p === rig.scratch)).toHaveLength(1);
    // checkoutDetached moves it anywhere, clean.
    await checkoutDetached(rig.bare, rig.scratch, r1.tip);
    scratchIsClean(rig, r1.tip);
    expect(readFileSync(join(rig.scratch, 'a.txt'), 'utf8')).toBe('a\n');
    // A scratch directory deleted behind git's back is re-created.
    rmSync(rig.scratch, { recursive: true, force: true });
    const r3 = await buildStack(rig.bare, rig.scratch, 'main', [a, b]);
    expect(r3.applied).toEqual(['gt-1', 'gt-2']);
    scratchIsClean(rig, r3.tip);
  });

  it('fails with GIT_FAILED for an unknown base and refuses a foreign directory', async () => {
    const rig = makeRig();
    expect((await gtError(buildStack(rig.bare, rig.scratch, 'nope', []))).code).toBe('GIT_FAILED');
    const foreign = fresh('foreign');
    writeFileSync(join(foreign, 'keep.txt'), 'mine\n');
    expect((await gtError(buildStack(rig.bare, foreign, 'main', []))).code).toBe('GIT_FAILED');
    expect(existsSync(join(foreign, 'keep.txt'))).toBe(true);
  });
});

describe('refs', () => {
  it('isAncestor and resolveRef', async () => {
    const rig = makeRig();
    const r = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }])]);
    expect(await isAncestor(rig.bare, rig.main, r.tip)).toBe(true);
    expect(await isAncestor(rig.bare, r.tip, rig.main)).toBe(false);
    expect(await isAncestor(rig.bare, 'main', rig.main)).toBe(true);
    expect(await isAncestor(rig.bare, 'no-such-ref', rig.main)).toBe(false);
    expect(await resolveRef(rig.bare, 'main')).toBe(rig.main);
    expect(await resolveRef(rig.bare, 'refs/heads/missing')).toBeUndefined();
  });

  it('fastForward is a compare-and-swap and refuses a non-fast-forward', async () => {
    const rig = makeRig();
    const r = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }])]);
    const other = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }])]);
    // Someone else moved main meanwhile: nothing changes.
    sh(rig.bare, ['update-ref', 'refs/heads/main', other.tip]);
    expect(await fastForward(rig.bare, 'main', rig.main, r.tip)).toBe(false);
    expect(sh(rig.bare, ['rev-parse', 'main'])).toBe(other.tip);
    // Not a fast-forward from the current tip: refused.
    const err = await gtError(fastForward(rig.bare, 'main', other.tip, r.tip));
    expect(err.code).toBe('GIT_FAILED');
    expect(err.details.reason).toBe('non-fast-forward');
    expect(sh(rig.bare, ['rev-parse', 'main'])).toBe(other.tip);
    // The right old value moves it.
    sh(rig.bare, ['update-ref', 'refs/heads/main', rig.main]);
    expect(await fastForward(rig.bare, 'main', rig.main, r.tip)).toBe(true);
    expect(sh(rig.bare, ['rev-parse', 'main'])).toBe(r.tip);
  });

  it('keepBranch and deleteBranch', async () => {
    const rig = makeRig();
    const r = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }])]);
    await keepBranch(rig.bare, 'refinery/candidate', r.tip);
    expect(sh(rig.bare, ['rev-parse', 'refinery/candidate'])).toBe(r.tip);
    await keepBranch(rig.bare, 'refinery/candidate', rig.main); // force-update
    expect(sh(rig.bare, ['rev-parse', 'refinery/candidate'])).toBe(rig.main);
    expect((await gtError(keepBranch(rig.bare, 'refinery/x', 'f'.repeat(40)))).code).toBe('GIT_FAILED');
    expect(await deleteBranch(rig.bare, 'refinery/candidate')).toBe(true);
    expect(await branchExists(rig.bare, 'refinery/candidate')).toBe(false);
    expect(await deleteBranch(rig.bare, 'refinery/candidate')).toBe(false);
    expect(await deleteBranch(rig.bare, 'polecat/nux/gt-1')).toBe(true); // unmerged: deleted anyway
  });
});

describe('pushAndVerify', () => {
  it('pushes to a remote and verifies the remote branch; failures are GIT_FAILED', async () => {
    const rig = makeRig();
    const remote = join(fresh('remote'), 'origin.git');
    sh(root, ['clone', '-q', '--bare', rig.src, remote]);
    const r = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }])]);
    await pushAndVerify(rig.bare, remote, 'main', r.tip);
    expect(sh(remote, ['rev-parse', 'main'])).toBe(r.tip);
    await pushAndVerify(rig.bare, remote, 'main', r.tip); // idempotent
    // A non-fast-forward is rejected.
    expect((await gtError(pushAndVerify(rig.bare, remote, 'main', rig.main))).code).toBe('GIT_FAILED');
    expect(sh(remote, ['rev-parse', 'main'])).toBe(r.tip);
    // An unreachable remote.
    const missing = await gtError(pushAndVerify(rig.bare, join(root, 'no-such-remote.git'), 'main', r.tip));
    expect(missing.code).toBe('GIT_FAILED');
  });
});

describe('syncWorktreeTo', () => {
  it('refreshes a clean worktree on the target after a fast-forward, not a dirty one', async () => {
    const rig = makeRig();
    const wt = join(rig.dir, 'refinery', 'rig');
    await addWorktree(rig.bare, wt, 'main');
    const r1 = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-1', 'nux', [{ files: { 'a.txt': 'a\n' } }])]);
    expect(await fastForward(rig.bare, 'main', rig.main, r1.tip)).toBe(true);
    expect(await syncWorktreeTo(wt, r1.tip)).toBe(true);
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('a\n');
    expect(sh(wt, ['status', '--porcelain'])).toBe('');
    expect(sh(wt, ['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    expect(await syncWorktreeTo(wt, r1.tip)).toBe(false); // already there
    // Local changes: left alone.
    writeFileSync(join(wt, 'README.md'), 'local edit\n');
    const r2 = await buildStack(rig.bare, rig.scratch, 'main', [mr(rig, 'gt-2', 'slit', [{ files: { 'b.txt': 'b\n' } }])]);
    expect(await fastForward(rig.bare, 'main', r1.tip, r2.tip)).toBe(true);
    expect(await syncWorktreeTo(wt, r2.tip)).toBe(false);
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('local edit\n');
    expect(existsSync(join(wt, 'b.txt'))).toBe(false);
    // Not an ancestor of the worktree's checkout: left alone.
    sh(wt, ['checkout', '-q', '--', 'README.md']);
    expect(await syncWorktreeTo(wt, r2.tip)).toBe(true);
    expect(await syncWorktreeTo(wt, rig.main)).toBe(false);
    expect(sh(wt, ['rev-parse', 'HEAD'])).toBe(r2.tip);
  });
});
