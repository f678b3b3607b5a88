/**
 * The git and file side of polecat sandboxes: what work is unsaved, preserving it on a keep
 * branch, deleting a branch only when nothing would be lost, copying `.worktreeinclude` files
 * and running the rig's setup command (gastown-features.md §2.3, §3.10).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GtError } from '../../core/errors.js';
import { refineryWorktree, rigBareRepo } from '../../core/town/layout.js';
import { keepBranch, polecatAddress, polecatEmail } from '../../core/work/names.js';
import { branchExists, commitPaths, git, headSha, statusLines, type GitIdentity } from '../git/git.js';
import { getRig } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { appendHistory, listMergeRequests } from './agents.js';

/** The longest a rig's `setup_command` may run, in ms (10 minutes). */
export const SETUP_TIMEOUT_MS = 600_000;

/** Merge-request states in which the refinery still needs the branch. */
const PENDING_MR = new Set(['queued', 'testing', 'rework']);

/** The git identity a polecat commits as: name = its address, email `<rig>.polecats.<name>@<domain>`. */
export function polecatAuthor(town: Town, rig: string, name: string): GitIdentity {
  return { name: polecatAddress(rig, name), email: polecatEmail(rig, name, town.settings().agent_email_domain) };
}

/** Commits reachable from `ref` but not from `refs/heads/<base>`, counted in `repo`. */
export async function aheadCount(repo: string, ref: string, base: string): Promise<number> {
  return Number((await git(repo, ['rev-list', '--count', ref, '--not', `refs/heads/${base}`])).trim()) || 0;
}

async function commitExists(repo: string, sha: string): Promise<boolean> {
  try {
    await git(repo, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** Work in a sandbox that would be lost if it were reset or removed. */
export interface UnsavedWork {
  /** Uncommitted changes (`git status --porcelain` lines, untracked included). */
  dirty: number;
  /** Commits on the branch that are on no default branch, keep branch or merge request. */
  unmerged: number;
  /** Commits on the branch not on the default branch (0 unless asked for or unmerged > 0). */
  ahead: number;
  /** The branch (or `HEAD`) examined. */
  ref: string;
  /** Human wording: "2 uncommitted changes; 1 commit on polecat/nux/gt-a not on main, …". */
  text: string;
}

/**
 * What work a sandbox holds that exists nowhere else.
 *
 * @param wt the worktree (undefined when it is gone: only the branch is examined).
 * @param branch its branch (undefined: a detached `HEAD` of `wt`).
 * @param options.countAhead also count `ahead` when there is no unmerged work.
 * @throws GtError RIG_NOT_FOUND, GIT_FAILED.
 */
export async function unsavedWork(town: Town, rig: string, wt: string | undefined, branch: string | undefined, options: { countAhead?: boolean } = {}): Promise<UnsavedWork> {
  const base = getRig(town, rig).default_branch;
  const bare = rigBareRepo(town.root, rig);
  const dirty = wt ? (await statusLines(wt)).length : 0;
  const ref = branch ?? 'HEAD';
  const repo = wt ?? bare;
  let ahead = 0;
  let unmerged = 0;
  const present = branch ? await branchExists(bare, branch) : Boolean(wt);
  if (present) {
    ahead = await aheadCount(repo, ref, base);
    if (ahead) {
      const shas: string[] = [];
      for (const m of branch ? listMergeRequests(town.db, { branch }) : []) if (await commitExists(bare, m.commit_sha)) shas.push(m.commit_sha);
      const out = await git(repo, ['rev-list', '--count', ref, '--not', `refs/heads/${base}`, '--glob=refs/heads/keep/*', ...shas]);
      unmerged = Number(out.trim()) || 0;
    }
  }
  if (!options.countAhead && !unmerged) ahead = 0;
  const parts = [
    dirty ? `${dirty} uncommitted change${dirty > 1 ? 's' : ''}` : '',
    unmerged ? `${unmerged} commit${unmerged > 1 ? 's' : ''} on ${ref} not on ${base}, a keep/ branch or a merge request` : '',
  ].filter(Boolean);
  return { dirty, unmerged, ahead, ref, text: parts.join('; ') };
}

/**
 * Preserve a polecat's work: commit uncommitted changes (as the polecat), then point
 * `keep/polecat/<name>/<tail>` (`-2`, `-3`, … when taken) at the branch, and record `kept` in
 * the agent's history.
 *
 * @returns the keep branch.
 * @throws GtError GIT_FAILED.
 */
export async function preserveWork(town: Town, rig: string, name: string, wt: string | undefined, branch: string | undefined): Promise<string> {
  const bare = rigBareRepo(town.root, rig);
  const address = polecatAddress(rig, name);
  if (wt && (await statusLines(wt)).length) {
    await commitPaths(wt, ['.'], `gt: preserve uncommitted work of ${address}`, polecatAuthor(town, rig, name));
  }
  const first = keepBranch(name, branch ?? 'detached');
  let keep = first;
  for (let n = 2; await branchExists(bare, keep); n++) keep = `${first}-${n}`;
  await git(wt ?? bare, ['branch', keep, branch ?? 'HEAD']);
  const sha = await headSha(bare, `refs/heads/${keep}`);
  appendHistory(town.db, { agent: address, bead_id: (branch ?? '').split('/').pop() ?? '', outcome: 'kept', detail: `${branch ?? 'HEAD'} kept on ${keep} (${sha.slice(0, 10)})` });
  return keep;
}

/**
 * Delete a polecat branch from the bare repo when nothing is lost: it has no commits beyond the
 * default branch, or its work was `kept`, or its merge request was merged — and no pending
 * merge request still needs it. Failures are swallowed (the branch simply stays).
 *
 * @returns true when the branch was deleted.
 */
export async function deleteBranchIfSafe(town: Town, rig: string, branch: string, kept: boolean): Promise<boolean> {
  const bare = rigBareRepo(town.root, rig);
  try {
    if (!(await branchExists(bare, branch))) return false;
    const mrs = listMergeRequests(town.db, { branch });
    if (mrs.some((m) => PENDING_MR.has(m.state))) return false;
    const sha = await headSha(bare, `refs/heads/${branch}`);
    const merged = mrs.some((m) => m.state === 'merged' && m.commit_sha === sha);
    if (!kept && !merged && (await aheadCount(bare, branch, getRig(town, rig).default_branch)) > 0) return false;
    await git(bare, ['branch', '-D', branch]);
    return true;
  } catch {
    return false;
  }
}

const GLOB = /[*?[]/;

function globRegex(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*+/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Relative paths under `root` matching a `.worktreeinclude` line (`*`, `?`, `[…]` per segment). */
function expandPattern(root: string, pattern: string): string[] {
  const segs = pattern.replace(/^\/+/, '').replace(/\/+$/, '').split('/').filter((s) => s && s !== '.');
  if (!segs.length || segs.includes('..')) return [];
  let found = [''];
  for (const seg of segs) {
    const next: string[] = [];
    for (const dir of found) {
      if (!GLOB.test(seg)) {
        next.push(dir ? `${dir}/${seg}` : seg);
        continue;
      }
      const abs = join(root, dir);
      if (!existsSync(abs)) continue;
      const re = globRegex(seg);
      for (const e of readdirSync(abs)) if (e !== '.git' && re.test(e)) next.push(dir ? `${dir}/${e}` : e);
    }
    found = next;
  }
  return found.filter((p) => existsSync(join(root, p)));
}

/**
 * Copy the files a repo lists in `.worktreeinclude` (gitignored files such as `.env`) from the
 * rig's refinery worktree into a sandbox. One path or glob per line; `#` starts a comment;
 * paths with `..` are ignored; tracked paths are never overwritten.
 *
 * @returns the copied relative paths.
 * @throws GtError GIT_FAILED.
 */
export async function copyWorktreeIncludes(town: Town, rig: string, wt: string): Promise<string[]> {
  const src = refineryWorktree(town.root, rig);
  const list = [join(wt, '.worktreeinclude'), join(src, '.worktreeinclude')].find((f) => existsSync(f));
  if (!list) return [];
  const patterns = readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  const paths = [...new Set(patterns.flatMap((p) => expandPattern(src, p)))];
  if (!paths.length) return [];
  const tracked = (await git(wt, ['ls-files', '-z', '--', ...paths], { env: { GIT_LITERAL_PATHSPECS: '1' } })).split('\0').filter(Boolean);
  const copied: string[] = [];
  for (const p of paths) {
    if (tracked.some((t) => t === p || t.startsWith(`${p}/`))) continue;
    mkdirSync(dirname(join(wt, p)), { recursive: true });
    cpSync(join(src, p), join(wt, p), { recursive: true, force: true });
    copied.push(p);
  }
  return copied;
}

/** The result of a successful setup command. */
export interface SetupResult {
  /** The command as configured. */
  command: string;
  /** Its exit code (0). */
  exitCode: number;
  /** The last lines of its combined stdout and stderr (at most 2,000 characters). */
  output: string;
  /** How long it ran, in ms. */
  durationMs: number;
}

function tail(text: string, lines = 20, chars = 2000): string {
  const t = text.trimEnd().split('\n').slice(-lines).join('\n');
  return t.length > chars ? `…${t.slice(-chars)}` : t;
}

/**
 * Run a rig's `setup_command` in a sandbox through the shell (it is the user's own configured
 * command), with the polecat's Gas Town environment, for at most {@link SETUP_TIMEOUT_MS}.
 *
 * @throws GtError CONFIG_INVALID when it exits non-zero or times out, with the output's tail.
 */
export async function runSetupCommand(town: Town, rig: string, name: string, wt: string, command: string): Promise<SetupResult> {
  const { execa } = await import('execa');
  const started = Date.now();
  const r = await execa(command, {
    shell: true, cwd: wt, timeout: SETUP_TIMEOUT_MS, all: true, reject: false, stdin: 'ignore',
    env: { GT_ROOT: town.root, GT_RIG: rig, GT_ROLE: 'polecat', GT_POLECAT: name, BD_ACTOR: polecatAddress(rig, name) },
  });
  const output = tail(typeof r.all === 'string' ? r.all : '');
  if (r.failed) {
    const how = r.timedOut ? `timed out after ${SETUP_TIMEOUT_MS / 60_000} minutes` : `exited with code ${r.exitCode ?? '?'}`;
    throw new GtError('CONFIG_INVALID', `rig "${rig}" setup_command \`${command}\` ${how} in ${wt}${output ? `:\n${output}` : ''}`, {
      fix: `fix the command (setup_command in ${rig}/settings/config.json) or the project, then sling again`,
      details: { command, exitCode: r.exitCode ?? null, timedOut: r.timedOut, output, worktree: wt },
    });
  }
  return { command, exitCode: r.exitCode ?? 0, output, durationMs: Date.now() - started };
}
