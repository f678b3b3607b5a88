/**
 * The refinery's git engine (gastown-features.md §3.6): build a candidate by replaying merge
 * requests, one after another, on top of the target branch in a scratch worktree of the rig's
 * bare repository; fast-forward the target with a compare-and-swap; push and verify.
 *
 * The scratch worktree is detached (no branch is ever checked out there, so it never blocks a
 * polecat's or the refinery's own branch) and is reused across calls; it belongs to one refinery
 * at a time (calls on the same `workdir` must not overlap). Replayed commits keep their authors
 * and get the committer `Gas Town Refinery <refinery@gastown.local>`. Every git failure is a
 * GtError `GIT_FAILED` (see `git()` in store/git).
 */
import { existsSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../../core/errors.js';
import { addWorktree, branchExists, git, pruneWorktrees } from '../git/git.js';

/** One merge request to replay. */
export interface StackEntry {
  /** The MR's id (echoed in {@link StackResult}). */
  id: string;
  /** The MR's source branch in the bare repo, without `refs/heads/` (e.g. `polecat/nux/gt-12`). */
  branch: string;
  /** The commit recorded when the polecat finished; only commits up to it are replayed. */
  commit: string;
}

/** An MR that could not be replayed because it conflicts with the candidate built so far. */
export interface StackConflict {
  /** The MR's id. */
  id: string;
  /** Conflicting paths (relative to the repository root), sorted; empty when git named none. */
  files: string[];
  /** One line saying which commit failed and why. */
  message: string;
}

/** The outcome of {@link buildStack}. */
export interface StackResult {
  /** The base commit (full sha) the stack was built on. */
  base: string;
  /** The candidate's tip (full sha): `base` plus every applied MR; equals `base` when none changed it. */
  tip: string;
  /** Ids of the MRs contained in `tip`, in order (including those that had nothing new). */
  applied: string[];
  /** MRs skipped because they conflict (the candidate does not contain them). */
  conflicts: StackConflict[];
  /** MRs skipped because their recorded commit is gone or no longer on their branch. */
  missing: Array<{ id: string; reason: string }>;
}

/** Committer of every replayed commit. */
const REFINERY_ENV = { GIT_COMMITTER_NAME: 'Gas Town Refinery', GIT_COMMITTER_EMAIL: 'refinery@gastown.local' };
/** Throwaway branch used only while creating the scratch worktree (deleted right after). */
const SCRATCH_BRANCH = 'refinery/scratch';

/** Run git in a worktree as the refinery (reflog entries and commits name it). */
function wt(dir: string, args: string[], fix?: string): Promise<string> {
  return git(dir, args, { env: REFINERY_ENV, ...(fix ? { fix } : {}) });
}

/** Run git, ignoring a failure (clean-up of state that may not exist). */
async function quietly(dir: string, args: string[]): Promise<void> {
  try {
    await wt(dir, args);
  } catch {
    /* nothing to clean up */
  }
}

function lines(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Resolve a ref (branch, tag, sha, `main~2`…) in the bare repo to the full sha of the commit it
 * names.
 *
 * @returns the sha, or undefined when the ref does not exist or does not name a commit.
 */
export async function resolveRef(bare: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(bare, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `ancestor` is an ancestor of (or equal to) `descendant` in `bare` (any repository
 * or worktree works). False as well when either does not name a commit.
 */
export async function isAncestor(bare: string, ancestor: string, descendant: string): Promise<boolean> {
  const [a, d] = [await resolveRef(bare, ancestor), await resolveRef(bare, descendant)];
  if (!a || !d) return false;
  if (a === d) return true;
  try {
    await git(bare, ['merge-base', '--is-ancestor', a, d]);
    return true;
  } catch {
    return false;
  }
}

/** True when `workdir` is the top of a worktree whose repository is `bare`. */
async function isWorktreeOf(bare: string, workdir: string): Promise<boolean> {
  if (!existsSync(join(workdir, '.git'))) return false;
  try {
    const out = lines(await git(workdir, ['rev-parse', '--path-format=absolute', '--git-common-dir', '--show-toplevel']));
    return out.length === 2 && real(out[0]!) === real(bare) && real(out[1]!) === real(workdir);
  } catch {
    return false;
  }
}

/**
 * Make `workdir` a clean detached checkout of `sha` (a full sha): reuse it when it is already a
 * worktree of `bare` (aborting any half-done cherry-pick), else create it through addWorktree on
 * a throwaway branch, detach, and delete the branch. A leftover directory that is not a worktree
 * of `bare` is removed only when it is empty or looks like a stale worktree (a `.git` file).
 */
async function ensureScratch(bare: string, workdir: string, sha: string): Promise<void> {
  if (await isWorktreeOf(bare, workdir)) {
    await quietly(workdir, ['cherry-pick', '--quit']);
    await wt(workdir, ['checkout', '--quiet', '--force', '--detach', sha]);
  } else {
    if (existsSync(workdir)) {
      const stale = readdirSync(workdir).length === 0 || (existsSync(join(workdir, '.git')) && statSync(join(workdir, '.git')).isFile());
      if (!stale) {
        throw new GtError('GIT_FAILED', `refinery scratch directory ${workdir} exists and is not a worktree of ${bare}`, {
          fix: `remove ${workdir} or give the refinery another scratch path`,
          details: { workdir, bare },
        });
      }
      rmSync(workdir, { recursive: true, force: true });
    }
    await pruneWorktrees(bare);
    if (await branchExists(bare, SCRATCH_BRANCH)) await git(bare, ['branch', '-D', SCRATCH_BRANCH]);
    await addWorktree(bare, workdir, SCRATCH_BRANCH, { create: true, base: sha });
    await wt(workdir, ['checkout', '--quiet', '--detach', sha]);
    await git(bare, ['branch', '-D', SCRATCH_BRANCH]);
  }
  await wt(workdir, ['reset', '--quiet', '--hard', sha]);
  await wt(workdir, ['clean', '-q', '-fdx']);
}

async function mustResolve(bare: string, ref: string, what: string): Promise<string> {
  const sha = await resolveRef(bare, ref);
  if (!sha) {
    throw new GtError('GIT_FAILED', `${what} "${ref}" does not name a commit in ${bare}`, {
      fix: 'check the branch or sha (git -C <rig>/.repo.git log --oneline -5 <ref>)',
      details: { bare, ref },
    });
  }
  return sha;
}

/**
 * Check out `sha` detached in `workdir` for running gates, clean (`reset --hard`, `clean -fdx`:
 * untracked and ignored files from a previous run are gone). `workdir` is created as a worktree
 * of `bare` when missing and reused otherwise (see {@link buildStack}).
 *
 * @throws GtError GIT_FAILED when `sha` is not a commit of `bare` or git fails.
 */
export async function checkoutDetached(bare: string, workdir: string, sha: string): Promise<void> {
  await ensureScratch(bare, workdir, await mustResolve(bare, sha, 'commit'));
}

/** Why an entry cannot be replayed, or undefined when its commit is usable. */
async function missingReason(bare: string, entry: StackEntry, commit: string | undefined): Promise<string | undefined> {
  const onBranch = await branchExists(bare, entry.branch);
  if (!commit) {
    return onBranch
      ? `recorded commit ${entry.commit} does not exist in the repository (branch ${entry.branch} was rewritten)`
      : `branch ${entry.branch} was deleted and recorded commit ${entry.commit} no longer exists`;
  }
  if (onBranch && !(await isAncestor(bare, commit, `refs/heads/${entry.branch}`))) {
    return `recorded commit ${entry.commit} is no longer on branch ${entry.branch} (the branch was rewritten)`;
  }
  return undefined;
}

/** Cherry-pick one commit onto HEAD; returns the conflicting files on a conflict, else undefined. */
async function pickOne(workdir: string, sha: string): Promise<{ files: string[]; error: string } | undefined> {
  try {
    await wt(workdir, ['cherry-pick', '--no-rerere-autoupdate', sha]);
    return undefined;
  } catch (e) {
    const files = lines(await wt(workdir, ['diff', '--name-only', '--diff-filter=U'])).sort();
    const staged = lines(await wt(workdir, ['diff', '--cached', '--name-only', 'HEAD']));
    await quietly(workdir, ['cherry-pick', '--abort']);
    // Nothing unmerged and nothing staged: the commit's change is already there (an empty pick).
    if (!files.length && !staged.length) return undefined;
    const stderr = e instanceof GtError ? String(e.details.stderr ?? e.message) : String(e);
    return { files, error: lines(stderr)[0] ?? 'cherry-pick failed' };
  }
}

/**
 * Build a candidate: replay each entry's commits onto the current tip, in order, in the scratch
 * worktree `workdir` (detached HEAD; created from `bare` if missing, reused otherwise).
 *
 * An entry's commits are those reachable from `entry.commit` and not from the tip (so at most
 * `merge-base(entry.commit, base)..entry.commit`), merges left out, commits whose change the tip
 * already has (same patch id) left out, oldest first, one cherry-pick each. Then:
 * - its commit does not exist in `bare` (branch deleted and the commit collected), or the branch
 *   exists but no longer contains the commit (rewritten) → `missing`, with a reason (a deleted
 *   branch whose commit is still present is replayed from the commit);
 * - a cherry-pick conflicts → the pick is aborted, the worktree reset to the tip before this
 *   entry, and the entry goes to `conflicts` with the conflicting files; later entries go on;
 * - nothing new (already contained in the tip, or every pick came out empty) → `applied`, tip
 *   unchanged.
 * Authors are kept; the committer is `Gas Town Refinery <refinery@gastown.local>`. The worktree
 * is left clean at `tip`.
 *
 * @param base the commit or ref to build on (e.g. `main`); reported back as a full sha.
 * @throws GtError GIT_FAILED when `base` does not exist, the worktree cannot be prepared, or git
 *   fails in an unexpected way.
 */
export async function buildStack(bare: string, workdir: string, base: string, entries: StackEntry[]): Promise<StackResult> {
  const baseSha = await mustResolve(bare, base, 'base');
  await ensureScratch(bare, workdir, baseSha);
  const result: StackResult = { base: baseSha, tip: baseSha, applied: [], conflicts: [], missing: [] };
  for (const entry of entries) {
    const commit = await resolveRef(bare, entry.commit);
    const reason = await missingReason(bare, entry, commit);
    if (reason || !commit) {
      result.missing.push({ id: entry.id, reason: reason ?? `commit ${entry.commit} not found` });
      continue;
    }
    const start = result.tip;
    const todo = lines(await wt(workdir, ['rev-list', '--reverse', '--no-merges', '--cherry-pick', '--right-only', `${start}...${commit}`]));
    let conflict: StackConflict | undefined;
    for (const sha of todo) {
      const failed = await pickOne(workdir, sha);
      if (failed) {
        const subject = (await wt(workdir, ['log', '-1', '--format=%s', sha])).trim();
        const where = failed.files.length ? `conflicts in ${failed.files.join(', ')}` : failed.error;
        conflict = { id: entry.id, files: failed.files, message: `cherry-pick of ${sha.slice(0, 10)} "${subject}" onto ${start.slice(0, 10)}: ${where}` };
        break;
      }
    }
    if (conflict) {
      await wt(workdir, ['reset', '--quiet', '--hard', start]);
      await wt(workdir, ['clean', '-q', '-fdx']);
      result.conflicts.push(conflict);
      continue;
    }
    result.tip = (await wt(workdir, ['rev-parse', 'HEAD'])).trim();
    result.applied.push(entry.id);
  }
  return result;
}

/**
 * Atomically move `refs/heads/<target>` in `bare` from `expectedOld` to `newTip`
 * (`git update-ref` with the old value: a compare-and-swap). Pass shas: a ref name as
 * `expectedOld` would be read now, not when the candidate was built.
 *
 * @returns true when the branch now points at `newTip`; false when it no longer pointed at
 *   `expectedOld` (it moved meanwhile, or is gone): nothing changed.
 * @throws GtError GIT_FAILED when `newTip` does not contain `expectedOld` (not a fast-forward;
 *   `details.reason` is `non-fast-forward`), when either is not a commit, or git fails.
 */
export async function fastForward(bare: string, target: string, expectedOld: string, newTip: string): Promise<boolean> {
  const oldSha = await mustResolve(bare, expectedOld, 'expected old tip');
  const newSha = await mustResolve(bare, newTip, 'new tip');
  if (!(await isAncestor(bare, oldSha, newSha))) {
    throw new GtError('GIT_FAILED', `refusing to move ${target} from ${oldSha.slice(0, 10)} to ${newSha.slice(0, 10)}: not a fast-forward`, {
      fix: 'rebuild the candidate on the current target tip',
      details: { reason: 'non-fast-forward', bare, target, expectedOld: oldSha, newTip: newSha },
    });
  }
  const ref = `refs/heads/${target}`;
  try {
    await git(bare, ['update-ref', '-m', `refinery: fast-forward ${target}`, ref, newSha, oldSha], { env: REFINERY_ENV });
    return true;
  } catch (e) {
    if ((await resolveRef(bare, ref)) !== oldSha) return false;
    throw e;
  }
}

/**
 * Keep a commit reachable (a candidate, a conflicted MR's commit): create or force-update branch
 * `name` at `sha` in `bare`.
 *
 * @throws GtError GIT_FAILED when `sha` is not a commit, `name` is not a valid branch name, or the
 *   branch is checked out in a worktree (git refuses to move it under the worktree).
 */
export async function keepBranch(bare: string, name: string, sha: string): Promise<void> {
  const commit = await mustResolve(bare, sha, 'commit');
  await git(bare, ['branch', '--quiet', '--force', '--no-track', name, commit], { env: REFINERY_ENV });
}

/**
 * Delete branch `name` in `bare` if it exists, merged or not (used after a merge).
 *
 * @returns true when it was deleted, false when there was no such branch.
 * @throws GtError GIT_FAILED when git refuses, e.g. the branch is checked out in a worktree.
 */
export async function deleteBranch(bare: string, name: string): Promise<boolean> {
  if (!(await branchExists(bare, name))) return false;
  await git(bare, ['branch', '-D', name], { fix: `check whether a worktree still has "${name}" checked out (git worktree list)` });
  return true;
}

/**
 * Push `sha` to branch `target` of `remote` (a remote name or URL/path; fast-forward only, no
 * force) and verify with `git ls-remote` that the remote's branch now points at `sha`.
 *
 * @throws GtError GIT_FAILED when the push fails (unreachable remote, rejected non-fast-forward)
 *   or the remote's branch is not at `sha` afterwards (`details.remoteSha`).
 */
export async function pushAndVerify(bare: string, remote: string, target: string, sha: string): Promise<void> {
  const commit = await mustResolve(bare, sha, 'commit');
  const ref = `refs/heads/${target}`;
  await git(bare, ['push', '--quiet', remote, `${commit}:${ref}`], {
    fix: `check that "${remote}" is reachable and accepts pushes to ${target} (fetch and rebuild if ${target} moved there)`,
  });
  const out = await git(bare, ['ls-remote', remote, ref], { fix: `check that "${remote}" is reachable` });
  const remoteSha = lines(out).map((l) => l.split(/\s+/)).find((f) => f[1] === ref)?.[0];
  if (remoteSha !== commit) {
    throw new GtError('GIT_FAILED', `pushed ${commit.slice(0, 10)} to ${remote} ${target}, but the remote has ${remoteSha ? remoteSha.slice(0, 10) : 'no such branch'}`, {
      fix: `inspect the remote (git ls-remote ${remote} ${ref}); a hook there may rewrite or reject pushes`,
      details: { remote, target, sha: commit, remoteSha },
    });
  }
}

/**
 * Refresh the rig's refinery worktree (which has the target branch checked out) after a
 * fast-forward: `git reset --hard <sha>` only when its checkout is an ancestor of `sha` and it
 * has no local changes (nothing staged, modified, unmerged or untracked).
 *
 * Since the fast-forward moved the branch under the worktree, HEAD may already be `sha` while the
 * index still holds the old checkout; the worktree counts as clean when its index equals the
 * tree of HEAD or of one of HEAD's last 1000 ancestors (and the files equal the index).
 *
 * @returns true when it was reset; false when it was already at `sha`, has local changes, or its
 *   checkout is not an ancestor of `sha`.
 * @throws GtError GIT_FAILED when `worktree` is not a work tree or `sha` is not a commit there.
 */
export async function syncWorktreeTo(worktree: string, sha: string): Promise<boolean> {
  const target = await mustResolve(worktree, sha, 'commit');
  const head = await resolveRef(worktree, 'HEAD');
  if (!head || !(await isAncestor(worktree, head, target))) return false;
  if (lines(await git(worktree, ['ls-files', '--unmerged'])).length) return false;
  if (lines(await git(worktree, ['ls-files', '--others', '--exclude-standard'])).length) return false;
  try {
    await git(worktree, ['diff-files', '--quiet']);
  } catch {
    return false; // modified in the working tree
  }
  const index = (await git(worktree, ['write-tree'])).trim();
  const headTree = (await git(worktree, ['rev-parse', `${head}^{tree}`])).trim();
  if (index === headTree) {
    if (head === target) return false;
  } else {
    // The branch moved under the worktree: its index must be the clean tree of an older commit.
    const trees = lines(await git(worktree, ['log', '--format=%T', '-n', '1000', head]));
    if (!trees.includes(index)) return false; // staged changes of its own
  }
  await wt(worktree, ['reset', '--quiet', '--hard', target]);
  return true;
}
