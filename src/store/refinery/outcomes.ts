/**
 * What the refinery does with each outcome (issue #4; Gas Town protocol names, §3.5-3.6):
 * merged → close the source bead `merged <sha>` and delete the branch; culprit → FIX_NEEDED to
 * its polecat with the gate output tail and retry count; conflict → a rework bead and a
 * REWORK_REQUEST naming the files; vanished branch → MR closed, bead reopened; failing target →
 * a P1 bug bead and word to the overseer, nobody blamed.
 *
 * Invariant: every commit of every MR ends on the target or on a kept branch a bead points to —
 * before an MR leaves the queue unmerged, its commit is pinned on `keep/mr/<id>`.
 */
import { nowTime } from '../../core/ledger/time.js';
import { recordEvent } from '../events.js';
import { sendMessage } from '../messages.js';
import { writeTx } from '../sqlite/db.js';
import { Ledger } from '../sqlite/ledger.js';
import { getIssueDoc } from '../sqlite/ledger-rows.js';
import { existsSync } from 'node:fs';
import { currentBranch, git } from '../git/git.js';
import { appendHistory, getAgent } from '../work/agents.js';
import type { Town } from '../town/town.js';
import { describeGateFailure, type GateRun } from './gates.js';
import { patchMr, setRefineryState, type MrRow } from './refinery-db.js';
import { deleteBranch, keepBranch } from './stack.js';

/** The refinery's actor name for a rig (`<rig>/refinery`). */
export const refineryActor = (rig: string): string => `${rig}/refinery`;

/** The kept branch that pins an MR's commit. */
export const keptBranchOf = (mr: Pick<MrRow, 'id'>): string => `keep/mr/${mr.id}`;

function ledgerOf(town: Town, rig: string): Ledger {
  return new Ledger(town.db, { actor: refineryActor(rig), prefix: town.json.prefix });
}

/**
 * Merged: MRs `merged` with the landed sha, source beads closed `merged <sha>`, history, then
 * the polecat branches deleted (best effort; the commits are on the target now).
 */
export async function recordMerged(town: Town, rig: string, bare: string, mrs: readonly MrRow[], tip: string, deleteBranches: boolean): Promise<void> {
  const ledger = ledgerOf(town, rig);
  writeTx(town.db, () => {
    for (const mr of mrs) {
      patchMr(town.db, mr.id, { state: 'merged', merged_sha: tip, error: null });
      const bead = getIssueDoc(town.db, mr.bead_id);
      if (bead && bead.status !== 'closed' && bead.status !== 'tombstone') ledger.close(mr.bead_id, { reason: `merged ${tip.slice(0, 12)}`, force: true });
      appendHistory(town.db, { agent: mr.polecat, bead_id: mr.bead_id, outcome: 'merged', detail: `${mr.id} ${tip.slice(0, 12)}` });
      recordEvent(town, { type: 'mr.merged', actor: refineryActor(rig), rig, subject: mr.id, payload: { bead: mr.bead_id, sha: tip, polecat: mr.polecat, branch: mr.branch } });
    }
  });
  if (deleteBranches) {
    for (const mr of mrs) {
      // git will not delete a branch checked out in a worktree: an idle polecat's sandbox still
      // sits on its merged branch, so detach it first (its files stay as they are).
      const wt = getAgent(town.db, mr.polecat)?.worktree;
      if (wt && existsSync(wt) && (await currentBranch(wt).catch(() => undefined)) === mr.branch) {
        await git(wt, ['checkout', '--quiet', '--detach']).catch(() => undefined);
      }
      await deleteBranch(bare, mr.branch).catch(() => false);
    }
  }
}

/** A culprit: its commit kept, the MR failed (retries + 1), the bead back to its polecat, FIX_NEEDED sent. */
export async function sendBackCulprit(town: Town, rig: string, bare: string, mr: MrRow, failed: GateRun | undefined): Promise<void> {
  await keepBranch(bare, keptBranchOf(mr), mr.commit_sha);
  const retries = mr.retries + 1;
  const why = failed ? describeGateFailure(failed) : 'the gates failed';
  const ledger = ledgerOf(town, rig);
  writeTx(town.db, () => {
    patchMr(town.db, mr.id, { state: 'failed', retries, error: failed ? `gate ${failed.name} failed` : 'gates failed' });
    const bead = getIssueDoc(town.db, mr.bead_id);
    if (bead && bead.status !== 'closed' && bead.status !== 'tombstone') {
      ledger.update(mr.bead_id, { set: { status: 'open', assignee: mr.polecat } });
      ledger.comment(mr.bead_id, `merge request ${mr.id} failed the gates (attempt ${retries}); kept on ${keptBranchOf(mr)}. ${failed ? `Gate ${failed.name}: ${failed.timed_out ? 'timed out' : `exit ${failed.exit_code}`}` : ''}`);
    }
    appendHistory(town.db, { agent: mr.polecat, bead_id: mr.bead_id, outcome: 'failed', detail: `${mr.id}: ${failed?.name ?? 'gates'}` });
    recordEvent(town, { type: 'mr.failed', actor: refineryActor(rig), rig, subject: mr.id, payload: { bead: mr.bead_id, polecat: mr.polecat, gate: failed?.name ?? '', attempt: retries } });
    sendMessage(town, {
      to: mr.polecat, from: refineryActor(rig), kind: 'FIX_NEEDED', subject: `${mr.polecat.split('/').pop()}: ${mr.bead_id}`, about: mr.bead_id,
      fields: {
        'MR-ID': mr.id, Branch: mr.branch, Commit: mr.commit_sha, 'Kept-Branch': keptBranchOf(mr), Issue: mr.bead_id,
        'Failure-Type': failed?.timed_out ? 'timeout' : failed?.not_found ? 'gate-missing' : 'tests', Gate: failed?.name ?? '', 'Attempt-Number': retries,
      },
      text: why,
    });
  });
}

/** A conflict: its commit kept, the MR in rework, a rework bead for its polecat and REWORK_REQUEST naming the files. */
export async function requestRework(town: Town, rig: string, bare: string, mr: MrRow, files: readonly string[], message: string, target: string): Promise<string> {
  await keepBranch(bare, keptBranchOf(mr), mr.commit_sha);
  const ledger = ledgerOf(town, rig);
  return writeTx(town.db, () => {
    const source = getIssueDoc(town.db, mr.bead_id);
    const rigPrefix = (town.db.prepare('SELECT prefix FROM rigs WHERE name = ?').get(rig) as { prefix: string } | undefined)?.prefix;
    const rework = ledger.create({
      title: `Resolve merge conflicts: ${source?.title ?? mr.bead_id}`.slice(0, 500),
      issue_type: 'task', priority: 1, assignee: mr.polecat,
      ...(rigPrefix ? { prefix: rigPrefix } : {}),
      description: [
        `The merge request ${mr.id} (${mr.branch} at ${mr.commit_sha.slice(0, 12)}) conflicts with ${target}.`,
        `Its commits are kept on ${keptBranchOf(mr)}.`, '',
        `Conflicting files: ${files.join(', ') || '(git named none)'}`, '',
        `Rebase ${mr.branch} onto ${target}, resolve the conflicts, run the tests, and run gt done.`,
      ].join('\n'),
      deps: [{ type: 'discovered-from', id: mr.bead_id }],
      labels: ['refinery:rework'],
    });
    patchMr(town.db, mr.id, { state: 'rework', error: `conflicts in ${files.join(', ') || 'unknown files'}` });
    appendHistory(town.db, { agent: mr.polecat, bead_id: mr.bead_id, outcome: 'failed', detail: `${mr.id}: conflict` });
    recordEvent(town, { type: 'mr.rework', actor: refineryActor(rig), rig, subject: mr.id, payload: { bead: mr.bead_id, polecat: mr.polecat, rework: rework.id, files: [...files] } });
    sendMessage(town, {
      to: mr.polecat, from: refineryActor(rig), kind: 'REWORK_REQUEST', subject: `${mr.polecat.split('/').pop()}: ${mr.bead_id}`, about: rework.id,
      fields: { 'MR-ID': mr.id, Branch: mr.branch, 'Kept-Branch': keptBranchOf(mr), 'Rework-Bead': rework.id, 'Conflict-Files': files.join(', ') },
      text: `${message}\nRebase onto ${target}, resolve, and run gt done.`,
    });
    return rework.id;
  });
}

/** A vanished branch: the MR is closed with the reason and its bead reopened (nothing to keep). */
export function closeVanished(town: Town, rig: string, mr: MrRow, reason: string): void {
  const ledger = ledgerOf(town, rig);
  writeTx(town.db, () => {
    patchMr(town.db, mr.id, { state: 'rejected', error: `branch vanished: ${reason}` });
    recordEvent(town, { type: 'mr.rejected', actor: refineryActor(rig), rig, subject: mr.id, payload: { bead: mr.bead_id, branch: mr.branch, reason } });
    const bead = getIssueDoc(town.db, mr.bead_id);
    if (bead && bead.status !== 'closed' && bead.status !== 'tombstone') {
      ledger.update(mr.bead_id, { set: { status: 'open', assignee: '' } });
      ledger.comment(mr.bead_id, `merge request ${mr.id} closed: its branch ${mr.branch} vanished (${reason}); the bead is open again`);
    }
  });
}

/**
 * The target itself fails the gates: a P1 bug bead (one per rig while open), word to the
 * overseer, the rig blocked until the target changes. No MR is blamed.
 */
export function reportPreexisting(town: Town, rig: string, target: string, base: string, failed: GateRun | undefined): string {
  const ledger = ledgerOf(town, rig);
  const label = `refinery:preexisting:${rig}`;
  const bugId = writeTx(town.db, () => {
    const open = town.db.prepare(`SELECT l.issue_id FROM labels l JOIN issues i ON i.id = l.issue_id WHERE l.label = ? AND i.status NOT IN ('closed','tombstone') LIMIT 1`).get(label) as { issue_id: string } | undefined;
    const text = failed ? describeGateFailure(failed) : 'the gates failed on the target alone';
    if (open) {
      ledger.comment(open.issue_id, `still failing at ${base.slice(0, 12)} (${nowTime()}):\n${text}`);
      return open.issue_id;
    }
    const bug = ledger.create({
      title: `Pre-existing failure: ${target} of ${rig} fails its gates${failed ? ` (${failed.name})` : ''}`,
      issue_type: 'bug', priority: 1, labels: [label],
      description: `The target branch ${target} at ${base} fails the merge-queue gates on its own, so no merge request is blamed and the queue waits until ${target} changes.\n\n${text}`,
    });
    sendMessage(town, { to: 'overseer', from: refineryActor(rig), kind: 'HELP', subject: `${rig}: ${target} fails its gates`, about: bug.id, fields: { Rig: rig, Target: target, Commit: base, Bug: bug.id }, text });
    return bug.id;
  });
  setRefineryState(town.db, rig, { blocked_sha: base, blocked_reason: `${target} at ${base.slice(0, 12)} fails its gates (bug ${bugId})` });
  return bugId;
}
