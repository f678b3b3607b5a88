/**
 * The ledger's read side: ready work (beads.md §3, rules 1-8), list, blocked, search, stats,
 * show details and the dependency tree, with beads' JSON shapes (beads.md §4.1).
 */
import { issueObject } from '../../core/ledger/shape.js';
import { nowTime, timeKey } from '../../core/ledger/time.js';
import { NON_WORK_TYPES, type Issue } from '../../core/ledger/types.js';
import type { Db } from './db.js';
import { getDependencies, getIssueDoc, getLabels, hydrate } from './ledger-rows.js';

/** Filters shared by `ready` and `list` (beads flags). */
export interface IssueFilter {
  /** Exact assignee. */
  assignee?: string;
  /** Only beads with no assignee. */
  unassigned?: boolean;
  /** Exact priority 0..4. */
  priority?: number;
  /** Exact issue type (for ready it overrides the non-work exclusion). */
  type?: string;
  /** All of these labels (AND). */
  labels?: string[];
  /** Any of these labels (OR). */
  labelsAny?: string[];
  /** Id prefix (a rig's beads): `gt-` matches `gt-abc`. */
  prefix?: string;
  /** At most this many (0 = all). */
  limit?: number;
}

/** Options of {@link readyWork}. */
export interface ReadyOptions extends IssueFilter {
  /** Sort: `priority` (default: priority ASC, created_at DESC, id ASC), `oldest`, `hybrid`. */
  sort?: 'priority' | 'oldest' | 'hybrid';
  /** Include ephemeral wisps. */
  includeEphemeral?: boolean;
  /** Include beads deferred to the future. */
  includeDeferred?: boolean;
  /** Now, as epoch ms (for defer_until). */
  now?: number;
  /** Only these beads (which of a convoy's beads are ready); ids not in the ledger are ignored. */
  ids?: readonly string[];
}

/** A bead with beads' derived counts (`IssueWithCounts`, beads.md §4.1). */
export type IssueWithCounts = Record<string, unknown> & { id: string };

interface Where {
  sql: string[];
  params: Record<string, unknown>;
}

function filterWhere(f: IssueFilter, w: Where): void {
  if (f.assignee !== undefined) { w.sql.push('i.assignee = @assignee'); w.params.assignee = f.assignee; }
  if (f.unassigned) w.sql.push("i.assignee = ''");
  if (f.priority !== undefined) { w.sql.push('i.priority = @priority'); w.params.priority = f.priority; }
  if (f.type !== undefined) { w.sql.push('i.issue_type = @type'); w.params.type = f.type; }
  if (f.prefix) { w.sql.push('i.id >= @pfxLo AND i.id < @pfxHi'); w.params.pfxLo = `${f.prefix}-`; w.params.pfxHi = `${f.prefix}.`; }
  (f.labels ?? []).forEach((l, n) => {
    w.sql.push(`EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = @lab${n})`);
    w.params[`lab${n}`] = l;
  });
  if (f.labelsAny?.length) {
    const names = f.labelsAny.map((l, n) => { w.params[`any${n}`] = l; return `@any${n}`; });
    w.sql.push(`EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN (${names.join(',')}))`);
  }
}

/**
 * Add beads' derived fields to beads: labels, `dependency_count`, `dependent_count`,
 * `comment_count` and `parent` (beads.md §4.1 IssueWithCounts).
 */
export function withCounts(db: Db, issues: Issue[]): IssueWithCounts[] {
  const dep = db.prepare('SELECT count(*) AS n FROM dependencies WHERE issue_id = ?').pluck();
  const dependents = db.prepare('SELECT count(*) AS n FROM dependencies WHERE depends_on_id = ?').pluck();
  const comments = db.prepare('SELECT count(*) AS n FROM comments WHERE issue_id = ?').pluck();
  const parent = db.prepare("SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type = 'parent-child' LIMIT 1").pluck();
  return issues.map((issue) => {
    const labels = getLabels(db, issue.id);
    const o = issueObject({ ...issue, ...(labels.length ? { labels } : {}) }) as IssueWithCounts;
    o.dependency_count = dep.get(issue.id) as number;
    o.dependent_count = dependents.get(issue.id) as number;
    o.comment_count = comments.get(issue.id) as number;
    const p = parent.get(issue.id) as string | undefined;
    if (p) o.parent = p;
    return o;
  });
}

function docs(rows: Array<{ doc: string }>): Issue[] {
  return rows.map((r) => JSON.parse(r.doc) as Issue);
}

/**
 * Ready work, exactly as beads defines it (beads.md §3): status open; not pinned, not blocked,
 * not ephemeral, not a template; not a non-work type (merge-request, gate, molecule, message,
 * agent, role, rig) unless `type` asks for it; not deferred to the future, nor a direct child of
 * a parent deferred to the future; sorted by priority, newest first, then id; limit 100.
 */
export function readyWork(db: Db, options: ReadyOptions = {}): Issue[] {
  const nowKey = timeKey(nowTime(() => options.now ?? Date.now()));
  const w: Where = { sql: ["i.status = 'open'", 'i.is_blocked = 0', 'i.pinned = 0', 'i.is_template = 0'], params: { now: nowKey } };
  if (!options.includeEphemeral) w.sql.push('i.ephemeral = 0');
  if (options.type === undefined) w.sql.push(`i.issue_type NOT IN (${NON_WORK_TYPES.map((t) => `'${t}'`).join(',')})`);
  if (!options.includeDeferred) {
    w.sql.push('(i.defer_key IS NULL OR i.defer_key <= @now)');
    w.sql.push(`NOT EXISTS (SELECT 1 FROM dependencies pd JOIN issues p ON p.id = pd.depends_on_id
      WHERE pd.issue_id = i.id AND pd.type = 'parent-child' AND p.defer_key > @now)`);
  }
  filterWhere(options, w);
  if (options.ids) {
    w.sql.push('i.id IN (SELECT value FROM json_each(@ids))');
    w.params.ids = JSON.stringify(options.ids);
  }
  const limit = options.limit ?? 100;
  let order = 'i.priority ASC, i.created_key DESC, i.id ASC';
  if (options.sort === 'oldest') order = 'i.created_key ASC, i.id ASC';
  if (options.sort === 'hybrid') {
    w.params.recent = timeKey(nowTime(() => (options.now ?? Date.now()) - 48 * 3_600_000));
    order = 'CASE WHEN i.created_key >= @recent THEN 0 ELSE 1 END, CASE WHEN i.created_key >= @recent THEN i.priority ELSE 0 END, i.created_key ASC, i.id ASC';
  }
  const sql = `SELECT i.doc FROM issues i WHERE ${w.sql.join(' AND ')} ORDER BY ${order}${limit > 0 ? ` LIMIT ${Math.trunc(limit)}` : ''}`;
  return docs(db.prepare(sql).all(w.params) as Array<{ doc: string }>);
}

/** Options of {@link listIssues}. */
export interface ListOptions extends IssueFilter {
  /** Statuses to include; default: everything but closed (beads `bd list` default). */
  status?: string[];
  /** Include closed beads too (`--all`). */
  all?: boolean;
}

/**
 * List beads (beads `bd list`): default excludes closed, pinned (as status) and tombstones;
 * ordered by priority, newest first, id; default limit 50.
 */
export function listIssues(db: Db, options: ListOptions = {}): Issue[] {
  const w: Where = { sql: ["i.status <> 'tombstone'"], params: {} };
  if (options.status?.length) {
    w.sql.push(`i.status IN (${options.status.map((s, n) => { w.params[`st${n}`] = s; return `@st${n}`; }).join(',')})`);
  } else if (!options.all) {
    w.sql.push("i.status NOT IN ('closed','pinned')");
  }
  filterWhere(options, w);
  const limit = options.limit ?? 50;
  const sql = `SELECT i.doc FROM issues i WHERE ${w.sql.join(' AND ')} ORDER BY i.priority ASC, i.created_key DESC, i.id ASC${limit > 0 ? ` LIMIT ${Math.trunc(limit)}` : ''}`;
  return docs(db.prepare(sql).all(w.params) as Array<{ doc: string }>);
}

/** A blocked bead with what blocks it (beads `bd blocked --json`). */
export interface BlockedIssue {
  issue: Issue;
  /** Direct active blockers, else the blocked parent. */
  blocked_by: string[];
}

/** Beads that are blocked, with their direct blockers (beads `bd blocked`). */
export function blockedIssues(db: Db, options: IssueFilter = {}): BlockedIssue[] {
  const w: Where = { sql: ['i.is_blocked = 1', "i.status <> 'tombstone'"], params: {} };
  filterWhere(options, w);
  const limit = options.limit ?? 0;
  const rows = docs(db.prepare(`SELECT i.doc FROM issues i WHERE ${w.sql.join(' AND ')} ORDER BY i.priority, i.created_key DESC, i.id${limit > 0 ? ` LIMIT ${limit}` : ''}`).all(w.params) as Array<{ doc: string }>);
  const by = db.prepare(`SELECT d.depends_on_id AS id, d.type, t.status, t.is_blocked FROM dependencies d JOIN issues t ON t.id = d.depends_on_id
    WHERE d.issue_id = ? AND d.type IN ('blocks','conditional-blocks','waits-for','parent-child')`);
  return rows.map((issue) => {
    const edges = by.all(issue.id) as Array<{ id: string; type: string; status: string; is_blocked: number }>;
    const direct = edges.filter((e) => e.type !== 'parent-child' && !['closed', 'pinned', 'tombstone'].includes(e.status)).map((e) => e.id);
    const parents = edges.filter((e) => e.type === 'parent-child' && e.is_blocked === 1).map((e) => e.id);
    return { issue, blocked_by: direct.length ? direct : parents };
  });
}

/** Text search over id, title, description, notes and external_ref (beads `bd search`). */
export function searchIssues(db: Db, query: string, options: ListOptions = {}): Issue[] {
  const w: Where = { sql: ["i.status <> 'tombstone'"], params: { q: `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } };
  w.sql.push(`(i.id LIKE @q ESCAPE '\\' OR i.title LIKE @q ESCAPE '\\' OR (i.doc ->> '$.description') LIKE @q ESCAPE '\\'
    OR (i.doc ->> '$.notes') LIKE @q ESCAPE '\\' OR (i.doc ->> '$.external_ref') LIKE @q ESCAPE '\\')`);
  if (options.status?.length) {
    w.sql.push(`i.status IN (${options.status.map((s, n) => { w.params[`st${n}`] = s; return `@st${n}`; }).join(',')})`);
  }
  filterWhere(options, w);
  const limit = options.limit ?? 50;
  return docs(db.prepare(`SELECT i.doc FROM issues i WHERE ${w.sql.join(' AND ')} ORDER BY i.priority, i.created_key DESC, i.id${limit > 0 ? ` LIMIT ${limit}` : ''}`).all(w.params) as Array<{ doc: string }>);
}

/** Counts for `bd stats` (beads' `status`/`stats` summary). */
export interface LedgerStats {
  total_issues: number;
  open_issues: number;
  in_progress_issues: number;
  closed_issues: number;
  blocked_issues: number;
  deferred_issues: number;
  hooked_issues: number;
  pinned_issues: number;
  ready_issues: number;
  tombstone_issues: number;
  by_type: Record<string, number>;
  by_priority: Record<string, number>;
}

/** Ledger statistics. `prefix` limits them to one rig's beads. */
export function ledgerStats(db: Db, prefix?: string): LedgerStats {
  const w: Where = { sql: ['1 = 1'], params: {} };
  filterWhere({ prefix }, w);
  const where = w.sql.join(' AND ');
  const byStatus = new Map((db.prepare(`SELECT status, count(*) AS n FROM issues i WHERE ${where} GROUP BY status`).all(w.params) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
  const live = `${where} AND i.status <> 'tombstone'`;
  const by = (col: string) => Object.fromEntries((db.prepare(`SELECT ${col} AS k, count(*) AS n FROM issues i WHERE ${live} GROUP BY ${col} ORDER BY ${col}`).all(w.params) as Array<{ k: string; n: number }>).map((r) => [String(r.k), r.n]));
  const tomb = byStatus.get('tombstone') ?? 0;
  const total = [...byStatus.values()].reduce((a, b) => a + b, 0) - tomb;
  return {
    total_issues: total,
    open_issues: byStatus.get('open') ?? 0,
    in_progress_issues: byStatus.get('in_progress') ?? 0,
    closed_issues: byStatus.get('closed') ?? 0,
    blocked_issues: (db.prepare(`SELECT count(*) FROM issues i WHERE ${live} AND i.is_blocked = 1`).pluck().get(w.params) as number),
    deferred_issues: byStatus.get('deferred') ?? 0,
    hooked_issues: byStatus.get('hooked') ?? 0,
    pinned_issues: byStatus.get('pinned') ?? 0,
    ready_issues: readyWork(db, { prefix, limit: 0 }).length,
    tombstone_issues: tomb,
    by_type: by('issue_type'),
    by_priority: by('priority'),
  };
}

/**
 * `bd show --json` details: the bead with labels, `dependencies` as full target beads with
 * `dependency_type`, `dependents` (shallow), comments, counts and parent; epics get child totals.
 */
export function issueDetails(db: Db, id: string): Record<string, unknown> | undefined {
  const doc = getIssueDoc(db, id);
  if (!doc) return undefined;
  const full = hydrate(db, doc);
  const [base] = withCounts(db, [doc]);
  const o: Record<string, unknown> = { ...base };
  delete o.dependencies;
  const deps = getDependencies(db, id).map((d) => {
    const t = getIssueDoc(db, d.depends_on_id);
    return t ? { ...issueObject(t), dependency_type: d.type } : { id: d.depends_on_id, dependency_type: d.type, missing: true };
  });
  if (deps.length) o.dependencies = deps;
  const dependents = (db.prepare(`SELECT d.issue_id, d.type FROM dependencies d WHERE d.depends_on_id = ? ORDER BY d.rowid`).all(id) as Array<{ issue_id: string; type: string }>)
    .map((r) => {
      const t = getIssueDoc(db, r.issue_id);
      return { id: r.issue_id, title: t?.title ?? '', status: t?.status ?? 'missing', priority: t?.priority ?? 0, issue_type: t?.issue_type ?? '', dependency_type: r.type };
    });
  if (dependents.length) o.dependents = dependents;
  if (full.comments?.length) o.comments = full.comments;
  if (doc.issue_type === 'epic') {
    const kids = dependents.filter((d) => d.dependency_type === 'parent-child' && d.status !== 'tombstone');
    const closed = kids.filter((k) => k.status === 'closed').length;
    o.epic_total_children = kids.length;
    o.epic_closed_children = closed;
    o.epic_closeable = kids.length > 0 && closed === kids.length;
  }
  return o;
}

/** One node of a dependency tree. */
export interface DepTreeNode {
  id: string;
  title: string;
  status: string;
  priority: number;
  /** Type of the edge that led here (absent at the root). */
  dependency_type?: string;
  depth: number;
  /** True when this id was already shown higher up (the tree stops there). */
  truncated?: boolean;
  children: DepTreeNode[];
}

/**
 * The dependency tree of a bead: `down` follows what it depends on, `up` what depends on it.
 * Repeated ids are shown once and marked `truncated`; `maxDepth` bounds it (default 50).
 */
export function dependencyTree(db: Db, id: string, direction: 'down' | 'up' = 'down', maxDepth = 50): DepTreeNode | undefined {
  const next = direction === 'down'
    ? db.prepare('SELECT depends_on_id AS id, type FROM dependencies WHERE issue_id = ? ORDER BY rowid')
    : db.prepare('SELECT issue_id AS id, type FROM dependencies WHERE depends_on_id = ? ORDER BY rowid');
  const seen = new Set<string>();
  const build = (nid: string, depth: number, type?: string): DepTreeNode => {
    const doc = getIssueDoc(db, nid);
    const node: DepTreeNode = { id: nid, title: doc?.title ?? '(not in this ledger)', status: doc?.status ?? 'missing', priority: doc?.priority ?? 0, depth, children: [], ...(type ? { dependency_type: type } : {}) };
    if (seen.has(nid)) return { ...node, truncated: true };
    seen.add(nid);
    if (depth >= maxDepth) return node;
    for (const e of next.all(nid) as Array<{ id: string; type: string }>) node.children.push(build(e.id, depth + 1, e.type));
    return node;
  };
  return getIssueDoc(db, id) ? build(id, 0) : undefined;
}
