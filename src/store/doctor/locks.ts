/**
 * The `lock.stale` check of `gt doctor`: lock files left behind by processes that died.
 *
 * - gt's own pid lock files (file-lock.ts): `<rig>/.repo.git/gt-worktrees.lock` (worktree
 *   changes) and `<town>/.beads/.sync.lock` (ledger commits): stale when the pid inside is gone.
 * - git's lock files (`index.lock`, `HEAD.lock`, `config.lock`, `packed-refs.lock`) in the town
 *   repo, each rig's bare repo and its worktrees, and crew clones: stale when older than
 *   {@link GIT_LOCK_STALE_MS} and no running git process works in that repository (on Linux,
 *   read from /proc; elsewhere age alone decides).
 *
 * The daemon's start claim is checked with the daemon (daemon/doctor). The repair removes the file.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Finding } from '../../core/doctor/types.js';
import { beadsDir, crewRootDir, rigBareRepo } from '../../core/town/layout.js';
import { isProcessAlive } from '../process-alive.js';
import { listRigs } from '../town/rigs.js';
import type { Town } from '../town/town.js';

/** Age after which a git lock file with no git process around counts as stale, in ms (5 minutes). */
export const GIT_LOCK_STALE_MS = 5 * 60_000;

/** git's lock files checked in each git directory. */
const GIT_LOCKS = ['index.lock', 'HEAD.lock', 'config.lock', 'packed-refs.lock'];

/** One git directory and the work tree it belongs to (for "is a git process working there"). */
interface GitDir {
  gitDir: string;
  workTree: string;
}

function gitDirs(town: Town): GitDir[] {
  const dirs: GitDir[] = [{ gitDir: join(town.root, '.git'), workTree: town.root }];
  for (const { name } of listRigs(town)) {
    const bare = rigBareRepo(town.root, name);
    dirs.push({ gitDir: bare, workTree: bare });
    const wts = join(bare, 'worktrees');
    if (existsSync(wts)) {
      for (const e of readdirSync(wts, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        let workTree = bare;
        try {
          // worktrees/<id>/gitdir holds `<worktree>/.git`
          workTree = readFileSync(join(wts, e.name, 'gitdir'), 'utf8').trim().replace(/[\\/]\.git$/, '');
        } catch { /* half-made entry: the bare repo stands in */ }
        dirs.push({ gitDir: join(wts, e.name), workTree });
      }
    }
    const crew = crewRootDir(town.root, name);
    if (existsSync(crew)) {
      for (const e of readdirSync(crew, { withFileTypes: true })) if (e.isDirectory()) dirs.push({ gitDir: join(crew, e.name, '.git'), workTree: join(crew, e.name) });
    }
  }
  return dirs;
}

/**
 * Working directories of running git processes (Linux /proc), or undefined when they cannot be
 * listed on this system.
 */
function gitProcessDirs(): string[] | undefined {
  if (process.platform !== 'linux' || !existsSync('/proc/self/comm')) return undefined;
  const dirs: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'git' || comm.startsWith('git-')) dirs.push(readlinkSync(`/proc/${pid}/cwd`));
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return dirs;
}

/** The pid in a gt lock file, NaN when the file is empty, unreadable or holds no pid. */
function readPid(file: string): number {
  let text = '';
  try { text = readFileSync(file, 'utf8').trim(); } catch { /* removed meanwhile */ }
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

function inside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A repair removing `file`, after checking it is still the same stale lock (`stillStale`). */
function removal(file: string, what: string, stillStale: () => boolean): () => Promise<string> {
  return async () => {
    if (!existsSync(file)) return `${file} was already gone`;
    if (!stillStale()) throw new Error(`${file} was taken again meanwhile; left alone`);
    rmSync(file, { force: true });
    return `removed ${what} ${file}`;
  };
}

function ageText(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

/**
 * Find stale lock files in the town (see the module comment for which and when).
 *
 * @param now the current time in ms since the epoch (tests pass their own).
 * @returns one problem per stale lock (repaired by removing it), or one `ok` finding.
 */
export function checkLocks(town: Town, now: number = Date.now()): Finding[] {
  const found: Finding[] = [];
  let checked = 0;
  const pidLocks = [join(beadsDir(town.root), '.sync.lock'), ...listRigs(town).map((r) => join(rigBareRepo(town.root, r.name), 'gt-worktrees.lock'))];
  for (const file of pidLocks) {
    if (!existsSync(file)) continue;
    checked++;
    const owner = readPid(file);
    if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) continue;
    // An empty file is a lock being taken right now (created, pid not yet written) unless old.
    if (Number.isNaN(owner) && now - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now) < 60_000) continue;
    found.push({
      id: 'lock.stale', status: 'problem', message: `${file} is held by process ${Number.isNaN(owner) ? '?' : owner}, which is gone`,
      fix: '`gt doctor --fix` removes it (gt also takes over such a lock by itself when it next needs it)',
      details: { file, pid: Number.isNaN(owner) ? null : owner, kind: 'gt' },
      repair: removal(file, 'the stale gt lock', () => {
        const current = readPid(file);
        return current === owner || (Number.isNaN(current) && Number.isNaN(owner));
      }),
    });
  }
  let gitCwds: string[] | undefined | null = null; // listed once, on the first old git lock
  for (const { gitDir, workTree } of gitDirs(town)) {
    for (const name of GIT_LOCKS) {
      const file = join(gitDir, name);
      let mtime: number;
      try { mtime = statSync(file).mtimeMs; } catch { continue; }
      checked++;
      const age = now - mtime;
      if (age < GIT_LOCK_STALE_MS) continue;
      if (gitCwds === null) gitCwds = gitProcessDirs();
      if (gitCwds?.some((d) => inside(d, workTree) || inside(d, gitDir))) continue;
      found.push({
        id: 'lock.stale', status: 'problem',
        message: `${file} is ${ageText(age)} old and no git process is working there${gitCwds ? '' : ' (by age: processes cannot be listed here)'}`,
        fix: `\`gt doctor --fix\` removes it (or: rm ${file})`,
        details: { file, age_ms: Math.round(age), kind: 'git' },
        repair: removal(file, 'the stale git lock', () => {
          try { return statSync(file).mtimeMs === mtime; } catch { return false; }
        }),
      });
    }
  }
  if (found.length) return found;
  return [{ id: 'lock.stale', status: 'ok', message: checked ? `no stale lock files (${checked} held by live processes or recent)` : 'no lock files', details: { checked } }];
}
