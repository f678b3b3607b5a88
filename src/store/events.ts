/**
 * Town events in the store (gastown-features.md §3.12): {@link recordEvent} writes a row of
 * `town_events` and appends the same event as one line of `<town>/.events.jsonl`;
 * {@link listEvents} and {@link followEvents} read them back for `gt feed` and the TUI.
 *
 * The table is the truth; the JSONL file is a convenience log for tools that tail files. An
 * event recorded inside a caller's transaction joins it (better-sqlite3 nests `writeTx` as a
 * savepoint), so it commits or rolls back with the change it describes. Its JSONL line is held
 * back until that outermost transaction has ended and is written only when the row committed:
 * better-sqlite3 has no commit hook, but its transactions are synchronous, so a microtask
 * queued inside one runs after it has ended and checks that the row is really there. Pending
 * lines are also flushed, in order, before the next line appended outside a transaction, and by
 * {@link flushEventLog}. Appending is best effort: a failed append never fails the caller.
 */
import { appendFileSync } from 'node:fs';
import { GtError } from '../core/errors.js';
import { nowTime } from '../core/ledger/time.js';
import { dbFile } from '../core/town/layout.js';
import { eventLine, eventsFile, isEventTypeName, sinceMs, type EventInput, type TownEvent } from '../core/events/types.js';
import { openDb, readTx, writeTx, type Db } from './sqlite/db.js';
import type { Town } from './town/town.js';

/** A raw `town_events` row (payload still JSON text). */
interface EventRow {
  id: number;
  ts: string;
  type: string;
  actor: string;
  rig: string;
  subject: string;
  payload: string;
}

/** A JSONL line waiting for its transaction to end. */
interface PendingLine {
  row: EventRow;
  file: string;
  root: string;
  line: string;
}

/** Lines recorded inside a transaction, per connection, in recording order. */
const pending = new WeakMap<Db, PendingLine[]>();

const COLS = 'id, ts, type, actor, rig, subject, payload';

function toEvent(row: EventRow): TownEvent {
  let payload: Record<string, unknown>;
  try {
    const v = JSON.parse(row.payload) as unknown;
    payload = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    payload = { raw: row.payload };
  }
  return { id: row.id, ts: row.ts, type: row.type, actor: row.actor, rig: row.rig, subject: row.subject, payload };
}

function appendLines(file: string, lines: string[]): void {
  if (!lines.length) return;
  try {
    appendFileSync(file, `${lines.join('\n')}\n`);
  } catch {
    // Best effort by design: the row in town_events is the record; the file is a log.
  }
}

/** True when `row` is in `db` exactly as it was written (a rolled-back id may be reused). */
function isCommitted(db: Db, row: EventRow): boolean {
  const got = db.prepare(`SELECT ${COLS} FROM town_events WHERE id = ?`).get(row.id) as EventRow | undefined;
  return Boolean(got && got.ts === row.ts && got.type === row.type && got.actor === row.actor
    && got.rig === row.rig && got.subject === row.subject && got.payload === row.payload);
}

/** Write the pending lines of `db` whose rows committed; drop the rest. Call outside a transaction. */
function flushPending(db: Db): void {
  const queue = pending.get(db);
  if (!queue?.length) return;
  pending.delete(db);
  let check: Db | undefined = db.open ? db : undefined;
  let opened = false;
  try {
    if (!check) {
      // The town was closed right after its transaction: look with a fresh read-only connection.
      check = openDb(dbFile(queue[0]!.root), { readonly: true });
      opened = true;
    }
    const byFile = new Map<string, string[]>();
    for (const p of queue) {
      if (!isCommitted(check, p.row)) continue;
      const lines = byFile.get(p.file) ?? [];
      lines.push(p.line);
      byFile.set(p.file, lines);
    }
    for (const [file, lines] of byFile) appendLines(file, lines);
  } catch {
    // Cannot tell what committed (database gone): write nothing rather than a false record.
  } finally {
    if (opened) check?.close();
  }
}

/** After the current synchronous transaction has ended, flush (or wait while one is open). */
function scheduleFlush(db: Db): void {
  queueMicrotask(() => {
    if (db.open && db.inTransaction) {
      // Only a hand-rolled BEGIN held across an await gets here; look again shortly.
      setTimeout(() => scheduleFlush(db), 5).unref();
      return;
    }
    flushPending(db);
  });
}

/**
 * Record a town event: insert it into `town_events` (in a write transaction, joining the
 * caller's when there is one) and append its line to `<town>/.events.jsonl` once the row has
 * committed (see the module comment for the transaction rules).
 *
 * @returns the stored event (id and time assigned).
 * @throws GtError INVALID_VALUE when `type` is not a `domain.pastTense` name or the payload is not
 *   JSON-serializable; BUSY as {@link writeTx}. A failed JSONL append is ignored.
 */
export function recordEvent(town: Town, input: EventInput): TownEvent {
  if (!isEventTypeName(input.type)) {
    throw new GtError('INVALID_VALUE', `"${input.type}" is not an event type`, { fix: 'event types are domain.pastTense, like mr.merged' });
  }
  let payloadText: string;
  try {
    payloadText = JSON.stringify(input.payload ?? {});
  } catch (e) {
    throw new GtError('INVALID_VALUE', `the payload of a ${input.type} event is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const { db } = town;
  const row = writeTx(db, () => {
    const ts = nowTime();
    const r = db.prepare('INSERT INTO town_events (ts, type, actor, rig, subject, payload) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ts, input.type, input.actor, input.rig ?? '', input.subject ?? '', payloadText);
    return { id: Number(r.lastInsertRowid), ts, type: input.type, actor: input.actor, rig: input.rig ?? '', subject: input.subject ?? '', payload: payloadText };
  });
  const event = toEvent(row);
  const entry: PendingLine = { row, file: eventsFile(town.root), root: town.root, line: eventLine(event) };
  const queue = pending.get(db);
  if (db.inTransaction) {
    if (queue) queue.push(entry);
    else {
      pending.set(db, [entry]);
      scheduleFlush(db);
    }
  } else {
    flushPending(db); // earlier lines first, so the file keeps event order
    appendLines(entry.file, [entry.line]);
  }
  return event;
}

/**
 * Write now the JSONL lines of events recorded inside transactions that have since committed
 * (normally done automatically right after the transaction). Does nothing inside a transaction.
 */
export function flushEventLog(town: Town): void {
  if (!town.db.inTransaction) flushPending(town.db);
}

/** Filters of {@link listEvents}. */
export interface EventFilter {
  /** Only events at or after this time: RFC 3339, or a duration back from now (`10m`, `2h`, `1d`). */
  since?: string;
  /** Only this rig's events. */
  rig?: string;
  /** Only this type (`mr.merged`), or a whole domain (`mr` or `mr.*`). */
  type?: string;
  /** Only events with an id greater than this (for paging and following). */
  afterId?: number;
  /** Only the newest `limit` matching events (still returned oldest first). */
  limit?: number;
}

/**
 * Parse a `--since` value into the RFC 3339 UTC cut-off it means.
 *
 * @throws GtError INVALID_VALUE naming the accepted forms.
 */
export function parseSince(text: string, now: number = Date.now()): string {
  const ms = sinceMs(text, now);
  if (ms === undefined) {
    throw new GtError('INVALID_VALUE', `cannot read "${text}" as a time`, {
      fix: 'use a duration back from now (30s, 10m, 2h, 1d, 1w) or RFC 3339 (2026-12-01T09:00:00Z)',
    });
  }
  return new Date(ms).toISOString();
}

/**
 * Town events matching `filter`, oldest first (newest last).
 *
 * @throws GtError INVALID_VALUE for an unreadable `since` or a negative `limit`.
 */
export function listEvents(town: Town, filter: EventFilter = {}): TownEvent[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.since !== undefined) { where.push('ts >= @since'); params.since = parseSince(filter.since); }
  if (filter.rig !== undefined) { where.push('rig = @rig'); params.rig = filter.rig; }
  if (filter.type !== undefined) {
    const t = filter.type.replace(/\.\*$/, '');
    if (t.includes('.')) { where.push('type = @type'); params.type = t; }
    else { where.push("type LIKE @domain ESCAPE '\\'"); params.domain = `${t.replace(/[%_\\]/g, (c) => `\\${c}`)}.%`; }
  }
  if (filter.afterId !== undefined) { where.push('id > @after'); params.after = filter.afterId; }
  const cond = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  let sql = `SELECT ${COLS} FROM town_events${cond} ORDER BY id`;
  if (filter.limit !== undefined) {
    if (!Number.isInteger(filter.limit) || filter.limit < 0) throw new GtError('INVALID_VALUE', `limit must be a whole number ≥ 0, got ${filter.limit}`);
    sql = `SELECT * FROM (SELECT ${COLS} FROM town_events${cond} ORDER BY id DESC LIMIT @limit) ORDER BY id`;
    params.limit = filter.limit;
  }
  return readTx(town.db, () => (town.db.prepare(sql).all(params) as EventRow[]).map(toEvent));
}

/** The id of the newest event (0 when there is none). */
export function latestEventId(town: Town): number {
  return (town.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM town_events').get() as { id: number }).id;
}

/** Options of {@link followEvents}. */
export interface FollowOptions {
  /** Deliver events after this id (default: the newest event now, so only new ones). */
  afterId?: number;
  /** Only this rig's events. */
  rig?: string;
  /** Only this type or domain (as {@link EventFilter.type}). */
  type?: string;
  /** How often to look for new events, in ms (default 250). */
  intervalMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Deliver new town events to `onEvent` as they are recorded (by any process: the table is
 * polled by id every `intervalMs`), oldest first, until `signal` aborts.
 *
 * @returns the id of the last event looked at, once `signal` has aborted.
 * @throws whatever `onEvent` throws (following stops).
 */
export async function followEvents(
  town: Town,
  options: FollowOptions,
  onEvent: (e: TownEvent) => void | Promise<void>,
  signal: AbortSignal,
): Promise<number> {
  let last = options.afterId ?? latestEventId(town);
  const filter: EventFilter = {
    ...(options.rig !== undefined ? { rig: options.rig } : {}),
    ...(options.type !== undefined ? { type: options.type } : {}),
  };
  while (!signal.aborted) {
    for (const e of listEvents(town, { ...filter, afterId: last })) {
      if (signal.aborted) break;
      last = e.id;
      await onEvent(e);
    }
    await sleep(options.intervalMs ?? 250, signal);
  }
  return last;
}
