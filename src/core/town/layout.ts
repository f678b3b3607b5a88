/**
 * Where things live in a town (ARCHITECTURE.md "town", gastown-features.md §2.1–2.2).
 *
 * ```
 * <town>/
 * ├── town.json                 identity of the town ({@link townJson})
 * ├── settings/config.json      town settings ({@link settingsFile})
 * ├── town.db                   SQLite, the live state ({@link dbFile}; git-ignored)
 * ├── .beads/issues.jsonl       the exported ledger ({@link ledgerFile}; tracked in git)
 * ├── logs/                     logs ({@link logsDir}; git-ignored)
 * └── <rig>/                    one managed repository ({@link rigDir}; git-ignored)
 *     ├── .repo.git/            shared bare clone ({@link rigBareRepo})
 *     ├── refinery/rig/         worktree on the default branch ({@link refineryWorktree})
 *     ├── polecats/             polecat worktrees ({@link polecatsDir})
 *     ├── crew/<name>/          full clones for humans ({@link crewDir})
 *     └── settings/config.json  rig settings ({@link rigSettingsFile})
 * ```
 *
 * Pure path arithmetic: nothing here touches the disk.
 */
import { join } from 'node:path';

/** `<town>/town.json`: the town's identity ({@link TownJson} in settings.ts). */
export function townJson(root: string): string {
  return join(root, 'town.json');
}

/** `<town>/settings`: the directory of town settings files. */
export function settingsDir(root: string): string {
  return join(root, 'settings');
}

/** `<town>/settings/config.json`: town settings (`type: "town-settings"`). */
export function settingsFile(root: string): string {
  return join(settingsDir(root), 'config.json');
}

/** `<town>/town.db`: the SQLite database (WAL; `-wal`/`-shm` files sit beside it). */
export function dbFile(root: string): string {
  return join(root, 'town.db');
}

/** `<town>/.beads`: the beads directory of the town ledger (prefix `hq`). */
export function beadsDir(root: string): string {
  return join(root, '.beads');
}

/** `<town>/.beads/issues.jsonl`: the exported, git-tracked ledger (beads dialect A). */
export function ledgerFile(root: string): string {
  return join(beadsDir(root), 'issues.jsonl');
}

/** `<town>/logs`: human-readable logs (git-ignored). */
export function logsDir(root: string): string {
  return join(root, 'logs');
}

/** `<town>/<rig>`: a rig's container directory (not itself a git clone). */
export function rigDir(root: string, rig: string): string {
  return join(root, rig);
}

/** `<town>/<rig>/.repo.git`: the rig's shared bare clone, source of every worktree. */
export function rigBareRepo(root: string, rig: string): string {
  return join(rigDir(root, rig), '.repo.git');
}

/** `<town>/<rig>/refinery/rig`: the refinery's worktree on the rig's default branch. */
export function refineryWorktree(root: string, rig: string): string {
  return join(rigDir(root, rig), 'refinery', 'rig');
}

/** `<town>/<rig>/polecats`: where polecat worktrees are created. */
export function polecatsDir(root: string, rig: string): string {
  return join(rigDir(root, rig), 'polecats');
}

/** `<town>/<rig>/crew`: the directory holding every crew clone of a rig. */
export function crewRootDir(root: string, rig: string): string {
  return join(rigDir(root, rig), 'crew');
}

/** `<town>/<rig>/crew/<name>`: one crew member's full clone. */
export function crewDir(root: string, rig: string, name: string): string {
  return join(crewRootDir(root, rig), name);
}

/** `<town>/<rig>/settings/config.json`: rig settings (`type: "rig-settings"`). */
export function rigSettingsFile(root: string, rig: string): string {
  return join(rigDir(root, rig), 'settings', 'config.json');
}
