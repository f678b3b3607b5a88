/**
 * Row mapping of the ledger tables: a bead's JSON document and its projected columns, labels,
 * dependency edges, comments, events and bookkeeping values. Every function runs inside the
 * caller's transaction; none opens its own.
 */
import type { Comment, Dependency, Issue, LedgerEvent } from '../../core/ledger/types.js';
import { timeKey, isTime, ZERO_TIME } from '../../core/ledger/time.js';
import type { Db } from './db.js';

/** A bead's row as stored. */
export interface IssueRow {
  id: string;
  status: string;
  is_blocked: number;
  doc: string;
}

function keyOf(text: string | undefined): string {
  return text && isTime(text) ? timeKey(text) : timeKey(ZERO_TIME);
}

/** The stored document of a bead: everything but labels, dependencies and comments. */
function docOf(issue: Issue): string {
  const { labels: _l, dependencies: _d, comments: _c, ...rest } = issue;
  return JSON.stringify(rest);
}

/** Read a bead's document (without labels/dependencies/comments), or undefined. */
export function getIssueDoc(db: Db, id: string): Issue | undefined {
  const row = db.prepare('SELECT doc FROM issues WHERE id = ?').get(id) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as Issue) : undefined;
}

/** True when a bead with exactly this id exists (tombstones included). */
export function issueExists(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM issues WHERE id = ?').get(id) !== undefined;
}

/**
 * Insert or replace a bead's row (document plus projections). The blocked flag is kept as it
 * was; callers refresh it with blocked-state.ts afterwards.
 */
export function putIssue(db: Db, issue: Issue): void {
  db.prepare(`
    INSERT INTO issues (id, title, status, priority, issue_type, assignee, created_key, updated_key, defer_key,
                        pinned, ephemeral, is_template, is_blocked, doc)
    VALUES (@id, @title, @status, @priority, @issue_type, @assignee, @created_key, @updated_key, @defer_key,
            @pinned, @ephemeral, @is_template, 0, @doc)
    ON CONFLICT(id) DO UPDATE SET title = excluded.title, status = excluded.status, priority = excluded.priority,
      issue_type = excluded.issue_type, assignee = excluded.assignee, created_key = excluded.created_key,
      updated_key = excluded.updated_key, defer_key = excluded.defer_key, pinned = excluded.pinned,
      ephemeral = excluded.ephemeral, is_template = excluded.is_template, doc = excluded.doc`).run({
    id: issue.id,
    title: issue.title,
    status: issue.status,
    priority: issue.priority,
    issue_type: issue.issue_type,
    assignee: issue.assignee ?? '',
    created_key: keyOf(issue.created_at),
    updated_key: keyOf(issue.updated_at),
    defer_key: issue.defer_until && isTime(issue.defer_until) ? timeKey(issue.defer_until) : null,
    pinned: issue.pinned || issue.status === 'pinned' ? 1 : 0,
    ephemeral: issue.ephemeral ? 1 : 0,
    is_template: issue.is_template ? 1 : 0,
    doc: docOf(issue),
  });
}

/** Labels of a bead, sorted. */
export function getLabels(db: Db, id: string): string[] {
  return (db.prepare('SELECT label FROM labels WHERE issue_id = ? ORDER BY label').all(id) as Array<{ label: string }>).map((r) => r.label);
}

/** Replace a bead's labels. */
export function setLabels(db: Db, id: string, labels: readonly string[]): void {
  db.prepare('DELETE FROM labels WHERE issue_id = ?').run(id);
  const ins = db.prepare('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)');
  for (const l of labels) ins.run(id, l);
}

/** Outgoing dependency edges of a bead, in the order they were added. */
export function getDependencies(db: Db, id: string): Dependency[] {
  return (db.prepare('SELECT doc FROM dependencies WHERE issue_id = ? ORDER BY rowid').all(id) as Array<{ doc: string }>)
    .map((r) => JSON.parse(r.doc) as Dependency);
}

/** The edge from `id` to `target`, if any. */
export function getDependency(db: Db, id: string, target: string): Dependency | undefined {
  const row = db.prepare('SELECT doc FROM dependencies WHERE issue_id = ? AND depends_on_id = ?').get(id, target) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as Dependency) : undefined;
}

/** Insert or replace one edge. */
export function putDependency(db: Db, d: Dependency): void {
  db.prepare(`INSERT INTO dependencies (issue_id, depends_on_id, type, doc) VALUES (?, ?, ?, ?)
    ON CONFLICT(issue_id, depends_on_id) DO UPDATE SET type = excluded.type, doc = excluded.doc`)
    .run(d.issue_id, d.depends_on_id, d.type, JSON.stringify(d));
}

/** Delete one edge; returns true when it existed. */
export function deleteDependency(db: Db, id: string, target: string): boolean {
  return db.prepare('DELETE FROM dependencies WHERE issue_id = ? AND depends_on_id = ?').run(id, target).changes > 0;
}

/** Comments of a bead, oldest first. */
export function getComments(db: Db, id: string): Comment[] {
  return (db.prepare('SELECT id, issue_id, author, text, created_at FROM comments WHERE issue_id = ? ORDER BY seq').all(id) as Array<{ id: string; issue_id: string; author: string; text: string; created_at: string }>)
    .map((r) => ({ ...r, id: JSON.parse(r.id) as number | string }));
}

/** Append a comment (its id as given: number or string). */
export function putComment(db: Db, c: Comment): void {
  db.prepare('INSERT INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(JSON.stringify(c.id), c.issue_id, c.author, c.text, c.created_at);
}

/** The next integer comment id (SQLite-era beads numbered comments 1, 2, …). */
export function nextCommentId(db: Db): number {
  const row = db.prepare("SELECT MAX(CAST(id AS INTEGER)) AS m FROM comments WHERE id GLOB '[0-9]*'").get() as { m: number | null };
  return (row.m ?? 0) + 1;
}

/** A bead with its labels, dependencies and comments (the export/`show` form). */
export function hydrate(db: Db, issue: Issue): Issue {
  const labels = getLabels(db, issue.id);
  const dependencies = getDependencies(db, issue.id);
  const comments = getComments(db, issue.id);
  return {
    ...issue,
    ...(labels.length ? { labels } : {}),
    ...(dependencies.length ? { dependencies } : {}),
    ...(comments.length ? { comments } : {}),
  };
}

/** Record an audit event. */
export function addEvent(db: Db, e: LedgerEvent): void {
  db.prepare('INSERT INTO events (issue_id, event_type, actor, old_value, new_value, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(e.issue_id, e.event_type, e.actor, e.old_value ?? null, e.new_value ?? null, e.comment ?? null, e.created_at);
}

/** Events of a bead, oldest first. */
export function getEvents(db: Db, id: string): LedgerEvent[] {
  return db.prepare('SELECT id, issue_id, event_type, actor, old_value, new_value, comment, created_at FROM events WHERE issue_id = ? ORDER BY id').all(id) as LedgerEvent[];
}

/** Read a bookkeeping value of `ledger_meta`. */
export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM ledger_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Write a bookkeeping value of `ledger_meta`. */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Count one more change to the ledger (in the caller's transaction) and remember its actor.
 * The exporter compares this counter with the one it last exported.
 */
export function bumpChange(db: Db, actor: string): number {
  const next = Number(getMeta(db, 'change_seq') ?? '0') + 1;
  setMeta(db, 'change_seq', String(next));
  setMeta(db, 'last_actor', actor);
  return next;
}

/** Read a beads config value (`issue_prefix`, `status.custom`, `kv.memory.<k>`, …). */
export function getConfig(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM config WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Write a beads config value. */
export function setConfig(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
