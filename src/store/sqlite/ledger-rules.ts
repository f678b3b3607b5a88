/**
 * Write-time rules of the ledger (beads.md §2-3): child id numbering, the cycle check on
 * blocking dependency types, and the guards of `close`. Each runs inside the caller's
 * transaction.
 */
import { GtError } from '../../core/errors.js';
import { findCycle, isActiveStatus } from '../../core/ledger/blocked.js';
import { BLOCKING_DEP_TYPES, type Issue } from '../../core/ledger/types.js';
import type { Db } from './db.js';

/**
 * The next child id of a parent: `parent.N` with N = max(counter, largest existing direct
 * child) + 1 (beads `child_counters`); the counter is advanced.
 */
export function nextChildId(db: Db, parentId: string): string {
  const counter = (db.prepare('SELECT last_child FROM child_counters WHERE parent_id = ?').get(parentId) as { last_child: number } | undefined)?.last_child ?? 0;
  const kids = db.prepare('SELECT id FROM issues WHERE id > ? AND id < ?').all(`${parentId}.`, `${parentId}/`) as Array<{ id: string }>;
  let max = counter;
  for (const k of kids) {
    const rest = k.id.slice(parentId.length + 1);
    if (/^\d+$/.test(rest)) max = Math.max(max, Number(rest));
  }
  const next = max + 1;
  db.prepare('INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON CONFLICT(parent_id) DO UPDATE SET last_child = excluded.last_child').run(parentId, next);
  return `${parentId}.${next}`;
}

/**
 * Refuse a `blocks`/`conditional-blocks` edge `from → to` that would close a cycle (beads.md
 * §3: only those types are cycle-checked).
 *
 * @throws GtError DEPENDENCY_CYCLE showing the cycle.
 */
export function checkNoCycle(db: Db, from: string, to: string, type: string): void {
  if (!(BLOCKING_DEP_TYPES as readonly string[]).includes(type)) return;
  const targets = db.prepare(`SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type IN ('blocks','conditional-blocks')`);
  const cycle = findCycle(from, to, (id) => (targets.all(id) as Array<{ depends_on_id: string }>).map((r) => r.depends_on_id));
  if (cycle) {
    throw new GtError('DEPENDENCY_CYCLE', `adding ${from} → ${to} (${type}) would make a cycle: ${cycle.join(' → ')}`, {
      fix: 'remove one of those dependencies first, or use a non-blocking type such as related', details: { cycle },
    });
  }
}

/**
 * beads' `bd close` guards: a pinned bead, a bead with open `blocks` targets, an epic with
 * open children are refused (callers skip this with --force).
 *
 * @throws GtError CLOSE_GUARD naming the blockers or children.
 */
export function checkCloseGuards(db: Db, id: string, issue: Issue): void {
  if (issue.pinned || issue.status === 'pinned') {
    throw new GtError('CLOSE_GUARD', `${id} is pinned`, { fix: 'unpin it first, or pass --force' });
  }
  const blockers = (db.prepare(`SELECT t.id, t.status FROM dependencies d JOIN issues t ON t.id = d.depends_on_id
    WHERE d.issue_id = ? AND d.type = 'blocks'`).all(id) as Array<{ id: string; status: string }>).filter((r) => isActiveStatus(r.status));
  if (blockers.length) {
    throw new GtError('CLOSE_GUARD', `${id} is blocked by open ${blockers.map((b) => `${b.id} (${b.status})`).join(', ')}`, {
      fix: 'close the blockers first, or pass --force', details: { blockers: blockers.map((b) => b.id) },
    });
  }
  if (issue.issue_type === 'epic') {
    const open = (db.prepare(`SELECT c.id, c.status FROM dependencies d JOIN issues c ON c.id = d.issue_id
      WHERE d.depends_on_id = ? AND d.type = 'parent-child'`).all(id) as Array<{ id: string; status: string }>).filter((r) => r.status !== 'closed' && r.status !== 'tombstone');
    if (open.length) {
      throw new GtError('CLOSE_GUARD', `epic ${id} has ${open.length} open ${open.length === 1 ? 'child' : 'children'}: ${open.slice(0, 5).map((c) => c.id).join(', ')}`, {
        fix: 'close the children first, or pass --force', details: { children: open.map((c) => c.id) },
      });
    }
  }
}
