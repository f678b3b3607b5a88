/**
 * The refinery's rows: merge requests' refinery fields, batches (for crash recovery), gate runs
 * and per-rig state (paused, blocked by a failing target, last known-good target sha).
 */
import { nowTime } from '../../core/ledger/time.js';
import { writeTx, type Db } from '../sqlite/db.js';
import type { MergeRequestRow } from '../work/agents.js';
import type { GatesResult } from './gates.js';

/** A merge request with the refinery's columns (schema v3). */
export interface MrRow extends MergeRequestRow {
  merged_sha: string | null;
  error: string | null;
  batch_id: string | null;
  /** When the MR's convoy was created (the convoy bead's `created_at`), for the queue's score; null outside a convoy. */
  convoy_created_at: string | null;
}

/** A batch row. */
export interface BatchRow {
  id: string;
  rig: string;
  target: string;
  base: string;
  mr_ids: string;
  state: 'testing' | 'landing' | 'landed' | 'failed' | 'abandoned' | 'preexisting';
  tip: string | null;
  runs: number;
  created_at: string;
  updated_at: string;
}

/** Per-rig refinery state. */
export interface RefineryStateRow {
  rig: string;
  paused: number;
  blocked_sha: string | null;
  blocked_reason: string | null;
  good_sha: string | null;
  updated_at: string;
}

/** MR columns plus its convoy's creation time. */
const MR_SELECT = "SELECT m.*, json_extract(c.doc, '$.created_at') AS convoy_created_at FROM merge_requests m LEFT JOIN issues c ON c.id = m.convoy";

/** Every MR of a rig in some states. */
export function mrsIn(db: Db, rig: string, states: readonly string[]): MrRow[] {
  return db.prepare(`${MR_SELECT} WHERE m.rig = ? AND m.state IN (${states.map(() => '?').join(',')}) ORDER BY m.created_at, m.id`).all(rig, ...states) as MrRow[];
}

/** One MR by id. */
export function mrById(db: Db, id: string): MrRow | undefined {
  return db.prepare(`${MR_SELECT} WHERE m.id = ?`).get(id) as MrRow | undefined;
}

/** Update MR fields (in the caller's transaction). */
export function patchMr(db: Db, id: string, patch: Partial<Pick<MrRow, 'state' | 'retries' | 'merged_sha' | 'error' | 'batch_id'>>): void {
  const keys = Object.keys(patch) as Array<keyof typeof patch>;
  if (!keys.length) return;
  db.prepare(`UPDATE merge_requests SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`)
    .run({ ...patch, id, now: nowTime() });
}

/** The rig's refinery state (a default row when none). */
export function refineryState(db: Db, rig: string): RefineryStateRow {
  return (db.prepare('SELECT * FROM refinery_state WHERE rig = ?').get(rig) as RefineryStateRow | undefined)
    ?? { rig, paused: 0, blocked_sha: null, blocked_reason: null, good_sha: null, updated_at: '' };
}

/** Change the rig's refinery state. */
export function setRefineryState(db: Db, rig: string, patch: Partial<Omit<RefineryStateRow, 'rig' | 'updated_at'>>): RefineryStateRow {
  return writeTx(db, () => {
    const next = { ...refineryState(db, rig), ...patch, updated_at: nowTime() };
    db.prepare(`INSERT INTO refinery_state (rig, paused, blocked_sha, blocked_reason, good_sha, updated_at)
      VALUES (@rig, @paused, @blocked_sha, @blocked_reason, @good_sha, @updated_at)
      ON CONFLICT(rig) DO UPDATE SET paused = excluded.paused, blocked_sha = excluded.blocked_sha,
        blocked_reason = excluded.blocked_reason, good_sha = excluded.good_sha, updated_at = excluded.updated_at`).run(next);
    return next;
  });
}

/** Record a new batch in state `testing` and mark its MRs `testing` (one transaction). */
export function startBatch(db: Db, batch: Pick<BatchRow, 'id' | 'rig' | 'target' | 'base'>, mrIds: readonly string[]): void {
  writeTx(db, () => {
    const now = nowTime();
    db.prepare(`INSERT INTO refinery_batches (id, rig, target, base, mr_ids, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 'testing', ?, ?)`).run(batch.id, batch.rig, batch.target, batch.base, JSON.stringify(mrIds), now, now);
    for (const id of mrIds) patchMr(db, id, { state: 'testing', batch_id: batch.id });
  });
}

/** Change a batch's state (and tip / runs). */
export function patchBatch(db: Db, id: string, patch: Partial<Pick<BatchRow, 'state' | 'tip' | 'runs'>>): void {
  const keys = Object.keys(patch) as Array<keyof typeof patch>;
  db.prepare(`UPDATE refinery_batches SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`)
    .run({ ...patch, id, now: nowTime() });
}

/** Batches of a rig left in `testing` or `landing` (a refinery that stopped mid-way). */
export function unfinishedBatches(db: Db, rig: string): BatchRow[] {
  return db.prepare("SELECT * FROM refinery_batches WHERE rig = ? AND state IN ('testing','landing') ORDER BY created_at").all(rig) as BatchRow[];
}

/** Record one gate run. */
export function recordGateRun(db: Db, run: { rig: string; batch: string; stack: readonly string[]; tip?: string; result: GatesResult }): void {
  writeTx(db, () => {
    db.prepare(`INSERT INTO gate_runs (rig, batch_id, stack, tip, passed, flaky, failed_gate, result, duration_ms, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      run.rig, run.batch, JSON.stringify(run.stack), run.tip ?? null, run.result.passed ? 1 : 0,
      run.result.runs.some((r) => r.flaky) ? 1 : 0, run.result.failed?.name ?? null, JSON.stringify(run.result.runs),
      Math.round(run.result.duration_ms), nowTime(),
    );
  });
}

/** Gate runs of a rig, newest first. */
export function gateRuns(db: Db, rig: string, limit = 20): Array<{ id: number; batch_id: string; stack: string; passed: number; flaky: number; failed_gate: string | null; duration_ms: number; created_at: string }> {
  return db.prepare('SELECT id, batch_id, stack, passed, flaky, failed_gate, duration_ms, created_at FROM gate_runs WHERE rig = ? ORDER BY id DESC LIMIT ?').all(rig, limit) as never;
}
