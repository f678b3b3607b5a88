/**
 * Reading a molecule: its steps in molecule order with a state each (beads `bd mol current`:
 * done / current / ready / blocked / pending), its progress, which molecule a bead belongs to,
 * and which molecules an agent works on. A whole molecule is read with two queries (steps,
 * then their labels), never one per step, so a 1,023-step molecule answers in milliseconds.
 */
import { GtError } from '../core/errors.js';
import type { Issue } from '../core/ledger/types.js';
import type { PrimeMolecule } from '../core/work/prime.js';
import type { Db } from './sqlite/db.js';
import { resolveId } from './sqlite/ledger-resolve.js';
import { getIssueDoc } from './sqlite/ledger-rows.js';
import { GATE_LABEL, HUMAN_LABEL, MOLECULE_TYPE } from './molecules.js';

/** Where a step stands (beads' `StepStatus.status`). */
export type StepState = 'done' | 'current' | 'ready' | 'blocked' | 'pending';

/** One step of a molecule, as read. */
export interface MoleculeStep {
  /** Bead id (`dm-abc.3`). */
  id: string;
  /** The formula's step id (metadata `step_id`; the bead id when the bead has none). */
  stepId: string;
  title: string;
  /** The bead's status. */
  status: string;
  /** done (closed), current (in_progress or hooked), ready (open, unblocked), blocked, pending (anything else). */
  state: StepState;
  /** '' when unassigned. */
  assignee: string;
  /** A person's step (label `human`): never claimed by `close --continue`. */
  human: boolean;
  /** A gate step (type or label `gate`): waits on something outside; never claimed by `close --continue`. */
  gate: boolean;
  /** The bead (document with labels). */
  issue: Issue;
}

/** A molecule: its root bead and its steps in molecule order. */
export interface MoleculeView {
  root: Issue;
  steps: MoleculeStep[];
}

function childNumber(root: string, id: string): number {
  const rest = id.startsWith(`${root}.`) ? id.slice(root.length + 1) : '';
  return /^\d+$/.test(rest) ? Number(rest) : Number.MAX_SAFE_INTEGER;
}

function stateOf(status: string, blocked: boolean): StepState {
  if (status === 'closed') return 'done';
  if (status === 'in_progress' || status === 'hooked') return 'current';
  if (status === 'blocked' || (status === 'open' && blocked)) return 'blocked';
  return status === 'open' ? 'ready' : 'pending';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The steps of molecule `root` in molecule order (`<root>.N` by N; other children after), each
 * with its state. The squash digest (metadata `digest: true`) is not a step. Two queries.
 */
export function moleculeSteps(db: Db, root: string): MoleculeStep[] {
  const rows = db.prepare(`SELECT i.id, i.status, i.is_blocked, i.doc FROM dependencies d JOIN issues i ON i.id = d.issue_id
    WHERE d.depends_on_id = ? AND d.type = 'parent-child' AND i.status <> 'tombstone'`).all(root) as Array<{ id: string; status: string; is_blocked: number; doc: string }>;
  const labels = new Map<string, string[]>();
  for (const r of db.prepare(`SELECT l.issue_id, l.label FROM dependencies d JOIN labels l ON l.issue_id = d.issue_id
    WHERE d.depends_on_id = ? AND d.type = 'parent-child' ORDER BY l.issue_id, l.label`).all(root) as Array<{ issue_id: string; label: string }>) {
    let l = labels.get(r.issue_id);
    if (!l) labels.set(r.issue_id, (l = []));
    l.push(r.label);
  }
  const steps: MoleculeStep[] = [];
  for (const r of rows) {
    const doc = JSON.parse(r.doc) as Issue;
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    if (meta.digest === true) continue;
    const l = labels.get(r.id) ?? [];
    steps.push({
      id: r.id, stepId: typeof meta.step_id === 'string' ? meta.step_id : r.id, title: doc.title, status: r.status,
      state: stateOf(r.status, r.is_blocked === 1), assignee: doc.assignee ?? '',
      human: l.includes(HUMAN_LABEL), gate: doc.issue_type === 'gate' || l.includes(GATE_LABEL),
      issue: { ...doc, ...(l.length ? { labels: l } : {}) },
    });
  }
  return steps.sort((a, b) => childNumber(root, a.id) - childNumber(root, b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** True when `id` is a molecule root. */
export function isMolecule(db: Db, id: string): boolean {
  return (db.prepare('SELECT issue_type FROM issues WHERE id = ?').pluck().get(id) as string | undefined) === MOLECULE_TYPE;
}

/**
 * The molecule a bead belongs to: itself when it is a root, the molecule named by its
 * `metadata.molecule` (a bead a molecule is attached to), else the nearest molecule up its
 * parent-child chain (a step). Undefined when none.
 */
export function findMoleculeOf(db: Db, id: string): string | undefined {
  const doc = getIssueDoc(db, id);
  if (!doc) return undefined;
  if (doc.issue_type === MOLECULE_TYPE) return id;
  const attached = isObject(doc.metadata) ? doc.metadata.molecule : undefined;
  if (typeof attached === 'string' && isMolecule(db, attached)) return attached;
  const parentOf = db.prepare("SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type = 'parent-child' LIMIT 1").pluck();
  const seen = new Set([id]);
  for (let cur = parentOf.get(id) as string | undefined; cur && !seen.has(cur); cur = parentOf.get(cur) as string | undefined) {
    if (isMolecule(db, cur)) return cur;
    seen.add(cur);
  }
  return undefined;
}

/**
 * Load a molecule by (partial) id: a root, or any bead that belongs to one (a step, or a bead a
 * molecule is attached to).
 *
 * @throws GtError BEAD_NOT_FOUND, AMBIGUOUS_ID, INVALID_VALUE (the bead is in no molecule).
 */
export function loadMolecule(db: Db, input: string, prefix: string): MoleculeView {
  const id = resolveId(db, input, prefix);
  const rootId = findMoleculeOf(db, id);
  if (!rootId) {
    throw new GtError('INVALID_VALUE', `${id} is not a molecule, a step of one, or a bead with one attached`, {
      fix: 'pour one with `gt mol pour <formula>`, or list molecules with `gt bd list -t molecule`',
    });
  }
  return { root: getIssueDoc(db, rootId)!, steps: moleculeSteps(db, rootId) };
}

/**
 * The molecules an agent works on: those of the beads hooked by it or in progress with it
 * (its hooked bead's attached molecule, a slung molecule root, a claimed step). Root ids,
 * hooked first, then by id.
 */
export function moleculesForAgent(db: Db, agent: string): string[] {
  const rows = db.prepare(`SELECT id FROM issues WHERE assignee = ? AND status IN ('hooked','in_progress')
    ORDER BY CASE status WHEN 'hooked' THEN 0 ELSE 1 END, id`).pluck().all(agent) as string[];
  const out: string[] = [];
  for (const id of rows) {
    const m = findMoleculeOf(db, id);
    if (m && !out.includes(m)) out.push(m);
  }
  return out;
}

/**
 * The first step `close --continue` may claim: ready, not a person's or a gate step, and
 * unassigned or the actor's own, in molecule order.
 */
export function claimableSteps(steps: readonly MoleculeStep[], actor: string): MoleculeStep[] {
  return steps.filter((s) => s.state === 'ready' && !s.human && !s.gate && (!s.assignee || s.assignee === actor));
}

/** One step in beads' `bd mol current --json` shape. */
export interface StepStatusJson {
  issue: Issue;
  status: StepState;
  is_current: boolean;
}

/** beads' `MoleculeProgress` (`bd mol current --json` prints an array of these). */
export interface MoleculeProgressJson {
  molecule_id: string;
  molecule_title: string;
  assignee?: string;
  current_step?: Issue;
  next_step?: Issue;
  steps: StepStatusJson[];
  completed: number;
  total: number;
}

/**
 * A molecule in beads' `MoleculeProgress` shape: every step, the first current step, the first
 * ready step (when none is current), completed and total counts.
 */
export function moleculeProgressJson(view: MoleculeView): MoleculeProgressJson {
  const current = view.steps.find((s) => s.state === 'current');
  const next = current ? undefined : view.steps.find((s) => s.state === 'ready');
  return {
    molecule_id: view.root.id,
    molecule_title: view.root.title,
    ...(view.root.assignee ? { assignee: view.root.assignee } : {}),
    ...(current ? { current_step: current.issue } : {}),
    ...(next ? { next_step: next.issue } : {}),
    steps: view.steps.map((s) => ({ issue: s.issue, status: s.state, is_current: s.state === 'current' })),
    completed: view.steps.filter((s) => s.state === 'done').length,
    total: view.steps.length,
  };
}

/** beads' `MoleculeProgressStats` plus `percent` and the current/next step (`gt mol progress --json`). */
export interface MoleculeProgressStats {
  molecule_id: string;
  molecule_title: string;
  total: number;
  completed: number;
  in_progress: number;
  /** First current step ('' when none, as beads). */
  current_step_id: string;
  /** completed / total × 100, rounded down (100 for an empty molecule). */
  percent: number;
  /** The step to work on: the first current one, else the first ready one. */
  current_step: { id: string; step_id: string; title: string; status: StepState } | null;
  /** RFC 3339 close time of the first and last closed step. */
  first_closed?: string;
  last_closed?: string;
}

/** Progress counts of a molecule (see {@link MoleculeProgressStats}). */
export function moleculeProgressStats(view: MoleculeView): MoleculeProgressStats {
  const done = view.steps.filter((s) => s.state === 'done');
  const current = view.steps.find((s) => s.state === 'current') ?? view.steps.find((s) => s.state === 'ready');
  const closedTimes = done.map((s) => s.issue.closed_at).filter((t): t is string => Boolean(t)).sort();
  const total = view.steps.length;
  return {
    molecule_id: view.root.id,
    molecule_title: view.root.title,
    total,
    completed: done.length,
    in_progress: view.steps.filter((s) => s.state === 'current').length,
    current_step_id: view.steps.find((s) => s.state === 'current')?.id ?? '',
    percent: total ? Math.floor((done.length * 100) / total) : 100,
    current_step: current ? { id: current.id, step_id: current.stepId, title: current.title, status: current.state } : null,
    ...(closedTimes.length ? { first_closed: closedTimes[0]!, last_closed: closedTimes[closedTimes.length - 1]! } : {}),
  };
}

/**
 * The molecule of an agent's hooked bead for `gt prime` (the bead's attached molecule, or the
 * bead itself when it is a molecule root), or undefined. `address` picks the step to name next:
 * its own current step, else any current one, else the first claimable ready step.
 */
export function primeMoleculeOf(db: Db, hook: Issue, address: string): PrimeMolecule | undefined {
  const root = hook.issue_type === MOLECULE_TYPE ? hook.id : findMoleculeOf(db, hook.id);
  if (!root) return undefined;
  const rootDoc = getIssueDoc(db, root);
  if (!rootDoc) return undefined;
  const steps = moleculeSteps(db, root);
  const meta = isObject(rootDoc.metadata) ? rootDoc.metadata : {};
  const next = steps.find((s) => s.state === 'current' && s.assignee === address)
    ?? steps.find((s) => s.state === 'current')
    ?? claimableSteps(steps, address)[0];
  const completed = steps.filter((s) => s.state === 'done').length;
  return {
    id: root,
    title: rootDoc.title,
    formula: typeof meta.formula === 'string' ? meta.formula : '',
    wisp: Boolean(rootDoc.ephemeral),
    completed,
    total: steps.length,
    complete: completed === steps.length,
    next: next ? { id: next.id, step_id: next.stepId, title: next.title, status: next.state, ...(next.issue.description ? { description: next.issue.description } : {}) } : null,
    steps: steps.map((s) => ({ id: s.id, step_id: s.stepId, title: s.title, status: s.state, ...(s.assignee ? { assignee: s.assignee } : {}), ...(s.human ? { human: true } : {}), ...(s.gate ? { gate: true } : {}) })),
  };
}
