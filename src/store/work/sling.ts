/**
 * Slinging a bead (gastown-features.md §3.3) up to the point where a session must start: guards
 * (closed, hooked, another rig's bead), the target (a free polecat of the rig, a named polecat, a
 * crew member, the mayor), its sandbox, the hook written atomically, an event, and the bead put in
 * a convoy ("Work: <title>") when none tracks it (after the sling took effect, so a refused sling
 * leaves no convoy behind). A sling to a rig past the scheduler's capacity
 * is queued instead (store/scheduler.ts); the daemon dispatches it when a polecat frees up.
 * Used by `gt sling` (which then asks the daemon to start the session) and by the daemon's
 * scheduler.
 */
import { GtError } from '../../core/errors.js';
import type { CookedFormula } from '../../core/formula/types.js';
import { prefixOfId } from '../../core/ledger/ids.js';
import { crewDir } from '../../core/town/layout.js';
import { addToConvoy, convoyOf, createConvoy, resolveConvoy } from '../convoys.js';
import { recordEvent } from '../events.js';
import { burnMolecule } from '../molecule-lifecycle.js';
import { findMoleculeOf } from '../molecule-progress.js';
import { pourMolecule, type PouredMolecule } from '../molecules.js';
import { capacity, enqueueSling, type QueuedSling } from '../scheduler.js';
import { writeTx } from '../sqlite/db.js';
import { Ledger } from '../sqlite/ledger.js';
import { getRig, listRigs } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { getAgent, upsertAgent } from './agents.js';
import { hookBead } from './hook.js';
import { allocatePolecat, preparePolecatSandbox, releasePolecat } from './polecats.js';

/** Where a sling goes. */
export type SlingTarget = { kind: 'rig'; rig: string } | { kind: 'polecat'; rig: string; name: string } | { kind: 'crew'; rig: string; name: string } | { kind: 'mayor' };

/** Options of {@link slingBead}. */
export interface SlingOptions {
  /** The runtime preset for the session. */
  runtime?: string;
  /** Take a bead hooked by someone else. */
  force?: boolean;
  /** Who slings (recorded on the hook, the event and the convoy). */
  actor: string;
  /** Add to this convoy instead of finding or creating one. */
  convoy?: string;
  /** Do not put the bead in a convoy. */
  noConvoy?: boolean;
  /** Ignore the scheduler's capacity (the scheduler's own dispatch). */
  ignoreCapacity?: boolean;
}

/** What {@link slingBead} did: hooked (start the session of `address`) or queued. */
export type SlingOutcome =
  | { kind: 'hooked'; bead: string; address: string; rig: string; convoy?: string }
  | { kind: 'queued'; bead: string; rig: string; queued: QueuedSling; reason: string; convoy?: string };

/**
 * Read a target: `<rig>`, `<rig>/<polecat>`, `<rig>/polecats/<name>`, `<rig>/crew/<name>`,
 * `mayor`; none = the rig whose prefix the bead has.
 *
 * @throws GtError USAGE, RIG_NOT_FOUND.
 */
export function parseSlingTarget(town: Town, beadId: string, target: string | undefined): SlingTarget {
  if (!target) {
    const rigs = listRigs(town);
    const p = prefixOfId(beadId, rigs.map((r) => r.prefix));
    const rig = rigs.find((r) => r.prefix === p);
    if (!rig) throw new GtError('USAGE', `${beadId} is not a rig's bead (prefix ${p}); name where to sling it`, { fix: 'gt sling <bead> <rig>' });
    return { kind: 'rig', rig: rig.name };
  }
  const t = target.replace(/\/$/, '');
  if (t === 'mayor') return { kind: 'mayor' };
  const parts = t.split('/');
  if (parts.length === 1) return { kind: 'rig', rig: getRig(town, parts[0]!).name };
  if (parts.length === 2) return { kind: 'polecat', rig: getRig(town, parts[0]!).name, name: parts[1]! };
  if (parts.length === 3 && parts[1] === 'polecats') return { kind: 'polecat', rig: getRig(town, parts[0]!).name, name: parts[2]! };
  if (parts.length === 3 && parts[1] === 'crew') return { kind: 'crew', rig: getRig(town, parts[0]!).name, name: parts[2]! };
  throw new GtError('USAGE', `cannot read the target "${target}"`, { fix: 'use <rig>, <rig>/<polecat>, <rig>/crew/<name> or mayor' });
}

async function prepareAgent(town: Town, target: SlingTarget, beadId: string, runtime: string | undefined): Promise<{ address: string; allocated: boolean }> {
  switch (target.kind) {
    case 'rig': {
      const a = await allocatePolecat(town, target.rig, { beadId, ...(runtime ? { runtime } : {}) });
      return { address: a.address, allocated: true };
    }
    case 'polecat': {
      const address = `${target.rig}/polecats/${target.name}`;
      const existing = getAgent(town.db, address);
      if (existing?.hook_bead && existing.hook_bead !== beadId) {
        throw new GtError('ALREADY_CLAIMED', `${address} already has ${existing.hook_bead} on its hook`, { fix: `sling to the rig (gt sling ${beadId} ${target.rig}) to get a free polecat` });
      }
      writeTx(town.db, () => upsertAgent(town.db, { address, role: 'polecat', rig: target.rig, name: target.name, state: 'working', ...(runtime ? { runtime } : {}) }));
      await preparePolecatSandbox(town, target.rig, target.name, beadId);
      return { address, allocated: false };
    }
    case 'crew': {
      const address = `${target.rig}/crew/${target.name}`;
      if (!town.db.prepare('SELECT name FROM crew WHERE rig = ? AND name = ?').get(target.rig, target.name)) {
        throw new GtError('NOT_FOUND', `no crew "${target.name}" in rig ${target.rig}`, { fix: `add it: gt crew add ${target.name} --rig ${target.rig}` });
      }
      writeTx(town.db, () => upsertAgent(town.db, { address, role: 'crew', rig: target.rig, name: target.name, worktree: crewDir(town.root, target.rig, target.name), ...(runtime ? { runtime } : {}) }));
      return { address, allocated: false };
    }
    case 'mayor':
      writeTx(town.db, () => upsertAgent(town.db, { address: 'mayor', role: 'mayor', name: 'mayor', worktree: town.root, ...(runtime ? { runtime } : {}) }));
      return { address: 'mayor', allocated: false };
  }
}

/**
 * Put the slung bead in a convoy: the one asked for (already resolved), else the open convoy
 * that tracks it, else a new "Work: <title>" convoy. Runs after the sling took effect.
 */
function ensureConvoy(town: Town, bead: { id: string; title: string }, asked: string | undefined, options: SlingOptions): string | undefined {
  if (options.noConvoy) return undefined;
  const tracking = convoyOf(town, bead.id);
  if (asked) return tracking === asked ? asked : addToConvoy(town, asked, [bead.id], options.actor).id;
  return tracking ?? createConvoy(town, { title: `Work: ${bead.title}`.slice(0, 500), beads: [bead.id], owner: options.actor, actor: options.actor }).id;
}

/**
 * Sling a bead: guards, target, sandbox, hook, event, convoy; or queue it when its rig is at
 * capacity. Does not start the session (the caller asks the daemon, or is the daemon).
 *
 * @throws GtError INVALID_STATUS (closed), ALREADY_CLAIMED (hooked elsewhere, without force),
 * INVALID_VALUE (another rig's bead), USAGE (unreadable target), BEAD_NOT_FOUND, RIG_NOT_FOUND.
 */
export async function slingBead(town: Town, beadInput: string, targetInput: string | undefined, options: SlingOptions): Promise<SlingOutcome> {
  const ledger = new Ledger(town.db, { actor: options.actor, prefix: town.json.prefix });
  const beadId = ledger.resolve(beadInput);
  const bead = ledger.get(beadId);
  if (bead.status === 'closed') throw new GtError('INVALID_STATUS', `cannot sling ${beadId}: it is closed${bead.close_reason ? ` (${bead.close_reason})` : ''}`, { fix: `reopen it first: gt bd reopen ${beadId}` });
  if (bead.status === 'hooked' && !options.force) throw new GtError('ALREADY_CLAIMED', `cannot sling ${beadId}: it is already on ${bead.assignee}'s hook`, { fix: `unsling it first (gt unsling ${beadId}) or pass --force` });
  const target = parseSlingTarget(town, beadId, targetInput);
  const rig = target.kind === 'mayor' ? '' : target.rig;
  if (target.kind !== 'mayor') {
    const rigPrefix = getRig(town, target.rig).prefix;
    const beadPrefix = prefixOfId(beadId, listRigs(town).map((r) => r.prefix).concat(town.json.prefix));
    if (beadPrefix !== rigPrefix && beadPrefix !== town.json.prefix) {
      throw new GtError('INVALID_VALUE', `${beadId} belongs to another rig (prefix ${beadPrefix}), not ${target.rig} (prefix ${rigPrefix})`, { fix: 'sling it to its own rig' });
    }
  }
  // a bad --convoy is refused before anything changes
  const askedConvoy = options.convoy && !options.noConvoy ? resolveConvoy(town, options.convoy) : undefined;
  if (target.kind === 'rig' && !options.ignoreCapacity) {
    const cap = capacity(town, target.rig);
    if (!cap.free) {
      const queued = enqueueSling(town, { beadId, rig: target.rig, target: target.rig, priority: bead.priority, ...(options.runtime ? { runtime: options.runtime } : {}) });
      const reason = cap.town.max > 0 && cap.town.working >= cap.town.max
        ? `the town runs ${cap.town.working}/${cap.town.max} polecats` : `rig ${target.rig} runs ${cap.rig.working}/${cap.rig.max} polecats`;
      recordEvent(town, { type: 'scheduler.queued', actor: options.actor, rig, subject: beadId, payload: { reason, queue_id: queued.id } });
      const convoy = ensureConvoy(town, bead, askedConvoy, options);
      return { kind: 'queued', bead: beadId, rig: target.rig, queued, reason, ...(convoy ? { convoy } : {}) };
    }
  }
  const prepared = await prepareAgent(town, target, beadId, options.runtime);
  try {
    hookBead(town, beadId, prepared.address, { force: Boolean(options.force), actor: options.actor });
  } catch (e) {
    if (prepared.allocated) releasePolecat(town, prepared.address);
    throw e;
  }
  const convoy = ensureConvoy(town, bead, askedConvoy, options);
  recordEvent(town, { type: 'bead.slung', actor: options.actor, rig, subject: beadId, payload: { agent: prepared.address, ...(convoy ? { convoy } : {}) } });
  return { kind: 'hooked', bead: beadId, address: prepared.address, rig, ...(convoy ? { convoy } : {}) };
}

/** Options of {@link slingFormula}. */
export interface FormulaSlingOptions extends SlingOptions {
  /**
   * The bead to put the formula on (Gas Town "formula on a bead"): the formula is poured as a
   * wisp attached to it and the bead is slung. Without it the formula is poured as a molecule
   * and its root is slung.
   */
  on?: string;
}

/** What {@link slingFormula} did: the sling, and the molecule it poured. */
export type FormulaSlingOutcome = SlingOutcome & { molecule: PouredMolecule };

function refuseLikeSling(bead: { id: string; status: string; assignee?: string; close_reason?: string }, force: boolean): void {
  if (bead.status === 'closed') throw new GtError('INVALID_STATUS', `cannot sling ${bead.id}: it is closed${bead.close_reason ? ` (${bead.close_reason})` : ''}`, { fix: `reopen it first: gt bd reopen ${bead.id}` });
  if (bead.status === 'hooked' && !force) throw new GtError('ALREADY_CLAIMED', `cannot sling ${bead.id}: it is already on ${bead.assignee}'s hook`, { fix: `unsling it first (gt unsling ${bead.id}) or pass --force` });
}

/**
 * Sling a cooked formula (gastown-features.md §3.3). With `on`: a molecule still open on that
 * bead is burned when it is a wisp (stale; a poured one needs `force`), the formula is poured as
 * a wisp attached to the bead (root `metadata.attached_to`, bead `metadata.molecule`), and the
 * bead is slung as {@link slingBead} does. Without `on`: the formula is poured as a molecule with
 * the target rig's prefix (the town's for the mayor) and its root is slung. When the sling is
 * refused the new molecule is burned again, so a failed sling leaves nothing behind.
 *
 * @throws GtError USAGE (no target without `on`), INVALID_STATUS, ALREADY_CLAIMED, and whatever
 * {@link pourMolecule} and {@link slingBead} throw.
 */
export async function slingFormula(town: Town, cooked: CookedFormula, targetInput: string | undefined, options: FormulaSlingOptions): Promise<FormulaSlingOutcome> {
  const ledger = new Ledger(town.db, { actor: options.actor, prefix: town.json.prefix });
  let molecule: PouredMolecule;
  let slung: string;
  if (options.on) {
    const bead = ledger.get(options.on);
    refuseLikeSling(bead, Boolean(options.force));
    const old = findMoleculeOf(town.db, bead.id);
    if (old && old !== bead.id && ledger.get(old).status !== 'closed') {
      if (!ledger.get(old).ephemeral && !options.force) {
        throw new GtError('INVALID_STATUS', `${bead.id} already has molecule ${old} attached`, { fix: `finish or burn it first (gt mol burn ${old}), or pass --force` });
      }
      burnMolecule(ledger, old, { force: true });
    }
    const prefix = prefixOfId(bead.id, listRigs(town).map((r) => r.prefix).concat(town.json.prefix));
    molecule = pourMolecule(town, cooked, { actor: options.actor, prefix, wisp: true, attachTo: bead.id, title: `${cooked.name}: ${bead.title}` });
    slung = bead.id;
  } else {
    if (!targetInput) throw new GtError('USAGE', `name where to sling formula ${cooked.name}`, { fix: `gt sling ${cooked.name} <rig>, or put it on a bead: gt sling ${cooked.name} --on <bead>` });
    const target = parseSlingTarget(town, '', targetInput);
    const prefix = target.kind === 'mayor' ? town.json.prefix : getRig(town, target.rig).prefix;
    molecule = pourMolecule(town, cooked, { actor: options.actor, prefix });
    slung = molecule.root;
  }
  try {
    return { ...(await slingBead(town, slung, targetInput, options)), molecule };
  } catch (e) {
    burnMolecule(ledger, molecule.root, { force: true });
    throw e;
  }
}
