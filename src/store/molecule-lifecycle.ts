/**
 * Working a molecule and ending it (beads.md §6.3): `bd close <step> --continue` closes a step
 * and claims the next ready one in the same transaction; `squash` replaces the steps by one
 * closed digest bead; `burn` removes the molecule without a trace. Each is one write
 * transaction. Ephemeral beads (wisps) are deleted outright — they were never exported, so no
 * tombstone is needed; persistent ones become tombstones, so the deletion reaches other clones.
 */
import { GtError, isGtError } from '../core/errors.js';
import { nowTime, timeKey } from '../core/ledger/time.js';
import type { Issue } from '../core/ledger/types.js';
import { refreshBlocked } from './sqlite/blocked-state.js';
import { writeTx, type Db } from './sqlite/db.js';
import type { Ledger } from './sqlite/ledger.js';
import { bumpChange, getIssueDoc } from './sqlite/ledger-rows.js';
import { claimableSteps, findMoleculeOf, moleculeSteps, type MoleculeStep } from './molecule-progress.js';
import { MOLECULE_TYPE } from './molecules.js';

/** beads' `ContinueResult` (the `continue` part of `bd close --continue --json`), plus our counts. */
export interface ContinueResult {
  /** The step that was closed. */
  closed_step: Issue;
  /** The step to do next: claimed when `auto_advanced`, else only named. */
  next_step?: Issue;
  /** True when `next_step` was claimed (status in_progress, assignee = the actor). */
  auto_advanced: boolean;
  /** True when every step of the molecule is closed. */
  molecule_complete: boolean;
  molecule_id: string;
  /** Steps done, of all steps. */
  completed: number;
  total: number;
  /** Ready steps nobody can claim automatically (a person's steps, gates): someone must act. */
  waiting_on?: Array<{ id: string; title: string; kind: 'human' | 'gate' }>;
}

/** What {@link closeAndContinue} did: the closed bead, and the molecule part (null outside a molecule). */
export interface CloseContinueResult {
  closed: Issue;
  continue: ContinueResult | null;
}

/** Options of {@link closeAndContinue}. */
export interface ContinueOptions {
  reason?: string;
  /** Close despite the close guards (open blockers, pinned). */
  force?: boolean;
  /** Name the next step but do not claim it (beads `--no-auto`). */
  noAuto?: boolean;
}

/**
 * Close a step and move on (beads `bd close --continue`), in one write transaction: close it;
 * find its molecule; when every step is closed say `molecule_complete`; else claim the first
 * claimable ready step in molecule order (see {@link claimableSteps}) for the ledger's actor,
 * trying the next one when a claim is refused. Two agents doing this at once never get the same
 * step: each runs under the write lock and a claim only takes an open step.
 *
 * @throws GtError from the close (CLOSE_GUARD, BEAD_NOT_FOUND, …).
 */
export function closeAndContinue(ledger: Ledger, input: string, options: ContinueOptions = {}): CloseContinueResult {
  return writeTx(ledger.db, () => {
    const closed = ledger.close(input, { ...(options.reason ? { reason: options.reason } : {}), ...(options.force ? { force: true } : {}) });
    const root = findMoleculeOf(ledger.db, closed.id);
    if (!root) return { closed, continue: null };
    const steps = moleculeSteps(ledger.db, root);
    const isStep = steps.some((s) => s.id === closed.id);
    const done = steps.filter((s) => s.state === 'done').length;
    const result: ContinueResult = {
      closed_step: closed, auto_advanced: false, molecule_complete: done === steps.length, molecule_id: root, completed: done, total: steps.length,
    };
    if (result.molecule_complete || !isStep) return { closed, continue: result };
    for (const step of claimableSteps(steps, ledger.actor)) {
      if (options.noAuto) {
        result.next_step = step.issue;
        break;
      }
      try {
        result.next_step = ledger.update(step.id, { claim: true });
        result.auto_advanced = true;
        break;
      } catch (e) {
        if (!isGtError(e) || e.code !== 'ALREADY_CLAIMED') throw e;
      }
    }
    const waiting = steps.filter((s) => s.state === 'ready' && (s.human || s.gate));
    if (waiting.length) result.waiting_on = waiting.map((s) => ({ id: s.id, title: s.title, kind: s.human ? 'human' as const : 'gate' as const }));
    return { closed, continue: result };
  });
}

/** Resolve `input` to a molecule root, refusing anything else. */
function requireRoot(ledger: Ledger, input: string, verb: string): Issue {
  const id = ledger.resolve(input);
  const doc = getIssueDoc(ledger.db, id)!;
  if (doc.issue_type !== MOLECULE_TYPE) {
    const owner = findMoleculeOf(ledger.db, id);
    throw new GtError('INVALID_VALUE', `${id} is not a molecule (it is a ${doc.issue_type})`, {
      fix: owner ? `${verb} its molecule: gt mol ${verb} ${owner}` : 'name a molecule root (gt bd list -t molecule)',
    });
  }
  return doc;
}

function json(ids: readonly string[]): string {
  return JSON.stringify(ids);
}

/**
 * Remove beads inside the caller's transaction: ephemeral ones outright (with their labels,
 * edges, comments and events), persistent ones as tombstones (outgoing edges dropped, as
 * `Ledger.delete`); agents whose hook pointed at one are cleared; beads outside the set that
 * depended on one are re-judged for blocked.
 */
function removeBeads(db: Db, ids: readonly string[], actor: string, reason: string): void {
  if (!ids.length) return;
  const now = nowTime();
  const set = json(ids);
  const rows = db.prepare('SELECT id, ephemeral, doc FROM issues WHERE id IN (SELECT value FROM json_each(?))').all(set) as Array<{ id: string; ephemeral: number; doc: string }>;
  const outside = db.prepare(`SELECT DISTINCT issue_id FROM dependencies WHERE depends_on_id IN (SELECT value FROM json_each(@set))
    AND issue_id NOT IN (SELECT value FROM json_each(@set))`).pluck().all({ set }) as string[];
  const wisps = json(rows.filter((r) => r.ephemeral === 1).map((r) => r.id));
  for (const sql of [
    'DELETE FROM labels WHERE issue_id IN (SELECT value FROM json_each(@wisps))',
    'DELETE FROM comments WHERE issue_id IN (SELECT value FROM json_each(@wisps))',
    'DELETE FROM events WHERE issue_id IN (SELECT value FROM json_each(@wisps))',
    'DELETE FROM child_counters WHERE parent_id IN (SELECT value FROM json_each(@wisps))',
    'DELETE FROM dependencies WHERE issue_id IN (SELECT value FROM json_each(@wisps)) OR depends_on_id IN (SELECT value FROM json_each(@wisps))',
    'DELETE FROM issues WHERE id IN (SELECT value FROM json_each(@wisps))',
  ]) db.prepare(sql).run({ wisps });
  const tomb = db.prepare("UPDATE issues SET status = 'tombstone', updated_key = ?, is_blocked = 0, doc = ? WHERE id = ?");
  const dropOut = db.prepare('DELETE FROM dependencies WHERE issue_id = ?');
  const event = db.prepare("INSERT INTO events (issue_id, event_type, actor, old_value, new_value, comment, created_at) VALUES (?, 'deleted', ?, ?, ?, ?, ?)");
  for (const r of rows.filter((x) => x.ephemeral !== 1)) {
    const doc = JSON.parse(r.doc) as Issue;
    const extra = { ...(doc.extra ?? {}), deleted_at: now, deleted_by: actor, delete_reason: reason, original_type: doc.issue_type };
    const next: Issue = { ...doc, status: 'tombstone', updated_at: now, extra };
    tomb.run(timeKey(now), JSON.stringify(next), r.id);
    dropOut.run(r.id);
    event.run(r.id, actor, JSON.stringify({ status: doc.status }), JSON.stringify({ status: 'tombstone' }), reason, now);
  }
  db.prepare(`UPDATE agents SET hook_bead = '', state = CASE WHEN state = 'working' THEN 'idle' ELSE state END, updated_at = ?
    WHERE hook_bead IN (SELECT value FROM json_each(?))`).run(now, set);
  refreshBlocked(db, outside);
}

/** beads' `SquashResult` (`bd mol squash --json`). */
export interface SquashResult {
  molecule_id: string;
  /** The new digest bead (closed, persistent, child of the root). */
  digest_id: string;
  /** The steps squashed, in molecule order. */
  squashed_ids: string[];
  squashed_count: number;
  /** Ephemeral steps deleted (0 with keepChildren, or for a poured molecule). */
  deleted_count: number;
  kept_children: boolean;
  /** True when the molecule was a wisp. */
  wisp_squash: boolean;
}

/** Options of {@link squashMolecule}. */
export interface SquashOptions {
  /** The digest's description (an agent's summary); default: the closed steps' titles. */
  summary?: string;
  /** Squash even though some steps are not closed. */
  force?: boolean;
  /** Keep the ephemeral steps (beads `--keep-children`). */
  keepChildren?: boolean;
}

/**
 * Squash a molecule (beads `bd mol squash`), in one write transaction: a digest bead
 * "Digest: <root title>" — closed with reason "Squashed from N steps", persistent, parent-child
 * to the root, description = `summary` or the closed steps' titles, metadata
 * `{digest: true, squashed_from: N}` — then the ephemeral steps are deleted (unless
 * `keepChildren`) and the root is closed with `metadata.digest` naming the digest.
 *
 * @throws GtError INVALID_VALUE (not a molecule root), INVALID_STATUS (already squashed; steps
 * still open, without `force`), BEAD_NOT_FOUND.
 */
export function squashMolecule(ledger: Ledger, input: string, options: SquashOptions = {}): SquashResult {
  return writeTx(ledger.db, () => {
    const root = requireRoot(ledger, input, 'squash');
    const meta = (root.metadata && typeof root.metadata === 'object' && !Array.isArray(root.metadata) ? root.metadata : {}) as Record<string, unknown>;
    if (typeof meta.digest === 'string') {
      throw new GtError('INVALID_STATUS', `${root.id} is already squashed into ${meta.digest}`, { fix: `see it: gt bd show ${meta.digest}` });
    }
    const steps = moleculeSteps(ledger.db, root.id);
    const open = steps.filter((s) => s.state !== 'done');
    if (open.length && !options.force) {
      throw new GtError('INVALID_STATUS', `${root.id} has ${open.length} step${open.length === 1 ? '' : 's'} not done: ${open.slice(0, 5).map((s) => s.id).join(', ')}${open.length > 5 ? ', …' : ''}`, {
        fix: 'close them first (gt bd close <step> --continue), or pass --force to squash anyway', details: { open: open.map((s) => s.id) },
      });
    }
    const closedTitles = steps.filter((s) => s.state === 'done').map((s) => `- ${s.title}`);
    const description = options.summary?.trim() || closedTitles.join('\n') || '(no steps were closed)';
    const digest = ledger.create({
      title: `Digest: ${root.title}`.slice(0, 500), description, parent: root.id, labels: ['digest'],
      metadata: { digest: true, squashed_from: steps.length, ...(typeof meta.formula === 'string' ? { formula: meta.formula } : {}) },
    });
    ledger.close(digest.id, { reason: `Squashed from ${steps.length} steps`, force: true });
    const wispSteps = options.keepChildren ? [] : steps.filter((s) => s.issue.ephemeral).map((s) => s.id);
    removeBeads(ledger.db, wispSteps, ledger.actor, `squashed into ${digest.id}`);
    ledger.update(root.id, { set: { metadata: { ...meta, digest: digest.id } } });
    ledger.close(root.id, { reason: `Squashed into ${digest.id}`, force: true });
    bumpChange(ledger.db, ledger.actor);
    return {
      molecule_id: root.id, digest_id: digest.id, squashed_ids: steps.map((s) => s.id), squashed_count: steps.length,
      deleted_count: wispSteps.length, kept_children: Boolean(options.keepChildren), wisp_squash: Boolean(root.ephemeral),
    };
  });
}

/** beads' `BurnResult` (`bd mol burn --json`). */
export interface BurnResult {
  molecule_id: string;
  /** Root, steps and digest, as removed. */
  deleted_ids: string[];
  deleted_count: number;
}

function guardBurn(root: Issue, steps: MoleculeStep[], force: boolean): void {
  if (force) return;
  if (root.status === 'hooked' || root.status === 'in_progress') {
    throw new GtError('INVALID_STATUS', `${root.id} is ${root.status}${root.assignee ? ` by ${root.assignee}` : ''}`, {
      fix: `unsling it first (gt unsling ${root.id}), or pass --force`,
    });
  }
  const done = steps.filter((s) => s.state === 'done');
  if (!root.ephemeral && root.status !== 'closed' && done.length) {
    throw new GtError('INVALID_STATUS', `${root.id} is a poured molecule with ${done.length} closed step${done.length === 1 ? '' : 's'}; burning it loses that record`, {
      fix: `squash it instead (gt mol squash ${root.id} --force), or pass --force to burn it`,
    });
  }
}

/**
 * Burn a molecule (beads `bd mol burn`): the root, its steps and any digest are removed (wisps
 * deleted, poured beads tombstoned), the attached bead's `metadata.molecule` is cleared, in one
 * write transaction. Without `force` it refuses a root that is hooked or in progress, and an
 * open poured (non-wisp) molecule that has closed steps.
 *
 * @throws GtError INVALID_VALUE (not a molecule root), INVALID_STATUS (the guards), BEAD_NOT_FOUND.
 */
export function burnMolecule(ledger: Ledger, input: string, options: { force?: boolean } = {}): BurnResult {
  return writeTx(ledger.db, () => {
    const root = requireRoot(ledger, input, 'burn');
    const steps = moleculeSteps(ledger.db, root.id);
    guardBurn(root, steps, Boolean(options.force));
    const children = ledger.db.prepare(`SELECT d.issue_id FROM dependencies d JOIN issues i ON i.id = d.issue_id
      WHERE d.depends_on_id = ? AND d.type = 'parent-child' AND i.status <> 'tombstone'`).pluck().all(root.id) as string[];
    const meta = (root.metadata && typeof root.metadata === 'object' && !Array.isArray(root.metadata) ? root.metadata : {}) as Record<string, unknown>;
    const attached = typeof meta.attached_to === 'string' ? getIssueDoc(ledger.db, meta.attached_to) : undefined;
    const am = attached?.metadata;
    if (attached && am && typeof am === 'object' && !Array.isArray(am) && (am as Record<string, unknown>).molecule === root.id) {
      const { molecule: _m, formula: _f, ...rest } = am as Record<string, unknown>;
      ledger.update(attached.id, { set: { metadata: Object.keys(rest).length ? rest : '' } });
    }
    const ids = [root.id, ...children];
    removeBeads(ledger.db, ids, ledger.actor, 'burn');
    bumpChange(ledger.db, ledger.actor);
    return { molecule_id: root.id, deleted_ids: ids, deleted_count: ids.length };
  });
}
