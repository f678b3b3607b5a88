/**
 * git plumbing for towns, rigs and crew, over simple-git (the only module allowed to import it).
 *
 * Every call runs `git` with `GIT_TERMINAL_PROMPT=0` (a missing credential fails instead of
 * waiting for a password nobody will type) and without inherited `GIT_DIR`/`GIT_WORK_TREE`
 * (so a gt run from a git hook still acts on the directory it was given). A failure becomes a
 * GtError `GIT_FAILED` naming the git command, the first lines of its stderr and a fix.
 * Commits fall back to the identity `Gas Town <gt@gastown.local>` when git has none, so a
 * fresh machine never fails with "Please tell me who you are".
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SimpleGitOptions } from 'simple-git';
import { GtError } from '../../core/errors.js';
import { withFileLock } from '../file-lock.js';

/** A commit author or committer. */
export interface GitIdentity {
  /** Display name (`user.name`). */
  name: string;
  /** E-mail address (`user.email`). */
  email: string;
}

/** The identity used when neither the environment nor git config names one. */
export const DEFAULT_IDENTITY: GitIdentity = { name: 'Gas Town', email: 'gt@gastown.local' };

// Never inherited: repository overrides (we say which repo), and editors, pagers and askpass
// helpers (gt runs git non-interactively; an askpass GUI is a prompt too). simple-git would
// also refuse to run with most of them set.
const DROPPED_ENV = new Set([
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_PREFIX',
  'EDITOR', 'VISUAL', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'PAGER', 'GIT_PAGER', 'GIT_ASKPASS', 'SSH_ASKPASS', 'PREFIX',
]);

// The user's own environment may legitimately configure ssh, config files or templates;
// simple-git blocks these unless told, so allow exactly those that are present.
const ENV_UNSAFE: Record<string, keyof NonNullable<SimpleGitOptions['unsafe']>> = {
  GIT_SSH: 'allowUnsafeSshCommand', GIT_SSH_COMMAND: 'allowUnsafeSshCommand',
  GIT_CONFIG: 'allowUnsafeConfigPaths', GIT_CONFIG_GLOBAL: 'allowUnsafeConfigPaths', GIT_CONFIG_SYSTEM: 'allowUnsafeConfigPaths',
  GIT_EXEC_PATH: 'allowUnsafeConfigPaths', GIT_CONFIG_COUNT: 'allowUnsafeConfigEnvCount',
  GIT_TEMPLATE_DIR: 'allowUnsafeTemplateDir', GIT_PROXY_COMMAND: 'allowUnsafeGitProxy', GIT_EXTERNAL_DIFF: 'allowUnsafeDiffExternal',
};

function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED_ENV.has(k.toUpperCase())) env[k] = v;
  return { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra };
}

function envUnsafe(env: Record<string, string>): NonNullable<SimpleGitOptions['unsafe']> {
  const unsafe: NonNullable<SimpleGitOptions['unsafe']> = {};
  for (const k of Object.keys(env)) {
    const flag = ENV_UNSAFE[k.toUpperCase()];
    if (flag) unsafe[flag] = true;
  }
  return unsafe;
}

interface RunOptions {
  /** How to fix a failure (shown after the error). */
  fix?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** simple-git "unsafe" switches for this call (e.g. writing a merge driver). */
  unsafe?: SimpleGitOptions['unsafe'];
}

/**
 * Run `git <args>` in `dir` and return its stdout.
 *
 * @throws GtError GIT_FAILED with the command, stderr's first lines and a fix.
 */
export async function git(dir: string, args: string[], options: RunOptions = {}): Promise<string> {
  const env = gitEnv(options.env);
  for (let attempt = 0; ; attempt++) {
    try {
      // Constructed inside the try: simple-git throws synchronously when `dir` does not exist.
      // Loaded on first use: commands that never touch git (most `bd` commands) skip its ~30 ms import.
      const { simpleGit } = await import('simple-git');
      const g = simpleGit({ baseDir: dir, trimmed: false, unsafe: { ...envUnsafe(env), ...options.unsafe }, errors: exitCodeErrors }).env(env);
      return await g.raw(args);
    } catch (e) {
      // Another process adding a worktree of the same repository at this instant: git read its
      // half-written worktrees/<name>/ entry. Transient: try again shortly.
      if (attempt < 4 && /failed to read worktrees\/|worktrees\/[^ ]+\/(commondir|gitdir)/.test(String((e as Error).message))) {
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        continue;
      }
      throw gitError(dir, args, e, options.fix);
    }
  }
}

/**
 * simple-git only fails a command that exits non-zero *and* wrote to stderr; `--quiet` queries
 * exit 1 silently, so every non-zero exit counts as a failure here.
 */
const exitCodeErrors: NonNullable<SimpleGitOptions['errors']> = (error, result) => {
  if (error || !result.exitCode) return error;
  const text = Buffer.concat([...result.stdErr, ...result.stdOut]).toString('utf8').trim();
  return Buffer.from(text || `exit code ${result.exitCode}`);
};

function gitError(dir: string, args: string[], e: unknown, fix?: string): GtError {
  const raw = e instanceof Error ? e.message : String(e);
  const lines = raw.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3);
  const shown = args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
  return new GtError('GIT_FAILED', `git ${shown} failed in ${dir}: ${lines.join(' / ') || 'no output'}`, {
    fix: fix ?? 'run the same git command by hand in that directory to see the full error',
    details: { command: ['git', ...args], cwd: dir, stderr: raw },
    cause: e,
  });
}

/** Run git and report only whether it exited 0 (for queries such as "does this ref exist"). */
async function succeeds(dir: string, args: string[]): Promise<boolean> {
  try {
    await git(dir, args);
    return true;
  } catch {
    return false;
  }
}

/**
 * Create (or re-initialise, harmlessly) a repository with a work tree.
 *
 * @param defaultBranch the initial branch name (default `main`).
 * @throws GtError GIT_FAILED.
 */
export async function initRepo(dir: string, defaultBranch = 'main'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (await isRepoRoot(dir)) return;
  await git(dir, ['init', '--quiet', `--initial-branch=${defaultBranch}`]);
}

async function isRepoRoot(dir: string): Promise<boolean> {
  try {
    const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
    return realpathSync(top) === realpathSync(dir);
  } catch {
    return false;
  }
}

/** A git config value as git resolves it in `dir` (local, global, system), or undefined. */
export async function getConfig(dir: string, key: string): Promise<string | undefined> {
  try {
    const v = (await git(dir, ['config', '--get', key])).trim();
    return v || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Set a repository-local git config value. Merge-driver keys (`merge.<name>.driver`) are
 * allowed: gt registers its own ledger merge driver this way.
 *
 * @throws GtError GIT_FAILED.
 */
export async function setConfig(dir: string, key: string, value: string): Promise<void> {
  await git(dir, ['config', '--local', key, value], { unsafe: { allowUnsafeMergeDriver: true } });
}

/**
 * Who commits in `dir`: `GIT_COMMITTER_*`/`GIT_AUTHOR_*` env, else git config `user.*`, else
 * {@link DEFAULT_IDENTITY}.
 */
export async function identityOf(dir: string): Promise<GitIdentity> {
  const env = process.env;
  const name = env.GIT_COMMITTER_NAME ?? env.GIT_AUTHOR_NAME ?? (await getConfig(dir, 'user.name'));
  const email = env.GIT_COMMITTER_EMAIL ?? env.GIT_AUTHOR_EMAIL ?? (await getConfig(dir, 'user.email'));
  return { name: name || DEFAULT_IDENTITY.name, email: email || DEFAULT_IDENTITY.email };
}

/**
 * Stage `paths` (additions, changes and deletions) and commit only them.
 *
 * @param paths paths relative to `dir` (files or directories).
 * @param author the commit author; the committer is {@link identityOf} `dir`.
 * @returns the new commit's sha, or undefined when nothing in `paths` changed (no commit made).
 * @throws GtError GIT_FAILED.
 */
export async function commitPaths(dir: string, paths: string[], message: string, author: GitIdentity): Promise<string | undefined> {
  if (!paths.length) return undefined;
  const present = paths.filter((p) => existsSync(join(dir, p)));
  const gone = paths.filter((p) => !present.includes(p));
  if (present.length) await git(dir, ['add', '-A', '--', ...present]);
  if (gone.length) await git(dir, ['rm', '-r', '--cached', '--quiet', '--ignore-unmatch', '--', ...gone]);
  // Commit exactly the staged files among `paths` (a pathspec git does not know would fail),
  // leaving anything else the user staged alone.
  const staged = (await git(dir, ['diff', '--cached', '--name-only', '-z', '--', ...paths])).split('\0').filter(Boolean);
  if (!staged.length) return undefined;
  const committer = await identityOf(dir);
  await git(dir, ['commit', '--quiet', '--no-verify', '-m', message, '--', ...staged], {
    env: {
      GIT_LITERAL_PATHSPECS: '1',
      GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email,
    },
  });
  return headSha(dir);
}

/** The sha of `HEAD` (or of `ref`) in `dir`. @throws GtError GIT_FAILED. */
export async function headSha(dir: string, ref = 'HEAD'): Promise<string> {
  return (await git(dir, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
}

/**
 * Bare-clone `url` (a local path or any git URL) into `dest`, with remote-tracking refs
 * (`refs/remotes/origin/*`) so later fetches never overwrite local branches.
 *
 * @throws GtError GIT_FAILED with a hint to check the URL and access.
 */
export async function bareClone(url: string, dest: string): Promise<void> {
  const fix = `check that "${url}" is a git repository you can read without a password prompt (try: git ls-remote ${url})`;
  mkdirSync(dirname(dest), { recursive: true });
  await git(dirname(dest), ['clone', '--bare', '--quiet', '--', url, dest], { fix });
  await git(dest, ['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
  await git(dest, ['fetch', '--quiet', 'origin'], { fix });
}

/**
 * The branch `HEAD` points at in a (bare) clone: the remote's default branch.
 *
 * @throws GtError GIT_FAILED when HEAD is detached.
 */
export async function defaultBranchOf(repo: string): Promise<string> {
  return (await git(repo, ['symbolic-ref', '--short', 'HEAD'], { fix: 'the repository has a detached HEAD; pass --branch' })).trim();
}

/** True when `refs/heads/<branch>` exists in `repo`. */
export async function branchExists(repo: string, branch: string): Promise<boolean> {
  return succeeds(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
}

/** Local branch names of `repo`, sorted. */
export async function listBranches(repo: string): Promise<string[]> {
  const out = await git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
  return out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

/** The current branch of a work tree, or undefined when HEAD is detached. */
export async function currentBranch(dir: string): Promise<string | undefined> {
  try {
    return (await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link addWorktree}. */
export interface AddWorktreeOptions {
  /** Create `branch` (from `base`, default HEAD of the bare repo) instead of checking it out. */
  create?: boolean;
  /** Start point when creating the branch. */
  base?: string;
}

/**
 * Add a worktree of `bare` at `path` on `branch`.
 *
 * @throws GtError GIT_FAILED (e.g. the branch is checked out elsewhere, or does not exist).
 */
export async function addWorktree(bare: string, path: string, branch: string, options: AddWorktreeOptions = {}): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const args = options.create
    ? ['worktree', 'add', '--quiet', '-b', branch, path, ...(options.base ? [options.base] : [])]
    : ['worktree', 'add', '--quiet', path, branch];
  await withWorktreeLock(bare, () => git(bare, args, { fix: `check that branch "${branch}" ${options.create ? 'does not already exist' : 'exists and is not checked out in another worktree'}` }));
}

/**
 * git is not safe for concurrent `worktree add/remove/prune` on one repository (one reads
 * `worktrees/<name>/commondir` while another is still writing it: "failed to read
 * worktrees/x/commondir"); concurrent slings take turns on a lock file in the repository.
 */
function withWorktreeLock<T>(repo: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(join(repo, 'gt-worktrees.lock'), fn, 120_000);
}

/**
 * Remove a worktree of `bare` (forcefully: uncommitted changes are lost) and prune stale entries.
 * A worktree whose directory is already gone is only pruned.
 *
 * @throws GtError GIT_FAILED.
 */
export async function removeWorktree(bare: string, path: string): Promise<void> {
  await withWorktreeLock(bare, async () => {
    if (existsSync(path)) await git(bare, ['worktree', 'remove', '--force', '--force', path]);
    await git(bare, ['worktree', 'prune']);
  });
}

/** `git worktree prune` under the worktree lock. @throws GtError GIT_FAILED. */
export async function pruneWorktrees(bare: string): Promise<void> {
  await withWorktreeLock(bare, () => git(bare, ['worktree', 'prune']));
}

/** Paths of every worktree of `bare` (the bare repository itself excluded). */
export async function listWorktrees(bare: string): Promise<string[]> {
  const out = await git(bare, ['worktree', 'list', '--porcelain']);
  const paths: string[] = [];
  for (const block of out.split('\n\n')) {
    const path = /^worktree (.+)$/m.exec(block)?.[1];
    if (path && !/^bare$/m.test(block)) paths.push(path);
  }
  return paths;
}

/**
 * Full clone of `url` into `dest`, checked out on `branch` (a crew member's clone).
 *
 * @throws GtError GIT_FAILED.
 */
export async function cloneRepo(url: string, dest: string, branch: string): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true });
  await git(dirname(dest), ['clone', '--quiet', '--branch', branch, '--', url, dest], {
    fix: `check that "${url}" is readable and has a branch "${branch}"`,
  });
}

/** True when `dir` has a remote called `name` (default `origin`). */
export async function hasRemote(dir: string, name = 'origin'): Promise<boolean> {
  const out = await git(dir, ['remote']);
  return out.split('\n').map((l) => l.trim()).includes(name);
}

/** The URL of remote `name`, or undefined when there is none. */
export async function remoteUrl(dir: string, name = 'origin'): Promise<string | undefined> {
  return getConfig(dir, `remote.${name}.url`);
}

/** Point remote `name` at `url`, adding the remote when missing. @throws GtError GIT_FAILED. */
export async function setRemoteUrl(dir: string, name: string, url: string): Promise<void> {
  if (await hasRemote(dir, name)) await git(dir, ['remote', 'set-url', name, url]);
  else await git(dir, ['remote', 'add', name, url]);
}

/**
 * Fetch from a remote (one branch, or everything).
 *
 * @throws GtError GIT_FAILED.
 */
export async function fetch(dir: string, remote = 'origin', branch?: string): Promise<void> {
  await git(dir, ['fetch', '--quiet', remote, ...(branch ? [branch] : [])], {
    fix: `check that remote "${remote}" is reachable (git remote -v in ${dir})`,
  });
}

/**
 * Pull `branch` from `remote` into the current branch: fast-forward only by default,
 * or rebase.
 *
 * @throws GtError GIT_FAILED (e.g. the histories diverged and `rebase` was not asked for).
 */
export async function pull(dir: string, remote: string, branch: string, options: { rebase?: boolean } = {}): Promise<void> {
  await git(dir, ['pull', '--quiet', options.rebase ? '--rebase' : '--ff-only', remote, branch], {
    fix: options.rebase ? 'resolve the rebase conflict in that directory, then retry' : 'the branches diverged: rebase or merge by hand, then retry',
  });
}

/**
 * Push `branch` to `remote`.
 *
 * @param options.force use `--force-with-lease`; `setUpstream` records the upstream.
 * @throws GtError GIT_FAILED.
 */
export async function push(dir: string, remote: string, branch: string, options: { force?: boolean; setUpstream?: boolean } = {}): Promise<void> {
  const args = ['push', '--quiet', ...(options.force ? ['--force-with-lease'] : []), ...(options.setUpstream ? ['-u'] : []), remote, `${branch}:${branch}`];
  await git(dir, args, { fix: `fetch and rebase onto ${remote}/${branch}, or check push access to "${remote}"` });
}

/** True when `dir` is inside a git work tree (false for bare repositories and plain dirs). */
export async function isInsideWorkTree(dir: string): Promise<boolean> {
  try {
    return (await git(dir, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/** Uncommitted changes in a work tree as `git status --porcelain` lines (untracked included). */
export async function statusLines(dir: string): Promise<string[]> {
  const out = await git(dir, ['status', '--porcelain']);
  return out.split('\n').filter((l) => l.trim());
}

/** Commits on local branches that no remote-tracking ref contains (work that was never pushed). */
export async function unpushedCount(dir: string): Promise<number> {
  return Number((await git(dir, ['rev-list', '--count', '--branches', '--not', '--remotes'])).trim()) || 0;
}
