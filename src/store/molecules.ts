/**
 * Molecules: a cooked formula poured into the ledger (beads.md §6 "pour/wisp"). A molecule is a
 * root bead of type `molecule` with one child bead per step (`<root>.1`, `<root>.2`, … in the
 * formula's order, parent-child to the root) and a `blocks` edge for every `needs` (the needed
 * step blocks the one that needs it), so the ledger's own blocked/ready rules walk the steps.
 * A wisp is the same with every bead `ephemeral` (never exported to `.beads/issues.jsonl`).
 *
 * Pouring is one write transaction with statements prepared once: the blocked flags are set
 * directly (a fresh step is blocked iff it needs another step), so a 1,023-step chain costs one
 * insert per bead, edge and event. Progress, continue, squash and burn are in
 * molecule-progress.ts and molecule-lifecycle.ts.
 */
import type { CookedFormula } from '../core/formula/types.js';
import { GtError } from '../core/errors.js';
import { generateHashId, toNanos } from '../core/ledger/ids.js';
import { isTime, nowTime, timeKey, ZERO_TIME } from '../core/ledger/time.js';
import type { Issue } from '../core/ledger/types.js';
import { checkTitle, MAX_TITLE_LENGTH } from '../core/ledger/validate.js';
import { writeTx, type Db } from './sqlite/db.js';
import { Ledger } from './sqlite/ledger.js';
import { bumpChange, getIssueDoc, issueExists } from './sqlite/ledger-rows.js';
import { getRig } from './town/rigs.js';
import type { Town } from './town/town.js';

/** Issue type of a molecule's root bead (a non-work type: never in ready work itself). */
export const MOLECULE_TYPE = 'molecule';
/** Label of a step a person does (formula step type `human`); `close --continue` never claims it. */
export const HUMAN_LABEL = 'human';
/** Label of a step that waits on something outside (formula step type `gate`). */
export const GATE_LABEL = 'gate';
/** Step id given to a convoy formula's synthesis step. */
export const SYNTHESIS_STEP_ID = 'synthesis';

/**
 * `metadata` of a molecule's root bead.
 */
export interface MoleculeMetadata {
  /** Formula name the molecule was poured from. */
  formula: string;
  /** Formula version. */
  formula_version: number;
  /** Where the formula was read from (`rig`, `town`, `shipped`, `file`). */
  formula_origin: string;
  /** Variable values it was cooked with. */
  vars: Record<string, string>;
  /** True for a wisp (every bead ephemeral). */
  wisp: boolean;
  /** The bead this molecule is attached to (`gt sling <formula> --on <bead>`). */
  attached_to?: string;
  /** After `gt mol squash`: the digest bead. */
  digest?: string;
}

/**
 * `metadata` of a step bead.
 */
export interface StepMetadata {
  /** The formula's step id (`implement`, `implement.draft`, a convoy leg id, `synthesis`). */
  step_id: string;
  /** Shell command of the step (formula key `run`), for a shell step runner. */
  run?: string;
  /** Acceptance text of the step (also the bead's `acceptance_criteria`). */
  acceptance?: string;
  /** Convoy formulas: true on a leg. */
  leg?: boolean;
  /** Convoy formulas: the leg's runtime ('' = rig default). */
  agent?: string;
}

/** One bead to create for a step: everything decided before any write. */
export interface PlannedStep {
  /** The formula's step id. */
  stepId: string;
  title: string;
  description: string;
  /** Step ids this one needs (each becomes a `blocks` edge). */
  needs: string[];
  /** Issue type of the bead (`task`, `gate`, `bug`, …). */
  issueType: string;
  /** 0..4. */
  priority: number;
  labels: string[];
  acceptance?: string;
  metadata: StepMetadata;
}

const BEAD_TYPES = new Set(['task', 'bug', 'feature', 'chore', 'epic']);

/**
 * The beads a cooked formula pours into, in molecule order: its steps (type `human` → task with
 * label `human`, `gate` → type gate with label `gate`); for a convoy formula each leg's step
 * gets label `leg` and the leg's agent, and a leg or synthesis the steps lack is added (legs
 * with no needs between them, the synthesis needing every leg).
 *
 * @throws GtError INVALID_VALUE for a duplicate step id, a `needs` naming no step, or a cycle.
 */
export function moleculePlan(cooked: CookedFormula): PlannedStep[] {
  const plan: PlannedStep[] = cooked.steps.map((s) => {
    const labels = [...(s.labels ?? [])];
    if (s.type === 'human') labels.push(HUMAN_LABEL);
    if (s.type === 'gate') labels.push(GATE_LABEL);
    const metadata: StepMetadata = { step_id: s.id, ...(s.run ? { run: s.run } : {}), ...(s.acceptance ? { acceptance: s.acceptance } : {}) };
    return {
      stepId: s.id, title: s.title.trim() || s.id, description: s.description, needs: [...s.needs],
      issueType: s.type === 'gate' ? 'gate' : BEAD_TYPES.has(s.type) ? s.type : 'task',
      priority: s.priority, labels: [...new Set(labels)], ...(s.acceptance ? { acceptance: s.acceptance } : {}), metadata,
    };
  });
  // The cooker puts legs and the synthesis into `steps` already (types.ts); a leg's step gets
  // the leg's agent and label here. Legs or a synthesis missing from `steps` are added.
  const legs = cooked.legs ?? [];
  for (const leg of legs) {
    const asStep = plan.find((p) => p.stepId === leg.id);
    if (asStep) {
      asStep.labels = [...new Set([...asStep.labels, 'leg'])];
      asStep.metadata = { ...asStep.metadata, leg: true, agent: leg.agent };
      continue;
    }
    plan.push({
      stepId: leg.id, title: leg.title.trim() || leg.id, description: leg.description, needs: [], issueType: 'task', priority: 2,
      labels: ['leg'], metadata: { step_id: leg.id, leg: true, agent: leg.agent },
    });
  }
  if (cooked.synthesis && !plan.some((p) => p.stepId === SYNTHESIS_STEP_ID)) {
    plan.push({
      stepId: SYNTHESIS_STEP_ID, title: cooked.synthesis.title.trim() || 'Synthesis', description: cooked.synthesis.description,
      needs: legs.map((l) => l.id), issueType: 'task', priority: 2, labels: [], metadata: { step_id: SYNTHESIS_STEP_ID },
    });
  }
  checkPlan(cooked.name, plan);
  return plan;
}

function checkPlan(formula: string, plan: PlannedStep[]): void {
  const index = new Map<string, number>();
  plan.forEach((p, i) => {
    if (index.has(p.stepId)) {
      throw new GtError('INVALID_VALUE', `formula ${formula} has two steps with id "${p.stepId}"`, { fix: 'give every step (and convoy leg) its own id' });
    }
    index.set(p.stepId, i);
  });
  const indegree = plan.map(() => 0);
  const dependents = plan.map((): number[] => []);
  plan.forEach((p, i) => {
    for (const n of new Set(p.needs)) {
      const j = index.get(n);
      if (j === undefined) {
        throw new GtError('INVALID_VALUE', `step "${p.stepId}" of formula ${formula} needs "${n}", which is no step of it`, {
          fix: `name an existing step in its needs (steps: ${[...index.keys()].slice(0, 10).join(', ')})`,
        });
      }
      if (j === i) throw new GtError('INVALID_VALUE', `step "${p.stepId}" of formula ${formula} needs itself`, { fix: 'remove it from its own needs' });
      indegree[i]!++;
      dependents[j]!.push(i);
    }
  });
  // Kahn: every step must be reachable in dependency order, else the needs have a cycle.
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  let seen = 0;
  while (queue.length) {
    const i = queue.pop()!;
    seen++;
    for (const d of dependents[i]!) if (--indegree[d]! === 0) queue.push(d);
  }
  if (seen < plan.length) {
    const stuck = plan.filter((_, i) => indegree[i]! > 0).map((p) => p.stepId);
    throw new GtError('INVALID_VALUE', `the needs of formula ${formula} form a cycle among: ${stuck.slice(0, 10).join(', ')}`, {
      fix: 'remove one of the needs so the steps can run in some order', details: { steps: stuck },
    });
  }
}

/** Options of {@link pourMolecule}. */
export interface PourOptions {
  /** Who pours (recorded as creator and on every event). */
  actor: string;
  /** Prefix of the new beads; default: the prefix of `rig`, else the town's. */
  prefix?: string;
  /** Rig whose prefix the beads get (when `prefix` is not given). */
  rig?: string;
  /** Pour a wisp: every bead ephemeral (never exported). */
  wisp?: boolean;
  /** Attach the molecule to this bead: root `metadata.attached_to`, bead `metadata.molecule`. */
  attachTo?: string;
  /** Assignee of the root bead. */
  assignee?: string;
  /** Title of the root bead; default: the formula name. */
  title?: string;
  /** Epoch-ms clock (tests). */
  clock?: () => number;
}

/** What {@link pourMolecule} created. */
export interface PouredMolecule {
  /** Id of the root bead. */
  root: string;
  /** One entry per step, in molecule order: the formula's step id and its bead id. */
  steps: Array<{ stepId: string; beadId: string }>;
  /** True for a wisp. */
  wisp: boolean;
  /** The bead it was attached to, if any. */
  attachedTo?: string;
}

function keyOf(text: string | undefined): string {
  return text && isTime(text) ? timeKey(text) : timeKey(ZERO_TIME);
}

function docOf(issue: Issue): string {
  const { labels: _l, dependencies: _d, comments: _c, ...rest } = issue;
  return JSON.stringify(rest);
}

/** Statements of one pour, prepared once. */
function statements(db: Db) {
  return {
    issue: db.prepare(`INSERT INTO issues (id, title, status, priority, issue_type, assignee, created_key, updated_key, defer_key,
        pinned, ephemeral, is_template, is_blocked, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, 0, ?, ?)`),
    label: db.prepare('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)'),
    dep: db.prepare('INSERT INTO dependencies (issue_id, depends_on_id, type, doc) VALUES (?, ?, ?, ?)'),
    event: db.prepare('INSERT INTO events (issue_id, event_type, actor, old_value, new_value, comment, created_at) VALUES (?, ?, ?, NULL, ?, NULL, ?)'),
    counter: db.prepare('INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON CONFLICT(parent_id) DO UPDATE SET last_child = excluded.last_child'),
  };
}

/** The prefix a pour uses: explicit, else the rig's, else the town's. */
function prefixFor(town: Town, options: PourOptions): string {
  if (options.prefix) return options.prefix;
  if (options.rig) return getRig(town, options.rig).prefix;
  return town.json.prefix;
}

/**
 * Attach a molecule to a bead inside the caller's transaction: the bead's metadata gets
 * `molecule: <root>` and `formula: <name>`.
 *
 * @throws GtError INVALID_VALUE when the bead's metadata is not a JSON object.
 */
export function attachMolecule(ledger: Ledger, beadId: string, root: string, formula: string): void {
  const bead = ledger.get(beadId);
  const meta = bead.metadata ?? {};
  if (typeof meta !== 'object' || Array.isArray(meta) || meta === null) {
    throw new GtError('INVALID_VALUE', `cannot attach a molecule to ${bead.id}: its metadata is not a JSON object`, {
      fix: `set its metadata to an object first (gt bd update ${bead.id} --metadata '{}')`,
    });
  }
  ledger.update(bead.id, { set: { metadata: { ...(meta as Record<string, unknown>), molecule: root, formula } } });
}

/**
 * Pour a cooked formula as a molecule (or a wisp), in one write transaction: the root bead
 * (type `molecule`, title = `options.title` or the formula name, description = the formula's,
 * metadata {@link MoleculeMetadata}, `source_formula`), one child bead per step
 * (`<root>.N` in molecule order, metadata {@link StepMetadata}, parent-child to the root) and a
 * `blocks` edge per need; with `attachTo` the bead is marked too (see {@link attachMolecule}).
 *
 * @throws GtError INVALID_VALUE (duplicate step id, unknown need, cycle, bad title),
 * BEAD_NOT_FOUND (`attachTo`), RIG_NOT_FOUND (`rig`).
 */
export function pourMolecule(town: Town, cooked: CookedFormula, options: PourOptions): PouredMolecule {
  const plan = moleculePlan(cooked);
  const title = checkTitle((options.title ?? cooked.name).slice(0, MAX_TITLE_LENGTH));
  const prefix = prefixFor(town, options);
  const db = town.db;
  const ledger = new Ledger(db, { actor: options.actor, prefix });
  const wisp = Boolean(options.wisp);
  const clock = options.clock ?? Date.now;
  return writeTx(db, () => {
    const attachTo = options.attachTo ? ledger.resolve(options.attachTo) : undefined;
    const ms = clock();
    const now = nowTime(() => ms);
    const nowKey = keyOf(now);
    const st = statements(db);
    const count = (db.prepare("SELECT count(*) AS n FROM issues WHERE id >= ? AND id < ? AND instr(id, '.') = 0").get(`${prefix}-`, `${prefix}.`) as { n: number }).n;
    const root = generateHashId({ prefix, title, description: cooked.description, creator: options.actor, createdAtNanos: toNanos(ms) }, count, (c) => issueExists(db, c));
    const metadata: MoleculeMetadata = {
      formula: cooked.name, formula_version: cooked.version, formula_origin: cooked.source.origin, vars: { ...cooked.vars }, wisp,
      ...(attachTo ? { attached_to: attachTo } : {}),
    };
    const insert = (issue: Issue, blocked: boolean) => {
      st.issue.run(issue.id, issue.title, issue.status, issue.priority, issue.issue_type, issue.assignee ?? '', nowKey, nowKey, wisp ? 1 : 0, blocked ? 1 : 0, docOf(issue));
      st.event.run(issue.id, 'created', options.actor, JSON.stringify({ title: issue.title, status: issue.status, priority: issue.priority, issue_type: issue.issue_type }), now);
    };
    const edge = (from: string, to: string, type: string) => {
      st.dep.run(from, to, type, JSON.stringify({ issue_id: from, depends_on_id: to, type, created_at: now, created_by: options.actor }));
      st.event.run(from, 'dependency_added', options.actor, JSON.stringify({ depends_on_id: to, type }), now);
    };
    const base = { status: 'open', created_at: now, created_by: options.actor, updated_at: now, ...(wisp ? { ephemeral: true } : {}) };
    insert({
      id: root, title, ...(cooked.description ? { description: cooked.description } : {}), ...base, priority: 2, issue_type: MOLECULE_TYPE,
      ...(options.assignee ? { assignee: options.assignee } : {}), metadata, source_formula: cooked.name,
    }, false);
    const ids = new Map<string, string>();
    plan.forEach((p, i) => ids.set(p.stepId, `${root}.${i + 1}`));
    plan.forEach((p) => {
      const id = ids.get(p.stepId)!;
      insert({
        id, title: checkTitle(p.title.slice(0, MAX_TITLE_LENGTH)), ...(p.description ? { description: p.description } : {}),
        ...(p.acceptance ? { acceptance_criteria: p.acceptance } : {}), ...base, priority: p.priority, issue_type: p.issueType, metadata: p.metadata,
      }, p.needs.length > 0);
      for (const l of p.labels) st.label.run(id, l);
      edge(id, root, 'parent-child');
      for (const n of new Set(p.needs)) edge(id, ids.get(n)!, 'blocks');
    });
    if (plan.length) st.counter.run(root, plan.length);
    if (attachTo) attachMolecule(ledger, attachTo, root, cooked.name);
    bumpChange(db, options.actor);
    return { root, steps: plan.map((p) => ({ stepId: p.stepId, beadId: ids.get(p.stepId)! })), wisp, ...(attachTo ? { attachedTo: attachTo } : {}) };
  });
}

/** A molecule root's metadata, or undefined when `id` is no molecule. */
export function moleculeMetadata(db: Db, id: string): (Partial<MoleculeMetadata> & Record<string, unknown>) | undefined {
  const doc = getIssueDoc(db, id);
  if (!doc || doc.issue_type !== MOLECULE_TYPE) return undefined;
  const m = doc.metadata;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Partial<MoleculeMetadata> & Record<string, unknown>) : {};
}
