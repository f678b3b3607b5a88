import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';

/** A real SQLite ledger in a temp dir, with a controllable clock. */
export interface TestLedger {
  dir: string;
  db: Db;
  ledger: Ledger;
  /** Advance the clock by `ms` (default 1 s) so timestamps differ. */
  tick(ms?: number): void;
  /** Another actor on the same database. */
  as(actor: string): Ledger;
  close(): void;
}

/** Make a fresh ledger; the clock starts at 2026-01-01T00:00:00Z and moves only with tick(). */
export function makeLedger(prefix = 'hq'): TestLedger {
  const dir = mkdtempSync(join(tmpdir(), 'gt-ledger-'));
  const db = openDb(join(dir, 'town.db'));
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = () => now;
  return {
    dir,
    db,
    ledger: new Ledger(db, { actor: 'tester', prefix, clock }),
    tick: (ms = 1000) => { now += ms; },
    as: (actor) => new Ledger(db, { actor, prefix, clock }),
    close: () => { db.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
