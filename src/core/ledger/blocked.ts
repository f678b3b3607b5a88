/**
 * The blocked rule of beads (../shared/research/beads.md §3), as one pure function used both by
 * the incremental maintenance of `issues.is_blocked` and by full recomputation.
 *
 * blocked(x) := x.status ∉ {closed, pinned, tombstone} ∧ (
 *     ∃ blocks edge x→t with t local and active
 *   ∨ ∃ conditional-blocks edge x→t with t local and not (closed with a failure reason)
 *   ∨ ∃ waits-for edge x→T whose gate over T's children is unsatisfied
 *   ∨ ∃ parent-child edge x→p with blocked(p) )
 *
 * Decisions (beads.md §9 Produce 7, recorded here):
 * - `conditional-blocks` follows beads' documented intent ("B runs only if A fails"): the
 *   dependent is unblocked only when the target closed with a failure keyword in its
 *   close_reason; beads' Dolt-era code treats it like `blocks`.
 * - `external:<project>:<x>` targets and targets missing from the ledger do not block (beads
 *   HEAD behaviour: `is_blocked` only joins local issues).
 * - A tombstoned (deleted) target does not block.
 */

/** Statuses that count as done for blocking purposes (beads: closed and pinned). */
export const INACTIVE_STATUSES: ReadonlySet<string> = new Set(['closed', 'pinned', 'tombstone']);

/** Failure keywords of `conditional-blocks` (beads SQLite era `blocked_cache.go`). */
export const FAILURE_KEYWORDS = [
  'failed', 'rejected', 'wontfix', "won't fix", 'canceled', 'cancelled', 'abandoned', 'blocked', 'error', 'timeout', 'aborted',
] as const;

/** True when a status blocks its dependents (anything but closed, pinned, tombstone — custom statuses too). */
export function isActiveStatus(status: string): boolean {
  return !INACTIVE_STATUSES.has(status);
}

/** True when a close reason says the work failed (for `conditional-blocks`). */
export function isFailureReason(reason: string | undefined): boolean {
  if (!reason) return false;
  const r = reason.toLowerCase();
  return FAILURE_KEYWORDS.some((k) => r.includes(k));
}

/** One outgoing edge of the issue being judged, with what the rule needs to know about its target. */
export interface EdgeFacts {
  /** Dependency type. */
  type: string;
  /** False when the target is not in the ledger (dangling, external, another town). */
  targetExists: boolean;
  /** Target status (when it exists). */
  targetStatus?: string;
  /** Target close_reason (for conditional-blocks). */
  targetCloseReason?: string;
  /** Target's own blocked flag (for parent-child inheritance). */
  targetBlocked?: boolean;
  /** For waits-for: how many parent-child children the target has, and how many are closed/pinned. */
  targetChildren?: { total: number; done: number };
  /** Edge metadata JSON text (waits-for gate: `{"gate":"any-children"}`). */
  metadata?: string;
}

/** Why an issue is blocked: the first edge that blocks it, or undefined when it is not. */
export interface BlockReason {
  type: string;
  index: number;
}

function waitsForGate(metadata: string | undefined): 'all-children' | 'any-children' {
  if (!metadata) return 'all-children';
  try {
    const m = JSON.parse(metadata) as { gate?: unknown };
    return m && m.gate === 'any-children' ? 'any-children' : 'all-children';
  } catch {
    return 'all-children';
  }
}

/**
 * Decide whether an issue is blocked, from its status and the facts of its outgoing edges.
 * Returns the first blocking edge, or undefined when it is not blocked.
 */
export function blockReason(status: string, edges: readonly EdgeFacts[]): BlockReason | undefined {
  if (!isActiveStatus(status)) return undefined;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (!e.targetExists) continue;
    const target = e.targetStatus ?? 'open';
    switch (e.type) {
      case 'blocks':
        if (isActiveStatus(target)) return { type: e.type, index: i };
        break;
      case 'conditional-blocks':
        if (target === 'tombstone') break;
        if (!(target === 'closed' && isFailureReason(e.targetCloseReason))) return { type: e.type, index: i };
        break;
      case 'waits-for': {
        const c = e.targetChildren ?? { total: 0, done: 0 };
        if (c.total === 0) break;
        const gate = waitsForGate(e.metadata);
        if (gate === 'all-children' ? c.done < c.total : c.done === 0) return { type: e.type, index: i };
        break;
      }
      case 'parent-child':
        if (e.targetBlocked) return { type: e.type, index: i };
        break;
      default:
        break;
    }
  }
  return undefined;
}

/** True when {@link blockReason} finds a blocking edge. */
export function isBlocked(status: string, edges: readonly EdgeFacts[]): boolean {
  return blockReason(status, edges) !== undefined;
}

/** A node of the graph given to {@link computeBlockedSet}. */
export interface GraphIssue {
  id: string;
  status: string;
  closeReason?: string;
}

/** An edge of the graph given to {@link computeBlockedSet}. */
export interface GraphEdge {
  from: string;
  to: string;
  type: string;
  metadata?: string;
}

/**
 * Compute the blocked set of a whole ledger at once (used after an import). Parent-child
 * inheritance is resolved depth-first with memoization; a parent-child cycle counts as not
 * blocked through the cycle (beads allows such cycles).
 */
export function computeBlockedSet(issues: Iterable<GraphIssue>, edges: Iterable<GraphEdge>): Set<string> {
  const byId = new Map<string, GraphIssue>();
  for (const i of issues) byId.set(i.id, i);
  const out = new Map<string, GraphEdge[]>();
  const children = new Map<string, { total: number; done: number }>();
  for (const e of edges) {
    let list = out.get(e.from);
    if (!list) out.set(e.from, (list = []));
    list.push(e);
    if (e.type === 'parent-child') {
      const child = byId.get(e.from);
      if (!child || child.status === 'tombstone') continue;
      let c = children.get(e.to);
      if (!c) children.set(e.to, (c = { total: 0, done: 0 }));
      c.total++;
      if (child.status === 'closed' || child.status === 'pinned') c.done++;
    }
  }
  const memo = new Map<string, boolean>();
  const visiting = new Set<string>();
  const judge = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const issue = byId.get(id);
    if (!issue) return false;
    if (visiting.has(id)) return false;
    visiting.add(id);
    const facts: EdgeFacts[] = (out.get(id) ?? []).map((e) => {
      const t = byId.get(e.to);
      return {
        type: e.type,
        targetExists: t !== undefined,
        targetStatus: t?.status,
        targetCloseReason: t?.closeReason,
        targetBlocked: e.type === 'parent-child' && t ? judge(t.id) : false,
        targetChildren: e.type === 'waits-for' ? children.get(e.to) : undefined,
        metadata: e.metadata,
      };
    });
    visiting.delete(id);
    const b = isBlocked(issue.status, facts);
    memo.set(id, b);
    return b;
  };
  const blocked = new Set<string>();
  for (const id of byId.keys()) if (judge(id)) blocked.add(id);
  return blocked;
}

/**
 * Find a cycle that adding the edge `from → to` would close over the blocking types, given a
 * way to list the blocking targets of an issue. Returns the cycle as ids
 * `[from, to, …, from]`, or undefined when there is none (beads.md §3: cycles are rejected on
 * blocks and conditional-blocks only).
 */
export function findCycle(from: string, to: string, blockingTargets: (id: string) => readonly string[]): string[] | undefined {
  if (from === to) return [from, from];
  // BFS from `to` looking for `from`, remembering parents to rebuild the path.
  const parent = new Map<string, string>([[to, '']]);
  const queue = [to];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const next of blockingTargets(cur)) {
      if (parent.has(next)) continue;
      parent.set(next, cur);
      if (next === from) {
        const path = [from];
        let p = cur;
        while (p) {
          path.push(p);
          p = parent.get(p) ?? '';
        }
        // path is from ← … ← to reversed; build from → to → … → from
        const chain = path.slice(1).reverse();
        return [from, ...chain, from];
      }
      queue.push(next);
    }
  }
  return undefined;
}
