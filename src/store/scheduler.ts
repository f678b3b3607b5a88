/**
 * The scheduler's capacity governor (issue #5; Gas Town §3.9): `scheduler.max_polecats` per
 * town (town settings) and per rig (rig settings); -1 or 0 = no limit, as in Gas Town. A sling to a rig past capacity
 * waits in `sling_queue` and is dispatched when a polecat frees up, highest bead priority first,
 * then oldest.
 */
import { nowTime } from '../core/ledger/time.js';
import { writeTx } from './sqlite/db.js';
import { rigSettings } from './town/rigs.js';
import type { Town } from './town/town.js';

/** A queued sling. */
export interface QueuedSling {
  id: number;
  bead_id: string;
  rig: string;
  target: string;
  runtime: string | null;
  priority: number;
  state: 'queued' | 'dispatched' | 'failed' | 'cleared';
  attempts: number;
  error: string | null;
  created_at: string;
  dispatched_at: string | null;
}

/** Polecats working now (a bead on the hook), in the town or one rig. */
export function workingPolecats(town: Town, rig?: string): number {
  return town.db.prepare(`SELECT count(*) FROM agents WHERE role = 'polecat' AND hook_bead <> '' AND state <> 'nuked' ${rig ? 'AND rig = ?' : ''}`)
    .pluck().get(...(rig ? [rig] : [])) as number;
}

/** Capacity for one more polecat in `rig`, with the numbers behind the answer. */
export interface Capacity {
  free: boolean;
  town: { max: number; working: number };
  rig: { max: number; working: number };
}

/** Whether one more polecat may start in `rig` now. */
export function capacity(town: Town, rig: string): Capacity {
  const t = { max: town.settings().scheduler.max_polecats, working: workingPolecats(town) };
  const r = { max: rigSettings(town, rig).scheduler.max_polecats, working: workingPolecats(town, rig) };
  const fits = (c: { max: number; working: number }) => c.max <= 0 || c.working < c.max;
  return { free: fits(t) && fits(r), town: t, rig: r };
}

/** Queue a sling that did not fit. */
export function enqueueSling(town: Town, s: { beadId: string; rig: string; target: string; runtime?: string; priority: number }): QueuedSling {
  return writeTx(town.db, () => {
    const existing = town.db.prepare("SELECT * FROM sling_queue WHERE bead_id = ? AND state = 'queued'").get(s.beadId) as QueuedSling | undefined;
    if (existing) return existing;
    const id = Number(town.db.prepare('INSERT INTO sling_queue (bead_id, rig, target, runtime, priority, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.beadId, s.rig, s.target, s.runtime ?? null, s.priority, nowTime()).lastInsertRowid);
    return town.db.prepare('SELECT * FROM sling_queue WHERE id = ?').get(id) as QueuedSling;
  });
}

/** Queued slings in dispatch order (priority, then oldest). */
export function queuedSlings(town: Town): QueuedSling[] {
  return town.db.prepare("SELECT * FROM sling_queue WHERE state = 'queued' ORDER BY priority, id").all() as QueuedSling[];
}

/**
 * The queued slings the scheduler may dispatch now, in dispatch order. A queued bead that is
 * blocked (an open blocker, e.g. a convoy formula's synthesis step waiting on its legs) waits:
 * it is left out until its blockers close, without counting as a failed dispatch.
 */
export function dispatchableSlings(town: Town): QueuedSling[] {
  return town.db.prepare(`SELECT q.* FROM sling_queue q LEFT JOIN issues i ON i.id = q.bead_id
    WHERE q.state = 'queued' AND COALESCE(i.is_blocked, 0) = 0 ORDER BY q.priority, q.id`).all() as QueuedSling[];
}

/** Every sling of the queue, newest first. */
export function allSlings(town: Town, limit = 50): QueuedSling[] {
  return town.db.prepare('SELECT * FROM sling_queue ORDER BY id DESC LIMIT ?').all(limit) as QueuedSling[];
}

/** Dispatch attempts before a queued sling stops being retried (Gas Town's circuit breaker). */
export const MAX_DISPATCH_ATTEMPTS = 3;

/**
 * Record a dispatch attempt's outcome. A sling that failed {@link MAX_DISPATCH_ATTEMPTS} times,
 * or failed for good (`final`: the bead was closed or taken meanwhile), stops being retried.
 */
export function markSling(town: Town, id: number, outcome: { ok: true } | { ok: false; error: string; final?: boolean }): void {
  writeTx(town.db, () => {
    if (outcome.ok) town.db.prepare("UPDATE sling_queue SET state = 'dispatched', attempts = attempts + 1, dispatched_at = ?, error = NULL WHERE id = ?").run(nowTime(), id);
    else town.db.prepare("UPDATE sling_queue SET attempts = attempts + 1, error = ?, state = CASE WHEN ? OR attempts + 1 >= ? THEN 'failed' ELSE state END WHERE id = ?").run(outcome.error, outcome.final ? 1 : 0, MAX_DISPATCH_ATTEMPTS, id);
  });
}

/** Drop every queued sling (`gt scheduler clear`); returns how many. */
export function clearSlings(town: Town): number {
  return writeTx(town.db, () => town.db.prepare("UPDATE sling_queue SET state = 'cleared' WHERE state = 'queued'").run().changes);
}
