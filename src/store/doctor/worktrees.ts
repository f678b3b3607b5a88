/**
 * The `worktree.orphaned` check of `gt doctor`: polecat sandboxes (`<town>/<rig>/polecats/<name>`,
 * polecats.ts) that no agent owns, and worktrees the rig's bare repo still registers whose
 * directory is gone.
 *
 * The repair never loses work: an orphan's uncommitted changes are committed and its commits
 * kept on `keep/polecat/<name>/<tail>` (the keep logic of `gt polecat nuke`, sandbox.ts) before
 * `git worktree remove --force` and a prune. Its branch stays. A directory that is not a
 * worktree of the rig is reported and left alone.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Finding } from '../../core/doctor/types.js';
import { polecatsDir, rigBareRepo } from '../../core/town/layout.js';
import { currentBranch, git, pruneWorktrees, removeWorktree } from '../git/git.js';
import { listRigs } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { listAgents } from '../work/agents.js';
import { preserveWork, unsavedWork } from '../work/sandbox.js';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** One worktree as `git worktree list --porcelain` describes it. */
interface RegisteredWorktree {
  path: string;
  branch?: string;
  prunable: boolean;
}

async function registered(bare: string): Promise<RegisteredWorktree[]> {
  const out = await git(bare, ['worktree', 'list', '--porcelain']);
  const list: RegisteredWorktree[] = [];
  for (const block of out.split('\n\n')) {
    const path = /^worktree (.+)$/m.exec(block)?.[1];
    if (!path || /^bare$/m.test(block)) continue;
    const branch = /^branch refs\/heads\/(.+)$/m.exec(block)?.[1];
    list.push({ path, ...(branch ? { branch } : {}), prunable: /^prunable/m.test(block) || !existsSync(path) });
  }
  return list;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function removeOrphan(town: Town, rig: string, name: string, wt: string): Promise<string> {
  const bare = rigBareRepo(town.root, rig);
  const branch = await currentBranch(wt);
  const risk = await unsavedWork(town, rig, wt, branch);
  let kept = '';
  if (risk.dirty || risk.unmerged) {
    const keep = await preserveWork(town, rig, name, wt, branch);
    const what = [risk.dirty ? plural(risk.dirty, 'uncommitted change') : '', risk.unmerged ? plural(risk.unmerged, 'commit') : ''].filter(Boolean).join(' and ');
    kept = `, kept its ${what} on ${keep}`;
  }
  await removeWorktree(bare, wt);
  return `removed orphaned worktree ${wt}${branch ? ` (branch ${branch} stays)` : ''}${kept}`;
}

/**
 * Find orphaned and prunable worktrees in every rig.
 *
 * - a directory under `<rig>/polecats/` that is a worktree of the rig's bare repo and that no
 *   (not nuked) agent's `worktree` names: a problem, repaired by keeping its work and removing it;
 * - such a directory that is not a worktree of the rig: a problem, not repaired (move it away);
 * - a worktree registered in the bare repo whose directory is gone: a problem, repaired by
 *   `git worktree prune` (its branch stays).
 *
 * @returns the problems, or one `ok` finding when there are none.
 * @throws GtError GIT_FAILED when a rig's bare repo cannot be read.
 */
export async function checkWorktrees(town: Town): Promise<Finding[]> {
  const owned = new Set(listAgents(town.db).filter((a) => a.worktree).map((a) => real(a.worktree)));
  const found: Finding[] = [];
  let scanned = 0;
  for (const { name: rig } of listRigs(town)) {
    const bare = rigBareRepo(town.root, rig);
    if (!existsSync(bare)) continue; // a broken rig: `gt rig show` says so
    const worktrees = await registered(bare);
    const live = new Set(worktrees.filter((w) => !w.prunable).map((w) => real(w.path)));
    const dir = polecatsDir(town.root, rig);
    const entries = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()) : [];
    for (const e of entries) {
      scanned++;
      const wt = join(dir, e.name);
      if (owned.has(real(wt))) continue;
      const details = { rig, path: wt, name: e.name };
      if (!live.has(real(wt))) {
        found.push({
          id: 'worktree.orphaned', status: 'problem', message: `${wt} belongs to no agent and is not a worktree of rig ${rig}`,
          fix: `look inside, then move it away (doctor leaves directories it did not make alone): mv ${wt} /tmp/`, details: { ...details, worktree: false },
        });
        continue;
      }
      const branch = worktrees.find((w) => real(w.path) === real(wt))?.branch;
      found.push({
        id: 'worktree.orphaned', status: 'problem',
        message: `${wt}${branch ? ` (branch ${branch})` : ''} is a polecat worktree no agent owns`,
        fix: '`gt doctor --fix` removes it, keeping any unsaved work on a keep/polecat/… branch',
        details: { ...details, worktree: true, ...(branch ? { branch } : {}) },
        repair: () => removeOrphan(town, rig, e.name, wt),
      });
    }
    for (const w of worktrees.filter((x) => x.prunable)) {
      found.push({
        id: 'worktree.orphaned', status: 'problem',
        message: `rig ${rig} still registers worktree ${w.path}${w.branch ? ` (branch ${w.branch})` : ''}, whose directory is gone`,
        fix: `\`gt doctor --fix\` prunes it (git -C ${bare} worktree prune); the branch stays`,
        details: { rig, path: w.path, prunable: true, ...(w.branch ? { branch: w.branch } : {}) },
        repair: async () => {
          await pruneWorktrees(bare);
          return `pruned the stale worktree entry ${w.path} of rig ${rig}${w.branch ? ` (branch ${w.branch} stays)` : ''}`;
        },
      });
    }
  }
  if (found.length) return found;
  return [{ id: 'worktree.orphaned', status: 'ok', message: `no orphaned worktrees (${`${scanned} polecat sandbox${scanned === 1 ? '' : 'es'}`} checked)`, details: { scanned } }];
}
