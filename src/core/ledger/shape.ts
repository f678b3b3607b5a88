/**
 * The JSON shape of a bead as beads prints and exports it (beads.md §1.2, §4.1): known fields in
 * Go struct order with `omitempty`, unknown fields after them in the order they were read.
 */
import { ISSUE_KEY_ORDER, type Comment, type Dependency, type Issue } from './types.js';

/** Fields kept even when zero/empty (no `omitempty` in beads' struct). */
const ALWAYS_KEPT: ReadonlySet<string> = new Set(['priority', 'created_at', 'updated_at', 'estimated_minutes']);
/** Integer fields dropped when 0 (Go `omitempty` on a plain int). */
const ZERO_OMITTED: ReadonlySet<string> = new Set(['compaction_level', 'original_size', 'timeout']);

/** True when a value is "empty" in Go's `omitempty` sense for the given key. */
export function isOmittedValue(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (ALWAYS_KEPT.has(key)) return false;
  if (value === '' || value === false) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (value === 0 && ZERO_OMITTED.has(key)) return true;
  return false;
}

/** A dependency edge as a plain object in beads' key order. */
export function dependencyObject(d: Dependency): Record<string, unknown> {
  const o: Record<string, unknown> = { issue_id: d.issue_id, depends_on_id: d.depends_on_id, type: d.type };
  if (d.created_at) o.created_at = d.created_at;
  if (d.created_by) o.created_by = d.created_by;
  if (d.metadata) o.metadata = d.metadata;
  if (d.thread_id) o.thread_id = d.thread_id;
  if (d.extra) for (const [k, v] of Object.entries(d.extra)) if (!(k in o)) o[k] = v;
  return o;
}

/** A comment as a plain object in beads' key order. */
export function commentObject(c: Comment): Record<string, unknown> {
  return { id: c.id, issue_id: c.issue_id, author: c.author, text: c.text, created_at: c.created_at };
}

/**
 * A bead as a plain object in export order: known fields of {@link ISSUE_KEY_ORDER} with
 * `omitempty`, then `extra` keys. Labels are sorted; dependencies and comments as stored.
 */
export function issueObject(issue: Issue): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const key of ISSUE_KEY_ORDER) {
    let value: unknown = issue[key];
    if (key === 'labels' && Array.isArray(value)) value = [...new Set(value as string[])].sort();
    else if (key === 'dependencies' && Array.isArray(value)) value = (value as Dependency[]).map(dependencyObject);
    else if (key === 'comments' && Array.isArray(value)) value = (value as Comment[]).map(commentObject);
    if (!isOmittedValue(key, value)) o[key] = value;
  }
  if (issue.extra) for (const [k, v] of Object.entries(issue.extra)) if (!(k in o) && v !== undefined) o[k] = v;
  return o;
}
