/**
 * Opening `town.db`: WAL, a busy timeout, foreign-key-free short transactions, migrations.
 *
 * Many processes write at once (agents run `bd` in parallel), so every write goes through
 * {@link writeTx}: `BEGIN IMMEDIATE` takes the write lock up front (no lock upgrade deadlock
 * under WAL), SQLite's busy handler waits up to `busyTimeoutMs`, and a BUSY that still escapes
 * is retried with jittered backoff before it reaches a caller.
 */
import Database from 'better-sqlite3';
import { GtError } from '../../core/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

/** An open town database. */
export type Db = Database.Database;

/** Options of {@link openDb}. */
export interface OpenDbOptions {
  /** How long SQLite waits for a lock before BUSY, in ms (default 15,000). */
  busyTimeoutMs?: number;
  /** Open read-only (no migrations; the file must exist). */
  readonly?: boolean;
}

/**
 * Open (creating if needed) a town database and bring its schema up to date.
 *
 * @param file path of `town.db`.
 * @throws GtError INTERNAL when the file was written by a newer Gas Town (schema too new).
 */
export function openDb(file: string, options: OpenDbOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 15_000)}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = OFF');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new GtError('INTERNAL', `${file} has schema version ${version}, newer than this gt understands (${SCHEMA_VERSION})`, {
      fix: 'upgrade gt (npm install in the project) before using this town',
    });
  }
  if (version < SCHEMA_VERSION && !options.readonly) migrate(db);
  return db;
}

function migrate(db: Db): void {
  for (const m of MIGRATIONS) {
    writeTx(db, () => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `fn` in a `BEGIN IMMEDIATE` transaction and return its result; BUSY errors are retried
 * (up to 20 times, 5–200 ms jittered backoff) so concurrent writers never see them.
 *
 * @throws GtError BUSY when the database stayed locked through every retry.
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  const tx = db.transaction(fn);
  for (let attempt = 0; ; attempt++) {
    try {
      return tx.immediate();
    } catch (e) {
      if (!isBusy(e) || attempt >= 20) {
        if (isBusy(e)) {
          throw new GtError('BUSY', 'the town database stayed locked by other writers', {
            fix: 'retry; if it persists, look for a stuck process holding town.db', cause: e,
          });
        }
        throw e;
      }
      sleepSync(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  }
}

/** Run `fn` in a read transaction (a consistent snapshot under WAL). */
export function readTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).deferred();
}
