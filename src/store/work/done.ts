/**
 * `gt done`: a polecat says its hooked work is finished (gastown-features.md §3.4).
 *
 * Uncommitted work is committed first (a safety net), then either a merge request is recorded
 * for the polecat's branch — the bead stays `in_progress` with the polecat as assignee (done,
 * awaiting merge; never shown as ready) — or, with `--no-changes`, the bead is closed with the
 * reason. Either way the hook is cleared and the polecat becomes idle. The ledger and agent
 * writes are one write transaction.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../../core/errors.js';
import type { Issue } from '../../core/ledger/types.js';
import { polecatsDir } from '../../core/town/layout.js';
import { parseAgentAddress } from '../../core/work/names.js';
import { commitPaths, currentBranch, headSha, isInsideWorkTree, statusLines } from '../git/git.js';
import { convoyOf } from '../convoys.js';
import { recordEvent } from '../events.js';
import { writeTx } from '../sqlite/db.js';
import { Ledger } from '../sqlite/ledger.js';
import { getRig } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { appendHistory, createMergeRequest, requireAgent, updateAgent, type MergeRequestRow } from './agents.js';
import { hookOf } from './hook.js';
import { squashMolecule } from '../molecule-lifecycle.js';
import { moleculeSteps } from '../molecule-progress.js';
import { moleculeMetadata } from '../molecules.js';
import { aheadCount, polecatAuthor } from './sandbox.js';

/** How a `gt done` ended. */
export type DoneOutcome = 'merge_requested' | 'no_changes';

/** What {@link finishWork} did. */
export interface DoneResult {
  /** `merge_requested` (an MR was recorded) or `no_changes` (the bead was closed). */
  outcome: DoneOutcome;
  /** The bead as it is now (`in_progress` awaiting merge, or `closed`). */
  bead: Issue;
  /** The polecat's branch. */
  branch: string;
  /** Commits on the branch not on the default branch. */
  ahead: number;
  /** The merge request (outcome `merge_requested`). */
  mr?: MergeRequestRow;
  /** Head sha of the branch that was submitted (outcome `merge_requested`). */
  commit?: string;
  /** Sha of the safety-net commit of uncommitted work, when one was made. */
  saved?: string;
  /** Digest bead of the finished wisp that was attached to the bead and squashed with it. */
  squashed?: string;
}

/**
 * A formula on a bead (`gt sling <formula> --on <bead>`) leaves a wisp attached to the bead;
 * when the polecat is done and every step of that wisp is closed, the wisp is squashed into its
 * digest as part of `gt done` (beads' squash; Gas Town squashes finished wisps at done).
 * Returns the digest id, or undefined when there is nothing to squash. Runs inside the caller's
 * transaction.
 */
function squashFinishedWisp(town: Town, ledger: Ledger, bead: Issue, agent: string): string | undefined {
  const meta = bead.metadata as Record<string, unknown> | undefined;
  const root = typeof meta?.molecule === 'string' ? meta.molecule : undefined;
  if (!root || moleculeMetadata(town.db, root)?.wisp !== true) return undefined;
  const steps = moleculeSteps(town.db, root);
  if (!steps.length || steps.some((x) => x.state !== 'done')) return undefined;
  return squashMolecule(ledger, root, { summary: `${agent} finished ${bead.id}: ${steps.map((x) => x.stepId).join(', ')}` }).digest_id;
}

/** Options of {@link finishWork}. */
export interface DoneOptions {
  /** Nothing needed changing: close the bead instead of requesting a merge. Needs `reason`. */
  noChanges?: boolean;
  /** Why nothing changed (recorded as the bead's close reason). */
  reason?: string;
}

const OUTSIDE = 'gt done runs inside a polecat sandbox (BD_ACTOR like <rig>/polecats/<name>)';

/**
 * The refusal of `gt done` outside a polecat: GtError NOT_A_POLECAT (exit 1).
 *
 * @param address what the caller claimed to be ('' when nothing).
 */
export function notAPolecat(address: string): GtError {
  return new GtError('NOT_A_POLECAT', `${address ? `"${address}" is not a polecat: ` : ''}${OUTSIDE}`, {
    fix: 'run it from a polecat session; to finish work by hand use `gt bd close <id>`',
    details: { address },
  });
}

/**
 * Finish the work on a polecat's hook.
 *
 * @param address the polecat (`<rig>/polecats/<name>`), usually from BD_ACTOR.
 * @throws GtError NOT_A_POLECAT (not a polecat address), USAGE (`noChanges` without a reason),
 *   AGENT_NOT_FOUND, INVALID_STATUS (nothing on the hook; no sandbox; nothing committed and not
 *   `noChanges`), INVALID_VALUE (`noChanges` with commits on the branch), GIT_FAILED, CLOSE_GUARD.
 */
export async function finishWork(town: Town, address: string, options: DoneOptions = {}): Promise<DoneResult> {
  const agent = parseAgentAddress(address);
  if (!agent || agent.role !== 'polecat') throw notAPolecat(address);
  const reason = options.reason?.trim();
  if (options.noChanges && !reason) {
    throw new GtError('USAGE', '--no-changes needs --reason', { fix: 'gt done --no-changes --reason "why nothing needed changing"' });
  }
  const row = requireAgent(town.db, agent.address);
  if (row.state === 'nuked') throw new GtError('INVALID_STATUS', `${agent.address} is nuked`, { fix: 'a nuked polecat has no work to finish' });
  const bead = hookOf(town, agent.address);
  if (!bead) {
    throw new GtError('INVALID_STATUS', `${agent.address} has nothing on its hook`, { fix: 'there is nothing to finish; exit and wait to be slung work' });
  }
  const wt = row.worktree || join(polecatsDir(town.root, agent.rig), agent.name);
  if (!existsSync(wt) || !(await isInsideWorkTree(wt))) {
    throw new GtError('INVALID_STATUS', `the sandbox of ${agent.address} is missing (${wt})`, {
      fix: `unsling the bead (gt unsling ${bead.id}) and sling it again`,
    });
  }
  const branch = (await currentBranch(wt)) ?? row.branch;
  if (!branch) throw new GtError('INVALID_STATUS', `${wt} is on a detached HEAD`, { fix: `check out your branch again (git checkout polecat/${agent.name}/${bead.id})` });
  const base = getRig(town, agent.rig).default_branch;

  let saved: string | undefined;
  if ((await statusLines(wt)).length) {
    saved = await commitPaths(wt, ['.'], 'gt done: save uncommitted work', polecatAuthor(town, agent.rig, agent.name));
  }
  const ahead = await aheadCount(wt, 'HEAD', base);
  const ledger = new Ledger(town.db, { actor: agent.address, prefix: town.json.prefix });

  if (options.noChanges) {
    if (ahead > 0) {
      throw new GtError('INVALID_VALUE', `--no-changes, but ${branch} has ${ahead} commit${ahead > 1 ? 's' : ''} not on ${base}`, {
        fix: 'run `gt done` without --no-changes to submit them',
        details: { branch, ahead, ...(saved ? { saved } : {}) },
      });
    }
    let squashed: string | undefined;
    const closed = writeTx(town.db, () => {
      squashed = squashFinishedWisp(town, ledger, bead, agent.address);
      const b = ledger.close(bead.id, { reason: reason! });
      appendHistory(town.db, { agent: agent.address, bead_id: bead.id, outcome: 'no_changes', detail: reason! });
      updateAgent(town.db, agent.address, { hook_bead: '', state: 'idle' });
      recordEvent(town, { type: 'polecat.done', actor: agent.address, rig: agent.rig, subject: bead.id, payload: { outcome: 'no_changes', reason: reason! } });
      return b;
    });
    return { outcome: 'no_changes', bead: closed, branch, ahead, ...(saved ? { saved } : {}), ...(squashed ? { squashed } : {}) };
  }
  if (ahead === 0) {
    throw new GtError('INVALID_STATUS', `nothing was committed on ${branch}; commit your work, or run gt done --no-changes --reason '…'`, {
      details: { branch, base },
    });
  }
  const commit = await headSha(wt);
  const convoy = convoyOf(town, bead.id);
  let squashed: string | undefined;
  const out = writeTx(town.db, () => {
    squashed = squashFinishedWisp(town, ledger, bead, agent.address);
    const { mr } = createMergeRequest(town.db, {
      rig: agent.rig, branch, target: base, bead_id: bead.id, polecat: agent.address, commit_sha: commit, priority: bead.priority,
      ...(convoy ? { convoy } : {}),
    });
    ledger.update(bead.id, { set: { status: 'in_progress' } });
    ledger.comment(bead.id, `done: MR ${mr.id} (${commit.slice(0, 10)})`);
    appendHistory(town.db, { agent: agent.address, bead_id: bead.id, outcome: 'done', detail: `${mr.id} ${branch}@${commit.slice(0, 10)}` });
    updateAgent(town.db, agent.address, { hook_bead: '', state: 'idle', branch });
    recordEvent(town, { type: 'polecat.done', actor: agent.address, rig: agent.rig, subject: bead.id, payload: { outcome: 'merge_requested', mr: mr.id } });
    recordEvent(town, { type: 'mr.created', actor: agent.address, rig: agent.rig, subject: mr.id, payload: { bead: bead.id, branch, commit, target: base } });
    return { mr, bead: ledger.get(bead.id) };
  });
  return { outcome: 'merge_requested', bead: out.bead, branch, ahead, mr: out.mr, commit, ...(saved ? { saved } : {}), ...(squashed ? { squashed } : {}) };
}
