/**
 * How `gt doctor` opens a town: without `--fix` read-only (doctor then changes nothing, not even
 * the schema), with `--fix` the normal way (which migrates an old schema). Also the
 * `schema.version` check: the database's `user_version` against the latest migration.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Finding } from '../../core/doctor/types.js';
import { isGtError } from '../../core/errors.js';
import { dbFile, settingsFile, townJson } from '../../core/town/layout.js';
import { TownSettingsSchema, parseTownJson } from '../../core/town/settings.js';
import { openDb, type Db } from '../sqlite/db.js';
import { SCHEMA_VERSION } from '../sqlite/migrations.js';
import { openTown, readSettingsFile, type Town } from '../town/town.js';

/** What {@link openTownForDoctor} gives: the town (when its database could be opened) and the schema finding. */
export interface DoctorTown {
  /** The open town, or undefined when `town.db` is missing or unreadable (database checks are skipped). */
  town: Town | undefined;
  /** The `schema.version` finding. */
  schema: Finding;
}

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function readOnlyTown(root: string, db: Db): Town {
  const json = parseTownJson(readFileSync(townJson(root), 'utf8'), townJson(root));
  return { root, json, db, settings: () => readSettingsFile(settingsFile(root), TownSettingsSchema), close: () => db.close() };
}

/**
 * Open the town at `root` for doctor and check its schema version.
 *
 * - `town.db` missing: a problem (not repaired: an empty database would hide the loss), no town.
 * - newer than this gt, or not a database: a problem, no town.
 * - older: without `fix` a problem and a read-only town (checks needing new tables report
 *   their own failure); with `fix` migrated, reported as `fixed`.
 *
 * @param root the town root (it has a town.json).
 * @param options.fix open read-write (migrating) instead of read-only.
 * @throws GtError CONFIG_INVALID when town.json is broken.
 */
export function openTownForDoctor(root: string, options: { fix?: boolean } = {}): DoctorTown {
  const file = dbFile(root);
  const latest = SCHEMA_VERSION;
  if (!existsSync(file)) {
    return {
      town: undefined,
      schema: {
        id: 'schema.version', status: 'problem', message: `${file} is missing: no ledger, agents or merge requests to check`,
        fix: 'restore it from a backup; `gt install` on the town creates an empty one (then `gt bd import .beads/issues.jsonl` re-imports the exported ledger)',
        details: { file, latest },
      },
    };
  }
  let ro: Db;
  try {
    ro = openDb(file, { readonly: true });
  } catch (e) {
    const message = isGtError(e) ? e.message : `${file} cannot be opened: ${(e as Error).message}`;
    return {
      town: undefined,
      schema: { id: 'schema.version', status: 'problem', message, fix: isGtError(e) && e.fix ? e.fix : 'restore town.db from a backup', details: { file, latest } },
    };
  }
  const version = userVersion(ro);
  const details = { file, version, latest };
  if (version === latest) {
    if (!options.fix) return { town: readOnlyTown(root, ro), schema: { id: 'schema.version', status: 'ok', message: `town.db schema v${version} (the latest)`, details } };
    ro.close();
    return { town: openTown(root), schema: { id: 'schema.version', status: 'ok', message: `town.db schema v${version} (the latest)`, details } };
  }
  if (!options.fix) {
    return {
      town: readOnlyTown(root, ro),
      schema: {
        id: 'schema.version', status: 'problem', message: `town.db is at schema v${version}, the latest is v${latest}`,
        fix: '`gt doctor --fix` migrates it (so does any gt command that opens the town)', details,
      },
    };
  }
  ro.close();
  const town = openTown(root);
  const now = userVersion(town.db);
  return {
    town,
    schema: { id: 'schema.version', status: 'fixed', message: `migrated town.db from schema v${version} to v${now}`, details: { ...details, version: now, from: version } },
  };
}
