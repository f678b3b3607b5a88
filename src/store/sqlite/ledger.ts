/**
 * The ledger's write side: create, update, claim, close, reopen, delete, dependencies, labels
 * and comments, each one short `BEGIN IMMEDIATE` transaction that also records an event, keeps
 * the blocked flags current and counts the change for the exporter (beads.md §3-4 semantics).
 */
import { GtError } from '../../core/errors.js';
import { childDepth, generateHashId, MAX_CHILD_DEPTH, toNanos } from '../../core/ledger/ids.js';
import { nowTime } from '../../core/ledger/time.js';
import { DEFAULT_PRIORITY, type Comment, type Dependency, type Issue } from '../../core/ledger/types.js';
import { checkTitle, parseDepType } from '../../core/ledger/validate.js';
import { seedsForStatusChange, refreshBlocked } from './blocked-state.js';
import { writeTx, type Db } from './db.js';
import { resolveId } from './ledger-resolve.js';
import { checkCloseGuards, checkNoCycle, nextChildId } from './ledger-rules.js';
import {
  addEvent, bumpChange, deleteDependency, getDependency, getIssueDoc, getLabels, hydrate, issueExists,
  nextCommentId, putComment, putDependency, putIssue, setLabels,
} from './ledger-rows.js';

/** Who writes and when: the actor recorded on every change, and the clock (ms). */
export interface LedgerOptions {
  /**
   * Actor name (BD_ACTOR, an agent address like `demo/polecats/nux`, or the git user), or a
   * function giving it, called once on the first write (so reads never pay to look it up).
   */
  actor: string | (() => string);
  /** Default prefix for new beads and bare-hash ids (`hq`, or a rig's prefix). */
  prefix: string;
  /** Epoch-ms clock; tests pass their own. */
  clock?: () => number;
}

/** Fields of a new bead (`gt bd create`). */
export interface CreateInput {
  title: string;
  description?: string;
  design?: string;
  acceptance_criteria?: string;
  notes?: string;
  issue_type?: string;
  priority?: number;
  assignee?: string;
  owner?: string;
  labels?: string[];
  /** Parent id (partial ids resolved): the new bead becomes `parent.N` with a parent-child edge. */
  parent?: string;
  /** Dependencies of the new bead: it depends on each `id` with `type`. */
  deps?: Array<{ type: string; id: string }>;
  /** Explicit id (agent beads, imports); must be unused. */
  id?: string;
  /** Prefix override for this bead (a rig's prefix). */
  prefix?: string;
  due_at?: string;
  defer_until?: string;
  estimated_minutes?: number;
  external_ref?: string;
  metadata?: unknown;
  ephemeral?: boolean;
  status?: string;
}

/** Scalar fields an update may set ('' clears a text field). */
export type UpdatableField =
  | 'title' | 'description' | 'design' | 'acceptance_criteria' | 'notes' | 'status' | 'priority' | 'issue_type'
  | 'assignee' | 'owner' | 'due_at' | 'defer_until' | 'estimated_minutes' | 'external_ref' | 'metadata' | 'spec_id';

/** A change to a bead (`gt bd update`). */
export interface UpdateInput {
  set?: Partial<Record<UpdatableField, unknown>>;
  addLabels?: string[];
  removeLabels?: string[];
  /** Re-parent: the new parent's id ('' removes the parent edge). */
  parent?: string;
  /**
   * Atomic claim (beads `--claim`): succeeds only when the bead is open and unassigned (or
   * already the actor's); sets assignee = actor and status = in_progress.
   */
  claim?: boolean;
}

/** The ledger over one town database. */
export class Ledger {
  readonly db: Db;
  private actorValue: string | (() => string);
  readonly prefix: string;
  private readonly clock: () => number;

  constructor(db: Db, options: LedgerOptions) {
    this.db = db;
    this.actorValue = options.actor;
    this.prefix = options.prefix;
    this.clock = options.clock ?? Date.now;
  }

  /** The acting name recorded on changes. */
  get actor(): string {
    if (typeof this.actorValue === 'function') this.actorValue = this.actorValue();
    return this.actorValue;
  }

  /** Resolve a partial id to a bead id (see ledger-resolve.ts). */
  resolve(input: string): string {
    return resolveId(this.db, input, this.prefix);
  }

  /** A bead with labels, dependencies and comments. @throws GtError BEAD_NOT_FOUND. */
  get(input: string): Issue {
    const id = this.resolve(input);
    return hydrate(this.db, this.mustGet(id));
  }

  private mustGet(id: string): Issue {
    const doc = getIssueDoc(this.db, id);
    if (!doc) throw new GtError('BEAD_NOT_FOUND', `no bead "${id}"`, { fix: 'list beads with `gt bd list`' });
    return doc;
  }

  private now(): string {
    return nowTime(this.clock);
  }

  private event(id: string, type: string, old?: unknown, next?: unknown, comment?: string): void {
    const str = (v: unknown) => (v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
    addEvent(this.db, { issue_id: id, event_type: type, actor: this.actor, old_value: str(old), new_value: str(next), comment: comment ?? null, created_at: this.now() });
  }

  private statusChanged(id: string): void {
    refreshBlocked(this.db, seedsForStatusChange(this.db, id));
  }

  /**
   * Create a bead. Hash id with beads' algorithm unless `id` or `parent` is given.
   *
   * @throws GtError INVALID_VALUE (title), BEAD_NOT_FOUND (parent or dependency), DEPENDENCY_CYCLE,
   * INVALID_ID / RIG_EXISTS-like conflicts for an explicit id already in use.
   */
  create(input: CreateInput): Issue {
    const title = checkTitle(input.title);
    return writeTx(this.db, () => {
      const ms = this.clock();
      const now = nowTime(() => ms);
      const prefix = input.prefix ?? this.prefix;
      let id: string;
      let parentId: string | undefined;
      if (input.id) {
        id = input.id;
        if (issueExists(this.db, id)) throw new GtError('INVALID_ID', `bead id "${id}" is already in use`, { fix: 'choose another --id or leave it out to get a hash id' });
      } else if (input.parent) {
        parentId = this.resolve(input.parent);
        if (childDepth(parentId) >= MAX_CHILD_DEPTH) {
          throw new GtError('INVALID_VALUE', `"${parentId}" is already ${MAX_CHILD_DEPTH} levels deep; children cannot nest deeper`, { fix: 'attach the bead to a higher parent' });
        }
        id = nextChildId(this.db, parentId);
      } else {
        const count = (this.db.prepare("SELECT count(*) AS n FROM issues WHERE id >= ? AND id < ? AND instr(id, '.') = 0").get(`${prefix}-`, `${prefix}.`) as { n: number }).n;
        id = generateHashId({ prefix, title, description: input.description ?? '', creator: this.actor, createdAtNanos: toNanos(ms) }, count, (c) => issueExists(this.db, c));
      }
      const issue: Issue = {
        id, title,
        ...(input.description ? { description: input.description } : {}),
        ...(input.design ? { design: input.design } : {}),
        ...(input.acceptance_criteria ? { acceptance_criteria: input.acceptance_criteria } : {}),
        ...(input.notes ? { notes: input.notes } : {}),
        status: input.status ?? 'open',
        priority: input.priority ?? DEFAULT_PRIORITY,
        issue_type: input.issue_type ?? 'task',
        ...(input.assignee ? { assignee: input.assignee } : {}),
        ...(input.owner ? { owner: input.owner } : {}),
        ...(input.estimated_minutes !== undefined ? { estimated_minutes: input.estimated_minutes } : {}),
        created_at: now,
        created_by: this.actor,
        updated_at: now,
        ...(input.due_at ? { due_at: input.due_at } : {}),
        ...(input.defer_until ? { defer_until: input.defer_until } : {}),
        ...(input.external_ref ? { external_ref: input.external_ref } : {}),
        ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
        ...(input.ephemeral ? { ephemeral: true } : {}),
      };
      putIssue(this.db, issue);
      if (input.labels?.length) setLabels(this.db, id, [...new Set(input.labels)]);
      this.event(id, 'created', undefined, { title, status: issue.status, priority: issue.priority, issue_type: issue.issue_type });
      if (parentId) this.addEdge(id, parentId, 'parent-child', now);
      for (const d of input.deps ?? []) {
        const target = d.id.startsWith('external:') ? d.id : this.resolve(d.id);
        this.addEdge(id, target, parseDepType(d.type), now);
      }
      refreshBlocked(this.db, seedsForStatusChange(this.db, id));
      bumpChange(this.db, this.actor);
      return hydrate(this.db, issue);
    });
  }

  /** Add an edge inside the current transaction, with beads' write-time rules. */
  private addEdge(from: string, to: string, type: string, now: string): Dependency {
    if (from === to) throw new GtError('INVALID_VALUE', `${from} cannot depend on itself`, { fix: 'name two different beads' });
    const existing = getDependency(this.db, from, to);
    if (existing) {
      if (existing.type === type) return existing;
      throw new GtError('DEPENDENCY_CONFLICT', `${from} already depends on ${to} with type ${existing.type} (requested ${type})`, {
        fix: `remove it first: gt bd dep remove ${from} ${to}`,
      });
    }
    checkNoCycle(this.db, from, to, type);
    const dep: Dependency = { issue_id: from, depends_on_id: to, type, created_at: now, created_by: this.actor };
    putDependency(this.db, dep);
    this.event(from, 'dependency_added', undefined, { depends_on_id: to, type });
    return dep;
  }

  /**
   * Add a dependency: `from` depends on `to` (beads `bd dep add from to`).
   *
   * @throws GtError DEPENDENCY_CYCLE showing the cycle, DEPENDENCY_CONFLICT for a pair that
   * already has another type, BEAD_NOT_FOUND for unknown ids.
   */
  addDependency(fromInput: string, toInput: string, typeInput = 'blocks'): Dependency {
    const type = parseDepType(typeInput);
    return writeTx(this.db, () => {
      const from = this.resolve(fromInput);
      const to = toInput.startsWith('external:') ? toInput : this.resolve(toInput);
      const now = this.now();
      const dep = this.addEdge(from, to, type, now);
      this.touch(from, now);
      refreshBlocked(this.db, [from]);
      if (type === 'parent-child') refreshBlocked(this.db, seedsForStatusChange(this.db, from));
      bumpChange(this.db, this.actor);
      return dep;
    });
  }

  /** Remove a dependency. @throws GtError NOT_FOUND when there is no such edge. */
  removeDependency(fromInput: string, toInput: string): void {
    writeTx(this.db, () => {
      const from = this.resolve(fromInput);
      const to = toInput.startsWith('external:') || getDependency(this.db, from, toInput) ? toInput : this.resolve(toInput);
      const dep = getDependency(this.db, from, to);
      if (!dep || !deleteDependency(this.db, from, to)) {
        throw new GtError('NOT_FOUND', `${from} does not depend on ${to}`, { fix: `see its dependencies: gt bd show ${from}` });
      }
      this.event(from, 'dependency_removed', { depends_on_id: to, type: dep.type });
      this.touch(from, this.now());
      refreshBlocked(this.db, [from]);
      if (dep.type === 'parent-child') {
        refreshBlocked(this.db, (this.db.prepare("SELECT issue_id FROM dependencies WHERE depends_on_id = ? AND type = 'waits-for'").all(to) as Array<{ issue_id: string }>).map((r) => r.issue_id));
      }
      bumpChange(this.db, this.actor);
    });
  }

  private touch(id: string, now: string): void {
    const doc = this.mustGet(id);
    putIssue(this.db, { ...doc, updated_at: now });
  }

  /**
   * Update fields, labels, parent, or claim a bead.
   *
   * @throws GtError ALREADY_CLAIMED when a claim finds the bead taken or not open, BEAD_NOT_FOUND,
   * INVALID_VALUE for a bad title.
   */
  update(input: string, change: UpdateInput): Issue {
    return writeTx(this.db, () => {
      const id = this.resolve(input);
      const before = this.mustGet(id);
      const now = this.now();
      const next: Issue = { ...before };
      const oldVals: Record<string, unknown> = {};
      const newVals: Record<string, unknown> = {};
      const assign = (key: UpdatableField | 'started_at' | 'closed_at' | 'close_reason', value: unknown) => {
        const cur = (next as unknown as Record<string, unknown>)[key];
        const cleared = value === '' || value === null || value === undefined;
        if (cleared ? cur === undefined : JSON.stringify(cur) === JSON.stringify(value)) return;
        oldVals[key] = cur ?? null;
        newVals[key] = cleared ? null : value;
        if (cleared) delete (next as unknown as Record<string, unknown>)[key];
        else (next as unknown as Record<string, unknown>)[key] = value;
      };
      if (change.claim) {
        const mine = !before.assignee || before.assignee === this.actor;
        if (!mine || !(before.status === 'open' || (before.status === 'in_progress' && before.assignee === this.actor))) {
          throw new GtError('ALREADY_CLAIMED', `cannot claim ${id}: it is ${before.status}${before.assignee ? ` and assigned to ${before.assignee}` : ''}`, {
            fix: 'claim an open, unassigned bead (gt bd ready shows them)',
          });
        }
        assign('assignee', this.actor);
        assign('status', 'in_progress');
      }
      for (const [k, v] of Object.entries(change.set ?? {})) {
        if (k === 'title') assign('title', checkTitle(String(v)));
        else assign(k as UpdatableField, v);
      }
      if (next.status !== before.status) {
        if (next.status === 'in_progress' && !next.started_at) next.started_at = now;
        if (next.status === 'closed') {
          next.closed_at = now;
        } else if (before.status === 'closed') {
          delete next.closed_at;
          delete next.close_reason;
        }
      }
      let labelsChanged = false;
      if (change.addLabels?.length || change.removeLabels?.length) {
        const labels = new Set(getLabels(this.db, id));
        for (const l of change.addLabels ?? []) if (!labels.has(l)) { labels.add(l); labelsChanged = true; this.event(id, 'label_added', undefined, undefined, `Added label: ${l}`); }
        for (const l of change.removeLabels ?? []) if (labels.delete(l)) { labelsChanged = true; this.event(id, 'label_removed', undefined, undefined, `Removed label: ${l}`); }
        if (labelsChanged) setLabels(this.db, id, [...labels]);
      }
      let parentChanged = false;
      if (change.parent !== undefined) parentChanged = this.reparent(id, change.parent, now);
      const fieldsChanged = Object.keys(newVals).length > 0;
      if (!fieldsChanged && !labelsChanged && !parentChanged) return hydrate(this.db, before);
      next.updated_at = now;
      putIssue(this.db, next);
      if ('status' in newVals) this.event(id, 'status_changed', { status: before.status }, { status: next.status, ...(change.claim ? { assignee: this.actor } : {}) });
      const others = Object.keys(newVals).filter((k) => k !== 'status');
      if (others.length) this.event(id, 'updated', pick(oldVals, others), pick(newVals, others));
      if ('status' in newVals) this.statusChanged(id);
      bumpChange(this.db, this.actor);
      return hydrate(this.db, next);
    });
  }

  private reparent(id: string, parentInput: string, now: string): boolean {
    const current = (this.db.prepare("SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type = 'parent-child'").all(id) as Array<{ depends_on_id: string }>).map((r) => r.depends_on_id);
    const target = parentInput ? this.resolve(parentInput) : '';
    if (current.length === 1 && current[0] === target) return false;
    for (const p of current) {
      deleteDependency(this.db, id, p);
      this.event(id, 'dependency_removed', { depends_on_id: p, type: 'parent-child' });
    }
    if (target) this.addEdge(id, target, 'parent-child', now);
    refreshBlocked(this.db, [id]);
    refreshBlocked(this.db, seedsForStatusChange(this.db, id));
    return true;
  }

  /**
   * Close a bead with a reason. Refuses (unless `force`) when it has open blockers, is an epic
   * with open children, or is pinned (beads `bd close` guards).
   *
   * @throws GtError CLOSE_GUARD naming the blockers or children.
   */
  close(input: string, options: { reason?: string; force?: boolean } = {}): Issue {
    return writeTx(this.db, () => {
      const id = this.resolve(input);
      const before = this.mustGet(id);
      if (before.status === 'closed') return hydrate(this.db, before);
      if (!options.force) checkCloseGuards(this.db, id, before);
      const now = this.now();
      const next: Issue = { ...before, status: 'closed', closed_at: now, updated_at: now };
      if (options.reason) next.close_reason = options.reason;
      else delete next.close_reason;
      putIssue(this.db, next);
      this.event(id, 'closed', { status: before.status }, { status: 'closed' }, options.reason);
      this.statusChanged(id);
      bumpChange(this.db, this.actor);
      return hydrate(this.db, next);
    });
  }

  /** Reopen a closed bead (clears closed_at and close_reason). */
  reopen(input: string, options: { reason?: string } = {}): Issue {
    return writeTx(this.db, () => {
      const id = this.resolve(input);
      const before = this.mustGet(id);
      if (before.status !== 'closed') {
        throw new GtError('INVALID_STATUS', `${id} is ${before.status}, not closed`, { fix: 'only closed beads can be reopened' });
      }
      const now = this.now();
      const next: Issue = { ...before, status: 'open', updated_at: now };
      delete next.closed_at;
      delete next.close_reason;
      putIssue(this.db, next);
      this.event(id, 'reopened', { status: 'closed' }, { status: 'open' }, options.reason);
      this.statusChanged(id);
      bumpChange(this.db, this.actor);
      return hydrate(this.db, next);
    });
  }

  /**
   * Delete a bead as a tombstone (beads SQLite era): kept as a row excluded from every view and
   * exported, so the deletion propagates through git. Its outgoing dependencies are dropped.
   */
  delete(input: string, options: { reason?: string } = {}): Issue {
    return writeTx(this.db, () => {
      const id = this.resolve(input);
      const before = this.mustGet(id);
      const now = this.now();
      const extra = { ...(before.extra ?? {}), deleted_at: now, deleted_by: this.actor, delete_reason: options.reason ?? 'delete', original_type: before.issue_type };
      const next: Issue = { ...before, status: 'tombstone', updated_at: now, extra };
      putIssue(this.db, next);
      this.db.prepare('DELETE FROM dependencies WHERE issue_id = ?').run(id);
      this.event(id, 'deleted', { status: before.status }, { status: 'tombstone' }, options.reason);
      this.statusChanged(id);
      bumpChange(this.db, this.actor);
      return next;
    });
  }

  /** Add a comment. */
  comment(input: string, text: string, author = this.actor): Comment {
    if (!text.trim()) throw new GtError('INVALID_VALUE', 'a comment needs text', { fix: 'gt bd comment <id> "what happened"' });
    return writeTx(this.db, () => {
      const id = this.resolve(input);
      const now = this.now();
      const c: Comment = { id: nextCommentId(this.db), issue_id: id, author, text, created_at: now };
      putComment(this.db, c);
      this.touch(id, now);
      this.event(id, 'commented', undefined, undefined, text);
      bumpChange(this.db, this.actor);
      return c;
    });
  }
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
