/**
 * Crew: a human's long-lived full clone inside a rig (gastown-features.md §2.3).
 *
 * The clone is made from the rig's bare repository (fast, local), on the rig's default
 * branch, and its `origin` is then pointed at the rig's real `git_url`, so pushes go upstream.
 */
import { existsSync, rmSync } from 'node:fs';
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import { crewDir, rigBareRepo } from '../../core/town/layout.js';
import { validateCrewName } from '../../core/town/names.js';
import { cloneRepo, setRemoteUrl } from '../git/git.js';
import { readTx, writeTx } from '../sqlite/db.js';
import { getRig } from './rigs.js';
import type { Town } from './town.js';

/** A crew member: a row of the `crew` table plus where the clone lives. */
export interface CrewMember {
  /** The rig the clone belongs to. */
  rig: string;
  /** Crew member name (letters, digits, `_`). */
  name: string;
  /** Branch the clone was created on (the rig's default branch). */
  branch: string;
  /** ISO-8601 creation time. */
  created_at: string;
  /** Absolute path of the clone (`<town>/<rig>/crew/<name>`). */
  path: string;
}

interface CrewRow {
  rig: string;
  name: string;
  branch: string;
  created_at: string;
}

function withPath(town: Town, row: CrewRow): CrewMember {
  return { ...row, path: crewDir(town.root, row.rig, row.name) };
}

function crewRow(town: Town, rig: string, name: string): CrewRow | undefined {
  return town.db.prepare('SELECT rig, name, branch, created_at FROM crew WHERE rig = ? AND name = ?').get(rig, name) as CrewRow | undefined;
}

/**
 * Add a crew member to a rig: a full clone at `<rig>/crew/<name>` on the rig's default branch
 * with `origin` set to the rig's git URL, then a `crew` row. A failure removes the clone.
 *
 * @returns the new crew member.
 * @throws GtError USAGE (bad name), RIG_NOT_FOUND, CREW_EXISTS (row or directory present),
 *   GIT_FAILED.
 */
export async function addCrew(town: Town, rig: string, name: string): Promise<CrewMember> {
  validateCrewName(name);
  const r = getRig(town, rig);
  const dir = crewDir(town.root, rig, name);
  if (crewRow(town, rig, name) || existsSync(dir)) {
    throw new GtError('CREW_EXISTS', `crew "${name}" already exists in rig "${rig}" (${dir})`, {
      fix: `work in ${dir}, or choose another name`,
      details: { rig, name, path: dir },
    });
  }
  let cloned = false; // only ever delete a clone this call made (git removes a failed clone itself)
  try {
    await cloneRepo(rigBareRepo(town.root, rig), dir, r.default_branch);
    cloned = true;
    await setRemoteUrl(dir, 'origin', r.git_url);
    const row: CrewRow = { rig, name, branch: r.default_branch, created_at: nowTime() };
    writeTx(town.db, () => {
      if (crewRow(town, rig, name)) {
        throw new GtError('CREW_EXISTS', `crew "${name}" already exists in rig "${rig}"`, { fix: 'choose another name' });
      }
      town.db.prepare('INSERT INTO crew (rig, name, branch, created_at) VALUES (?, ?, ?, ?)').run(row.rig, row.name, row.branch, row.created_at);
    });
    return withPath(town, row);
  } catch (e) {
    if (cloned) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Crew members of one rig, or of every rig, ordered by rig then name.
 *
 * @throws GtError RIG_NOT_FOUND when `rig` is given and unknown.
 */
export function listCrew(town: Town, rig?: string): CrewMember[] {
  if (rig !== undefined) getRig(town, rig);
  const rows = readTx(town.db, () =>
    rig === undefined
      ? (town.db.prepare('SELECT rig, name, branch, created_at FROM crew ORDER BY rig, name').all() as CrewRow[])
      : (town.db.prepare('SELECT rig, name, branch, created_at FROM crew WHERE rig = ? ORDER BY name').all(rig) as CrewRow[]),
  );
  return rows.map((r) => withPath(town, r));
}
