/**
 * The refinery: a deterministic merge queue per rig (issue #4). One run:
 *
 * 1. recover a batch a stopped refinery left (a landing whose tip reached the target is finished;
 *    anything else goes back to the queue: nothing is merged twice, nothing lost);
 * 2. take up to `merge_queue.batch_size` queued MRs in priority order;
 * 3. replay them in order onto the target in a scratch worktree: an MR whose commit vanished is
 *    closed (bead reopened), one that conflicts leaves the batch for rework;
 * 4. batch-then-bisect (core/refinery/bisect.ts) with the rig's gates as the oracle, always on
 *    top of the known-good base;
 * 5. fast-forward the target to exactly the tested tip (compare-and-swap), push and verify when
 *    configured, close the source beads, delete merged branches; culprits get FIX_NEEDED; a target
 *    that fails on its own is a pre-existing failure: a P1 bug, nobody blamed.
 */
import { join } from 'node:path';
import { landBatch, landOneAtATime } from '../../core/refinery/bisect.js';
import { orderQueue } from '../../core/refinery/queue.js';
import { refineryWorktree, rigBareRepo, rigDir } from '../../core/town/layout.js';
import { branchExists } from '../git/git.js';
import { writeTx } from '../sqlite/db.js';
import { getRig, rigSettings } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { gatesFromSettings, runGates, type GateRun, type GatesResult } from './gates.js';
import { closeVanished, recordMerged, reportPreexisting, requestRework, sendBackCulprit } from './outcomes.js';
import {
  mrById, mrsIn, patchBatch, patchMr, recordGateRun, refineryState, setRefineryState, startBatch, unfinishedBatches, type MrRow,
} from './refinery-db.js';
import { buildStack, checkoutDetached, fastForward, isAncestor, pushAndVerify, resolveRef, syncWorktreeTo } from './stack.js';

/** What one run did. */
export interface RefineryRun {
  rig: string;
  /** Why nothing ran (`paused`, `disabled`, `empty`, `blocked: …`), if so. */
  skipped?: string;
  batch?: string;
  base?: string;
  /** The new target sha, when something landed. */
  tip?: string;
  merged: string[];
  culprits: string[];
  rework: string[];
  closed: string[];
  /** Gate runs used. */
  runs: number;
  flaky: boolean;
  preexisting: boolean;
  /** Filed pre-existing-failure bug, if any. */
  bug?: string;
  pushed: boolean;
  /** MRs requeued because the target moved during the run. */
  requeued: string[];
  recovered: string[];
}

/** The scratch worktree the refinery builds and tests candidates in. */
export function scratchDir(root: string, rig: string): string {
  return join(rigDir(root, rig), 'refinery', 'work');
}

/**
 * Finish or undo batches a stopped refinery left behind: a batch whose tested tip is already on
 * the target is recorded as merged (its post-merge steps run now); any other goes back to the
 * queue. Returns the MR ids that were recovered.
 */
export async function recoverBatches(town: Town, rig: string): Promise<string[]> {
  const r = getRig(town, rig);
  const bare = rigBareRepo(town.root, rig);
  const recovered: string[] = [];
  for (const b of unfinishedBatches(town.db, rig)) {
    const ids = JSON.parse(b.mr_ids) as string[];
    const mrs = ids.map((id) => mrById(town.db, id)).filter((m): m is MrRow => Boolean(m));
    const target = await resolveRef(bare, r.default_branch);
    if (b.state === 'landing' && b.tip && target && (await isAncestor(bare, b.tip, target))) {
      const landed = mrs.filter((m) => m.state === 'testing');
      await recordMerged(town, rig, bare, landed, b.tip, rigSettings(town, rig).merge_queue.delete_merged_branches);
      writeTx(town.db, () => patchBatch(town.db, b.id, { state: 'landed' }));
    } else {
      writeTx(town.db, () => {
        for (const m of mrs) if (m.state === 'testing') patchMr(town.db, m.id, { state: 'queued', batch_id: null });
        patchBatch(town.db, b.id, { state: 'abandoned' });
      });
    }
    recovered.push(...ids);
  }
  return recovered;
}

/**
 * Run the refinery of one rig once. `strategy` is `bisect` (default); `one-at-a-time` tests each
 * MR alone on the growing target, as Gas Town's refinery does, for comparison.
 *
 * @throws GtError RIG_NOT_FOUND; GIT_FAILED for git errors outside an MR's own conflict.
 */
export async function runRefineryOnce(
  town: Town,
  rig: string,
  options: { now?: number; log?: (line: string) => void; strategy?: 'bisect' | 'one-at-a-time' } = {},
): Promise<RefineryRun> {
  const log = options.log ?? (() => undefined);
  const r = getRig(town, rig);
  const settings = rigSettings(town, rig).merge_queue;
  const bare = rigBareRepo(town.root, rig);
  const out: RefineryRun = { rig, merged: [], culprits: [], rework: [], closed: [], runs: 0, flaky: false, preexisting: false, pushed: false, requeued: [], recovered: [] };
  out.recovered = await recoverBatches(town, rig);
  const state = refineryState(town.db, rig);
  if (!settings.enabled) return { ...out, skipped: 'disabled (merge_queue.enabled is false)' };
  if (state.paused) return { ...out, skipped: 'paused' };
  const base = await resolveRef(bare, r.default_branch);
  if (!base) return { ...out, skipped: `the target branch ${r.default_branch} does not exist` };
  if (state.blocked_sha === base) return { ...out, skipped: `blocked: ${state.blocked_reason ?? 'the target fails its gates'}` };
  if (state.blocked_sha) setRefineryState(town.db, rig, { blocked_sha: null, blocked_reason: null });

  const queued = orderQueue(mrsIn(town.db, rig, ['queued']), options.now ?? Date.now()).slice(0, settings.batch_size);
  if (!queued.length) return { ...out, skipped: 'empty' };
  out.base = base;
  const work = scratchDir(town.root, rig);
  const entries = (mrs: readonly MrRow[]) => mrs.map((m) => ({ id: m.id, branch: m.branch, commit: m.commit_sha }));

  // An MR whose branch is gone is closed (its bead reopened), even if git still has the commit.
  const present: MrRow[] = [];
  for (const m of queued) {
    if (await branchExists(bare, m.branch)) present.push(m);
    else {
      closeVanished(town, rig, m, `branch ${m.branch} no longer exists`);
      out.closed.push(m.id);
    }
  }
  // Replay the whole batch once: vanished commits and conflicting MRs leave it here.
  const first = await buildStack(bare, work, base, entries(present));
  for (const m of first.missing) {
    closeVanished(town, rig, mrById(town.db, m.id)!, m.reason);
    out.closed.push(m.id);
  }
  for (const c of first.conflicts) {
    const reworkBead = await requestRework(town, rig, bare, mrById(town.db, c.id)!, c.files, c.message, r.default_branch);
    out.rework.push(c.id);
    log(`${c.id} conflicts (${c.files.join(', ')}): rework bead ${reworkBead}`);
  }
  const batch = present.filter((m) => first.applied.includes(m.id));
  if (!batch.length) return out;
  const batchId = `${rig}-batch-${Date.now().toString(36)}`;
  out.batch = batchId;
  startBatch(town.db, { id: batchId, rig, target: r.default_branch, base }, batch.map((m) => m.id));

  const gates = gatesFromSettings(settings.gates);
  const failures = new Map<string, GateRun | undefined>();
  let lastFailure: GatesResult | undefined;
  const oracle = async (stack: readonly MrRow[]) => {
    // The first replay already is the whole batch (its conflicts and vanished MRs left the batch).
    const reuse = stack.length === first.applied.length && stack.every((m, i) => m.id === first.applied[i]);
    const built = reuse ? first : await buildStack(bare, work, base, entries(stack));
    if (!reuse && (built.conflicts.length || built.missing.length)) return { passed: false };
    await checkoutDetached(bare, work, built.tip);
    const result = await runGates(gates, work, { retryFlaky: settings.retry_flaky });
    recordGateRun(town.db, { rig, batch: batchId, stack: stack.map((m) => m.id), tip: built.tip, result });
    if (result.runs.some((g) => g.flaky)) out.flaky = true;
    if (!result.passed) {
      lastFailure = result;
      if (stack.length) failures.set(stack[stack.length - 1]!.id, result.failed);
    }
    log(`gates on [${stack.map((m) => m.id).join(', ')}] at ${built.tip.slice(0, 12)}: ${result.passed ? 'pass' : `fail (${result.failed?.name})`}`);
    return { passed: result.passed, tip: built.tip };
  };
  // One-at-a-time is Gas Town's running strategy, kept for the benchmark's comparison.
  const result = options.strategy === 'one-at-a-time' ? await landOneAtATime(batch, oracle) : await landBatch(batch, oracle, state.good_sha === base);
  out.runs = result.runs;
  writeTx(town.db, () => patchBatch(town.db, batchId, { runs: result.runs }));

  if (result.preexisting) {
    out.preexisting = true;
    out.bug = reportPreexisting(town, rig, r.default_branch, base, lastFailure?.failed);
    writeTx(town.db, () => {
      for (const m of batch) patchMr(town.db, m.id, { state: 'queued', batch_id: null });
      patchBatch(town.db, batchId, { state: 'preexisting' });
    });
    return out;
  }
  for (const m of result.culprits) {
    await sendBackCulprit(town, rig, bare, mrById(town.db, m.id)!, failures.get(m.id) ?? lastFailure?.failed);
    out.culprits.push(m.id);
  }
  if (result.landed.length && result.tip) {
    writeTx(town.db, () => patchBatch(town.db, batchId, { state: 'landing', tip: result.tip! }));
    if (!(await fastForward(bare, r.default_branch, base, result.tip))) {
      // The target moved while we tested: nothing landed; the MRs go back to the queue.
      writeTx(town.db, () => {
        for (const m of result.landed) patchMr(town.db, m.id, { state: 'queued', batch_id: null });
        patchBatch(town.db, batchId, { state: 'abandoned' });
      });
      out.requeued = result.landed.map((m) => m.id);
      return out;
    }
    if (settings.push_remote) {
      try {
        await pushAndVerify(bare, settings.push_remote, r.default_branch, result.tip);
        out.pushed = true;
      } catch (e) {
        log(`push to ${settings.push_remote} failed: ${(e as Error).message}`);
      }
    }
    await recordMerged(town, rig, bare, result.landed.map((m) => mrById(town.db, m.id)!), result.tip, settings.delete_merged_branches);
    writeTx(town.db, () => patchBatch(town.db, batchId, { state: 'landed' }));
    setRefineryState(town.db, rig, { good_sha: result.tip });
    await syncWorktreeTo(refineryWorktree(town.root, rig), result.tip).catch(() => false);
    out.tip = result.tip;
    out.merged = result.landed.map((m) => m.id);
  } else {
    writeTx(town.db, () => patchBatch(town.db, batchId, { state: 'failed' }));
  }
  return out;
}
