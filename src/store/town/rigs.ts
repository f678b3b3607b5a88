/**
 * Rigs: the git repositories a town manages (gastown-features.md §2.2).
 *
 * `addRig` makes `<town>/<rig>/` with a shared bare clone (`.repo.git`), the refinery's worktree
 * on the default branch (`refinery/rig`), `polecats/`, `crew/` and `settings/config.json`, and
 * records the rig in the `rigs` table last, so a failure at any step leaves nothing behind.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { GtError, closeMatches } from '../../core/errors.js';
import { derivePrefix } from '../../core/ledger/ids.js';
import { nowTime } from '../../core/ledger/time.js';
import {
  crewRootDir, polecatsDir, refineryWorktree, rigBareRepo, rigDir, rigSettingsFile,
} from '../../core/town/layout.js';
import { validatePrefix, validateRigName } from '../../core/town/names.js';
import { RigSettingsSchema, getSetting, type RigSettings } from '../../core/town/settings.js';
import {
  addWorktree, bareClone, branchExists, defaultBranchOf, git, isInsideWorkTree, listBranches,
  listWorktrees, removeWorktree, statusLines, unpushedCount,
} from '../git/git.js';
import { readTx, writeTx } from '../sqlite/db.js';
import { readSettingsFile, updateSettingsFile, writeJsonAtomic, type Town } from './town.js';

/** A row of the `rigs` table. */
export interface Rig {
  /** Rig name (letters, digits, `_`); also its directory under the town root. */
  name: string;
  /** Bead prefix of the rig's beads (`gt` → `gt-a3f8`), unique in the town. */
  prefix: string;
  /** Where the rig was cloned from: a URL, or an absolute local path. */
  git_url: string;
  /** The branch merges land on (the refinery worktree's branch). */
  default_branch: string;
  /** ISO-8601 time the rig was added. */
  added_at: string;
}

/** Options of {@link addRig}. */
export interface AddRigOptions {
  /** Rig name (validated by validateRigName). */
  name: string;
  /** Git URL or local path of the repository. */
  url: string;
  /** Bead prefix (default: derived from the name). */
  prefix?: string;
  /** Default branch (default: the remote's HEAD). */
  branch?: string;
  /** Directory relative local paths are resolved against (default `process.cwd()`). */
  cwd?: string;
}

function rowOf(town: Town, name: string): Rig | undefined {
  return town.db.prepare('SELECT name, prefix, git_url, default_branch, added_at FROM rigs WHERE name = ?').get(name) as Rig | undefined;
}

function rigWithPrefix(town: Town, prefix: string): string | undefined {
  const row = town.db.prepare('SELECT name FROM rigs WHERE prefix = ?').get(prefix) as { name: string } | undefined;
  return row?.name;
}

function freePrefix(town: Town, base: string): string {
  for (let i = 2; ; i++) {
    const p = `${base.slice(0, 7)}${i}`;
    if (!rigWithPrefix(town, p)) return p;
  }
}

function assertFree(town: Town, name: string, prefix: string): void {
  if (rowOf(town, name)) {
    throw new GtError('RIG_EXISTS', `rig "${name}" already exists`, {
      fix: `choose another name, or remove it first with \`gt rig remove ${name}\``,
    });
  }
  const owner = rigWithPrefix(town, prefix);
  if (owner) {
    throw new GtError('RIG_INVALID', `prefix "${prefix}" is already used by rig "${owner}"`, {
      fix: `pass another prefix, e.g. --prefix ${freePrefix(town, prefix)}`,
      details: { prefix, rig: owner },
    });
  }
}

/** A local path (relative to `cwd`) made absolute; URLs (`scheme://`, `user@host:path`) unchanged. */
function resolveUrl(url: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^/\\]+:/.test(url)) return url;
  const local = resolve(cwd, url);
  return existsSync(local) ? local : url;
}

/**
 * Add a rig: validate, bare-clone, pick the branch, add the refinery worktree, create the
 * rig's directories and settings, then insert the `rigs` row. On any failure everything made
 * so far is removed.
 *
 * @returns the new row.
 * @throws GtError RIG_INVALID (bad name, prefix taken or invalid, branch missing, empty repo),
 *   RIG_EXISTS (name taken or directory present), GIT_FAILED (clone failed).
 */
export async function addRig(town: Town, options: AddRigOptions): Promise<Rig> {
  const name = validateRigName(options.name);
  const prefix = validatePrefix(options.prefix ?? derivePrefix(name));
  assertFree(town, name, prefix);
  const dir = rigDir(town.root, name);
  if (existsSync(dir)) {
    throw new GtError('RIG_EXISTS', `${dir} already exists but is not a rig`, {
      fix: 'move that directory away, or choose another rig name',
    });
  }
  const url = resolveUrl(options.url, options.cwd ?? process.cwd());
  mkdirSync(dir); // not recursive: EEXIST if a concurrent add got here first, so we never delete its dir
  try {
    const bare = rigBareRepo(town.root, name);
    await bareClone(url, bare);
    const branch = await pickBranch(bare, url, options.branch);
    // The bare repo's HEAD names the rig's branch, so defaultBranchOf(bare) agrees with the row.
    await git(bare, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
    await addWorktree(bare, refineryWorktree(town.root, name), branch);
    mkdirSync(polecatsDir(town.root, name), { recursive: true });
    mkdirSync(crewRootDir(town.root, name), { recursive: true });
    writeJsonAtomic(rigSettingsFile(town.root, name), readSettingsFile(rigSettingsFile(town.root, name), RigSettingsSchema));
    const rig: Rig = { name, prefix, git_url: url, default_branch: branch, added_at: nowTime() };
    writeTx(town.db, () => {
      assertFree(town, name, prefix); // another process may have added one meanwhile
      town.db.prepare('INSERT INTO rigs (name, prefix, git_url, default_branch, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(rig.name, rig.prefix, rig.git_url, rig.default_branch, rig.added_at);
    });
    return rig;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function pickBranch(bare: string, url: string, wanted: string | undefined): Promise<string> {
  const branch = wanted ?? (await defaultBranchOf(bare));
  if (await branchExists(bare, branch)) return branch;
  const branches = await listBranches(bare);
  if (!branches.length) {
    throw new GtError('RIG_INVALID', `${url} has no commits`, { fix: 'commit and push at least one commit to it, then add the rig' });
  }
  const near = closeMatches(branch, branches);
  throw new GtError('RIG_INVALID', `branch "${branch}" does not exist in ${url}`, {
    fix: `${near.length ? `did you mean --branch ${near[0]}? ` : ''}branches: ${branches.slice(0, 10).join(', ')}`,
    details: { branch, branches },
  });
}

/** Every rig, by name. */
export function listRigs(town: Town): Rig[] {
  return readTx(town.db, () => town.db.prepare('SELECT name, prefix, git_url, default_branch, added_at FROM rigs ORDER BY name').all() as Rig[]);
}

/**
 * One rig by name.
 *
 * @throws GtError RIG_NOT_FOUND with close matches (or how to add a rig).
 */
export function getRig(town: Town, name: string): Rig {
  const row = rowOf(town, name);
  if (row) return row;
  const names = listRigs(town).map((r) => r.name);
  const near = closeMatches(name, names);
  throw new GtError('RIG_NOT_FOUND', `no rig "${name}"`, {
    fix: near.length
      ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
      : names.length ? `rigs: ${names.join(', ')}` : 'add one with `gt rig add <name> <git-url-or-path>`',
    details: { name, candidates: near },
  });
}

/** Options of {@link removeRig}. */
export interface RemoveRigOptions {
  /** Remove even when crew clones hold uncommitted or unpushed work (it is lost). */
  force?: boolean;
}

/**
 * Remove a rig: its worktrees, its directory, its `rigs` row and its `crew` rows.
 *
 * @returns the removed row.
 * @throws GtError RIG_NOT_FOUND; RIG_INVALID (without `force`) when a crew clone has uncommitted
 *   changes or unpushed commits, listing them.
 */
export async function removeRig(town: Town, name: string, options: RemoveRigOptions = {}): Promise<Rig> {
  const rig = getRig(town, name);
  if (!options.force) {
    const unsaved = await unsavedCrewWork(town, name);
    if (unsaved.length) {
      throw new GtError('RIG_INVALID', `rig "${name}" has crew work that would be lost: ${unsaved.join('; ')}`, {
        fix: `commit and push it, or run \`gt rig remove ${name} --force\` to delete it anyway`,
        details: { unsaved },
      });
    }
  }
  const bare = rigBareRepo(town.root, name);
  if (existsSync(bare)) {
    // Worktrees may live outside the rig directory; remove them through git first.
    const worktrees = await listWorktrees(bare).catch(() => [] as string[]);
    for (const wt of worktrees) await removeWorktree(bare, wt).catch(() => undefined);
  }
  rmSync(rigDir(town.root, name), { recursive: true, force: true });
  writeTx(town.db, () => {
    town.db.prepare('DELETE FROM crew WHERE rig = ?').run(name);
    town.db.prepare('DELETE FROM rigs WHERE name = ?').run(name);
  });
  return rig;
}

async function unsavedCrewWork(town: Town, rig: string): Promise<string[]> {
  const root = crewRootDir(town.root, rig);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = resolve(root, entry.name);
    if (!(await isInsideWorkTree(dir))) continue;
    const changes = (await statusLines(dir)).length;
    const ahead = await unpushedCount(dir);
    const parts = [changes ? `${changes} uncommitted change${changes > 1 ? 's' : ''}` : '', ahead ? `${ahead} unpushed commit${ahead > 1 ? 's' : ''}` : ''].filter(Boolean);
    if (parts.length) out.push(`crew/${entry.name} (${parts.join(', ')})`);
  }
  return out;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Which rig a path is inside (`<town>/<rig>/…`), or undefined for paths outside every rig.
 *
 * @param path absolute, or relative to the process's cwd.
 */
export function rigForPath(town: Town, path: string): string | undefined {
  const rel = relative(real(town.root), real(resolve(path)));
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const first = rel.split(sep)[0]!;
  return rowOf(town, first) ? first : undefined;
}

/**
 * A rig's settings (`<rig>/settings/config.json`), defaults filled in.
 *
 * @throws GtError RIG_NOT_FOUND; CONFIG_INVALID when the file is broken.
 */
export function rigSettings(town: Town, rig: string): RigSettings {
  getRig(town, rig);
  return readSettingsFile(rigSettingsFile(town.root, rig), RigSettingsSchema);
}

/**
 * One dotted key of a rig's settings (`merge_queue.batch_size`).
 *
 * @throws GtError RIG_NOT_FOUND; CONFIG_KEY for an unknown key.
 */
export function getRigSetting(town: Town, rig: string, key: string): unknown {
  return getSetting(RigSettingsSchema, rigSettings(town, rig), key);
}

/**
 * Set a dotted key of a rig's settings (value parsed as JSON when it parses), validate, and
 * write the file atomically. A gate given as a plain command (`merge_queue.gates.test "npm test"`)
 * becomes `{"cmd": "npm test"}` with the default timeout and phase.
 *
 * @returns the new settings.
 * @throws GtError RIG_NOT_FOUND; CONFIG_KEY; CONFIG_INVALID.
 */
export function setRigSetting(town: Town, rig: string, key: string, value: string): RigSettings {
  getRig(town, rig);
  // `merge_queue.gates.<name> "npm test"`: a plain command is short for {"cmd": "npm test"}.
  const gate = /^merge_queue\.gates\.[A-Za-z0-9_-]+$/.test(key) && !value.trim().startsWith('{');
  return updateSettingsFile(rigSettingsFile(town.root, rig), RigSettingsSchema, key, gate ? JSON.stringify({ cmd: value }) : value);
}

/**
 * Remove a dotted key of a rig's settings so its default applies again.
 *
 * @returns the new settings.
 * @throws GtError RIG_NOT_FOUND; CONFIG_KEY; CONFIG_INVALID when the key is required.
 */
export function unsetRigSetting(town: Town, rig: string, key: string): RigSettings {
  getRig(town, rig);
  return updateSettingsFile(rigSettingsFile(town.root, rig), RigSettingsSchema, key, undefined);
}
