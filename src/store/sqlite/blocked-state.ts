/**
 * Keeps `issues.is_blocked` equal to beads' blocked rule (core/ledger/blocked.ts) in the same
 * transaction as every change, so ready work is a single indexed query (beads.md §3 "Blocked
 * state is materialized"; ARCHITECTURE.md "a maintained blocked-set").
 *
 * Incremental: when a bead's status (or close reason) changes, the beads whose verdict can
 * change are re-judged: the bead itself, its `blocks`/`conditional-blocks` dependents, and the
 * `waits-for` dependents of its parents; any bead whose flag flips passes the change on to its
 * parent-child children.
 */
import { blockReason, computeBlockedSet, type EdgeFacts, type GraphEdge, type GraphIssue } from '../../core/ledger/blocked.js';
import type { Db } from './db.js';

const RULE_TYPES = "('blocks','conditional-blocks','waits-for','parent-child')";

interface FactRow {
  type: string;
  metadata: string | null;
  target_exists: number;
  target_status: string | null;
  target_close_reason: string | null;
  target_blocked: number | null;
  children_total: number | null;
  children_done: number | null;
  depends_on_id: string;
}

/** The facts of a bead's outgoing rule-relevant edges, for {@link blockReason}. */
export function edgeFactsOf(db: Db, id: string): Array<EdgeFacts & { target: string }> {
  const rows = db.prepare(`
    SELECT d.type, d.doc ->> '$.metadata' AS metadata, d.depends_on_id,
           t.id IS NOT NULL AS target_exists, t.status AS target_status,
           t.doc ->> '$.close_reason' AS target_close_reason, t.is_blocked AS target_blocked,
           CASE WHEN d.type = 'waits-for' THEN (
             SELECT count(*) FROM dependencies c JOIN issues ci ON ci.id = c.issue_id
             WHERE c.depends_on_id = d.depends_on_id AND c.type = 'parent-child' AND ci.status <> 'tombstone') END AS children_total,
           CASE WHEN d.type = 'waits-for' THEN (
             SELECT count(*) FROM dependencies c JOIN issues ci ON ci.id = c.issue_id
             WHERE c.depends_on_id = d.depends_on_id AND c.type = 'parent-child' AND ci.status IN ('closed','pinned')) END AS children_done
    FROM dependencies d LEFT JOIN issues t ON t.id = d.depends_on_id
    WHERE d.issue_id = ? AND d.type IN ${RULE_TYPES}
    ORDER BY d.rowid`).all(id) as FactRow[];
  return rows.map((r) => ({
    target: r.depends_on_id,
    type: r.type,
    targetExists: r.target_exists === 1,
    targetStatus: r.target_status ?? undefined,
    targetCloseReason: r.target_close_reason ?? undefined,
    targetBlocked: r.target_blocked === 1,
    targetChildren: r.children_total === null ? undefined : { total: r.children_total, done: r.children_done ?? 0 },
    metadata: r.metadata ?? undefined,
  }));
}

/**
 * The beads whose verdict may change when `id`'s status or close reason changes:
 * itself, its blocks/conditional-blocks dependents, and waits-for dependents of its parents.
 */
export function seedsForStatusChange(db: Db, id: string): string[] {
  const rows = db.prepare(`
    SELECT issue_id FROM dependencies WHERE depends_on_id = @id AND type IN ('blocks','conditional-blocks')
    UNION
    SELECT w.issue_id FROM dependencies p JOIN dependencies w ON w.depends_on_id = p.depends_on_id AND w.type = 'waits-for'
    WHERE p.issue_id = @id AND p.type = 'parent-child'`).all({ id }) as Array<{ issue_id: string }>;
  return [id, ...rows.map((r) => r.issue_id)];
}

/**
 * Re-judge the given beads and propagate flips to parent-child children. Each bead is re-judged
 * at most 50 times per call, which bounds the work on parent-child cycles.
 *
 * @returns the ids whose flag changed.
 */
export function refreshBlocked(db: Db, seeds: Iterable<string>): string[] {
  const get = db.prepare('SELECT status, is_blocked FROM issues WHERE id = ?');
  const set = db.prepare('UPDATE issues SET is_blocked = ? WHERE id = ?');
  const children = db.prepare("SELECT issue_id FROM dependencies WHERE depends_on_id = ? AND type = 'parent-child'");
  const queue = [...new Set(seeds)];
  const visits = new Map<string, number>();
  const changed: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    const n = (visits.get(id) ?? 0) + 1;
    if (n > 50) continue;
    visits.set(id, n);
    const row = get.get(id) as { status: string; is_blocked: number } | undefined;
    if (!row) continue;
    const blocked = blockReason(row.status, edgeFactsOf(db, id)) ? 1 : 0;
    if (blocked === row.is_blocked) continue;
    set.run(blocked, id);
    changed.push(id);
    for (const c of children.all(id) as Array<{ issue_id: string }>) queue.push(c.issue_id);
  }
  return changed;
}

/**
 * Recompute every bead's blocked flag from scratch (after an import).
 *
 * @returns how many flags changed.
 */
export function recomputeAllBlocked(db: Db): number {
  const issues = (db.prepare("SELECT id, status, doc ->> '$.close_reason' AS close_reason, is_blocked FROM issues").all() as Array<{ id: string; status: string; close_reason: string | null; is_blocked: number }>);
  const graphIssues: GraphIssue[] = issues.map((i) => ({ id: i.id, status: i.status, closeReason: i.close_reason ?? undefined }));
  const edges = (db.prepare(`SELECT issue_id AS "from", depends_on_id AS "to", type, doc ->> '$.metadata' AS metadata FROM dependencies WHERE type IN ${RULE_TYPES}`).all() as Array<GraphEdge & { metadata: string | null }>)
    .map((e) => ({ from: e.from, to: e.to, type: e.type, metadata: e.metadata ?? undefined }));
  const blocked = computeBlockedSet(graphIssues, edges);
  const set = db.prepare('UPDATE issues SET is_blocked = ? WHERE id = ?');
  let changes = 0;
  for (const i of issues) {
    const b = blocked.has(i.id) ? 1 : 0;
    if (b !== i.is_blocked) {
      set.run(b, i.id);
      changes++;
    }
  }
  return changes;
}
