/**
 * Polecats: named workers with a persistent sandbox (gastown-features.md §2.3, §3.10).
 *
 * A polecat is allocated from its rig's name pool (or an idle one is reused) in one write
 * transaction, so concurrent slings never get the same name. Its sandbox is a git worktree of
 * the rig's bare repo at `<rig>/polecats/<name>` on `polecat/<name>/<bead-id>`, branched from
 * the rig's default branch; reuse resets it to a fresh branch. Work is never lost: a sandbox
 * with uncommitted changes or unmerged commits is only reset or nuked after that work is
 * preserved on `keep/polecat/<name>/<tail>` (sandbox.ts has the git side).
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { GtError, isGtError } from '../../core/errors.js';
import { polecatsDir, rigBareRepo } from '../../core/town/layout.js';
import {
  addressFromTownPath, parseAgentAddress, pickName, polecatAddress, polecatBranch, poolForRig, type AgentAddress,
} from '../../core/work/names.js';
import { addWorktree, branchExists, currentBranch, git, isInsideWorkTree, pruneWorktrees, removeWorktree } from '../git/git.js';
import { recordEvent } from '../events.js';
import { writeTx } from '../sqlite/db.js';
import { getRig, rigSettings } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import {
  appendHistory, deleteAgent, getAgent, listAgents, listHistory, listMergeRequests, listSessions, requireAgent, updateAgent,
  upsertAgent, type AgentRow, type HistoryRow, type MergeRequestRow, type SessionRow,
} from './agents.js';
import { unhookBead } from './hook.js';
import {
  aheadCount, copyWorktreeIncludes, deleteBranchIfSafe, preserveWork, runSetupCommand, unsavedWork, type SetupResult,
} from './sandbox.js';

/** What {@link allocatePolecat} picked. */
export interface Allocation {
  /** `<rig>/polecats/<name>`. */
  address: string;
  name: string;
  rig: string;
  /** Absolute sandbox path `<town>/<rig>/polecats/<name>` (made by {@link preparePolecatSandbox}). */
  worktree: string;
  /** True when an idle polecat was reused rather than a new name taken. */
  reused: boolean;
  /** The prepared sandbox, when `beadId` was given. */
  sandbox?: Sandbox;
}

/** Options of {@link allocatePolecat}. */
export interface AllocateOptions {
  /** Also prepare the sandbox for this bead; on failure the allocation is undone. */
  beadId?: string;
  /** Runtime preset recorded on a new polecat. */
  runtime?: string;
  /** Passed to {@link preparePolecatSandbox}. */
  preserve?: boolean;
}

function polecatNamesOnDisk(town: Town, rig: string): string[] {
  const dir = polecatsDir(town.root, rig);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

/**
 * Allocate a polecat in a rig: reuse an idle one (no hook; alphabetically first) or take the
 * first free name of the rig's pool. The choice and the agents row (state `working`) are
 * written in one write transaction. With `beadId` the sandbox is prepared too, and a failure
 * undoes the allocation (a new row is removed, a reused polecat goes back to idle); an idle
 * polecat whose sandbox still holds unsaved work is skipped for the next one (or a new name).
 *
 * @throws GtError RIG_NOT_FOUND; CONFIG_INVALID (bad name pool); whatever
 *   {@link preparePolecatSandbox} throws.
 */
export async function allocatePolecat(town: Town, rig: string, options: AllocateOptions = {}): Promise<Allocation> {
  getRig(town, rig);
  const pool = poolForRig(rig, rigSettings(town, rig).namepool);
  const skipped = new Set<string>();
  for (;;) {
    const picked = pick(town, rig, pool.names, skipped, options.runtime);
    const a: Allocation = { address: picked.row.address, name: picked.row.name, rig, worktree: join(polecatsDir(town.root, rig), picked.row.name), reused: picked.reused };
    if (options.beadId === undefined) return a;
    try {
      a.sandbox = await preparePolecatSandbox(town, rig, a.name, options.beadId, { preserve: options.preserve ?? false });
      return a;
    } catch (e) {
      await undoAllocation(town, a, picked.prior);
      // An idle polecat still holding unsaved work is left alone: try the next one or a new name.
      if (a.reused && isGtError(e) && e.code === 'INVALID_STATUS') {
        skipped.add(a.address);
        continue;
      }
      throw e;
    }
  }
}

/** The allocation transaction: an idle polecat not in `skipped`, else the first free pool name. */
function pick(town: Town, rig: string, names: string[], skipped: ReadonlySet<string>, runtime: string | undefined): { row: AgentRow; reused: boolean; prior: AgentRow | undefined } {
  return writeTx(town.db, () => {
    const idle = (town.db.prepare("SELECT address FROM agents WHERE rig = ? AND role = 'polecat' AND state = 'idle' AND hook_bead = '' ORDER BY name")
      .all(rig) as Array<{ address: string }>).find((r) => !skipped.has(r.address));
    if (idle) return { row: updateAgent(town.db, idle.address, { state: 'working' }), reused: true, prior: undefined };
    const inUse = new Set([...listAgents(town.db, { rig, role: 'polecat' }).map((a) => a.name), ...polecatNamesOnDisk(town, rig)]);
    const name = pickName(names, inUse);
    const address = polecatAddress(rig, name);
    const prior = getAgent(town.db, address); // a nuked polecat's identity (history) is kept and revived
    const row = upsertAgent(town.db, {
      address, role: 'polecat', rig, name, state: 'working', worktree: join(polecatsDir(town.root, rig), name), branch: '',
      ...(runtime ? { runtime } : {}),
    });
    return { row, reused: false, prior };
  });
}

async function undoAllocation(town: Town, a: Allocation, prior: AgentRow | undefined): Promise<void> {
  if (a.reused) {
    updateAgent(town.db, a.address, { state: 'idle' });
    return;
  }
  const bare = rigBareRepo(town.root, a.rig);
  if (existsSync(a.worktree)) await removeWorktree(bare, a.worktree).catch(() => undefined);
  if (prior) updateAgent(town.db, a.address, { state: prior.state, worktree: prior.worktree, branch: prior.branch });
  else deleteAgent(town.db, a.address);
}

/**
 * Give an allocated polecat back without doing work (a sling that failed after allocation):
 * it becomes idle, keeping its sandbox.
 *
 * @throws GtError AGENT_NOT_FOUND.
 */
export function releasePolecat(town: Town, address: string): AgentRow {
  return updateAgent(town.db, address, { state: 'idle' });
}

/** A prepared sandbox. */
export interface Sandbox {
  /** Absolute worktree path. */
  worktree: string;
  /** Its branch `polecat/<name>/<bead-id>`. */
  branch: string;
  /** The branch it was made from (the rig's default branch). */
  base: string;
  /** True when an existing worktree was reset rather than a new one added. */
  reused: boolean;
  /** The keep branch the previous work was preserved on, if any. */
  preserved?: string;
  /** Files and directories copied by `.worktreeinclude` (relative paths). */
  copied: string[];
  /** The setup command's result, when the rig has one. */
  setup?: SetupResult;
}

/**
 * Make (or reset) a polecat's sandbox for a bead: a worktree at `<rig>/polecats/<name>` on a
 * fresh `polecat/<name>/<bead-id>` from the rig's default branch (an existing branch of that
 * name with commits is continued, without commits it is reset), then the `.worktreeinclude`
 * files are copied from the refinery worktree and the rig's `setup_command` runs in it.
 *
 * Reusing a worktree that is on another branch refuses when that branch has uncommitted
 * changes or commits that are on no target, keep branch or merge request — unless `preserve`,
 * which first saves them on `keep/polecat/<name>/<old-tail>`.
 *
 * @throws GtError INVALID_STATUS (unsaved work, with counts), INVALID_VALUE (the path is a
 *   directory that is not a worktree), CONFIG_INVALID (setup command failed, with its output
 *   tail), GIT_FAILED, RIG_NOT_FOUND.
 */
export async function preparePolecatSandbox(town: Town, rig: string, name: string, beadId: string, options: { preserve?: boolean } = {}): Promise<Sandbox> {
  const r = getRig(town, rig);
  const bare = rigBareRepo(town.root, rig);
  const wt = join(polecatsDir(town.root, rig), name);
  const address = polecatAddress(rig, name);
  const branch = polecatBranch(name, beadId);
  const base = r.default_branch;
  const result: Sandbox = { worktree: wt, branch, base, reused: false, copied: [] };
  const fresh = async (): Promise<boolean> => (await branchExists(bare, branch)) && (await aheadCount(bare, branch, base)) === 0;
  if (existsSync(wt) && (await isInsideWorkTree(wt))) {
    result.reused = true;
    const current = await currentBranch(wt);
    if (current !== branch) {
      const risk = await unsavedWork(town, rig, wt, current);
      if (risk.dirty || risk.unmerged) {
        if (!options.preserve) {
          throw new GtError('INVALID_STATUS', `polecat ${address} has unsaved work: ${risk.text}`, {
            fix: `finish it with \`gt done\` in ${wt}, or reuse it with preservation (keeps the work on keep/polecat/${name}/…)`,
            details: { address, ...risk },
          });
        }
        result.preserved = await preserveWork(town, rig, name, wt, current);
      }
      if (!(await branchExists(bare, branch)) || (await fresh())) await git(wt, ['checkout', '--quiet', '-B', branch, base]);
      else await git(wt, ['checkout', '--quiet', branch]);
      if (current) await deleteBranchIfSafe(town, rig, current, Boolean(result.preserved));
    }
  } else {
    if (existsSync(wt) && readdirSync(wt).length) {
      throw new GtError('INVALID_VALUE', `${wt} exists but is not a git worktree`, { fix: 'move that directory away, then sling again' });
    }
    await pruneWorktrees(bare);
    if (await branchExists(bare, branch)) {
      if (await fresh()) await git(bare, ['branch', '--force', branch, base]);
      await addWorktree(bare, wt, branch);
    } else {
      await addWorktree(bare, wt, branch, { create: true, base });
    }
  }
  result.copied = await copyWorktreeIncludes(town, rig, wt);
  const settings = rigSettings(town, rig);
  if (settings.setup_command) result.setup = await runSetupCommand(town, rig, name, wt, settings.setup_command);
  if (getAgent(town.db, address)) updateAgent(town.db, address, { worktree: wt, branch });
  return result;
}

/** One polecat as listed. */
export interface PolecatInfo {
  address: string;
  name: string;
  rig: string;
  /** Agent state (`idle`, `working`, `nuked`, …). */
  state: string;
  /** The bead on its hook ('' = none). */
  hook: string;
  /** Current branch of the sandbox (else the recorded one; '' when none). */
  branch: string;
  /** Sandbox path ('' once nuked). */
  worktree: string;
  /** True when the sandbox exists as a git worktree. */
  exists: boolean;
  /** Commits on the branch that are not on the rig's default branch. */
  ahead: number;
  /** Uncommitted changes in the sandbox (`git status --porcelain` lines). */
  dirty: number;
  /** Generation of its latest session. */
  generation: number;
}

async function infoOf(town: Town, row: AgentRow): Promise<PolecatInfo> {
  const wt = row.worktree;
  const exists = Boolean(wt) && existsSync(wt) && (await isInsideWorkTree(wt));
  const branch = (exists ? await currentBranch(wt) : undefined) ?? row.branch;
  let ahead = 0;
  let dirty = 0;
  if (exists || branch) {
    const risk = await unsavedWork(town, row.rig, exists ? wt : undefined, branch || undefined, { countAhead: true });
    ahead = risk.ahead;
    dirty = risk.dirty;
  }
  return { address: row.address, name: row.name, rig: row.rig, state: row.state, hook: row.hook_bead, branch, worktree: wt, exists, ahead, dirty, generation: row.generation };
}

/**
 * Polecats of one rig or of every rig (nuked ones only with `includeNuked`), with their
 * sandbox's branch, commits ahead of the default branch and uncommitted changes.
 *
 * @throws GtError RIG_NOT_FOUND for an unknown `rig`.
 */
export async function listPolecats(town: Town, rig?: string, options: { includeNuked?: boolean } = {}): Promise<PolecatInfo[]> {
  if (rig !== undefined) getRig(town, rig);
  const rows = listAgents(town.db, { role: 'polecat', ...(rig !== undefined ? { rig } : {}), includeNuked: options.includeNuked ?? false });
  return Promise.all(rows.map((row) => infoOf(town, row)));
}

/** {@link PolecatInfo} plus the polecat's history, sessions and merge requests. */
export interface PolecatStatus extends PolecatInfo {
  history: HistoryRow[];
  sessions: SessionRow[];
  mergeRequests: MergeRequestRow[];
}

/**
 * One polecat in detail.
 *
 * @throws GtError AGENT_NOT_FOUND; NOT_A_POLECAT for another kind of agent.
 */
export async function polecatStatus(town: Town, address: string): Promise<PolecatStatus> {
  const row = requirePolecat(town, address);
  return {
    ...(await infoOf(town, row)),
    history: listHistory(town.db, address),
    sessions: listSessions(town.db, address),
    mergeRequests: listMergeRequests(town.db, { rig: row.rig }).filter((m) => m.polecat === address),
  };
}

function requirePolecat(town: Town, address: string): AgentRow {
  const row = requireAgent(town.db, address);
  if (row.role !== 'polecat') {
    throw new GtError('NOT_A_POLECAT', `${address} is a ${row.role}, not a polecat`, { fix: 'name a polecat (<rig>/polecats/<name>)' });
  }
  return row;
}

/** What {@link nukePolecat} did. */
export interface NukeResult {
  address: string;
  /** True when it was already nuked (nothing done). */
  alreadyNuked: boolean;
  /** Keep branch its unmerged work was preserved on (with `force`). */
  kept?: string;
  /** The bead taken off its hook (with `force`). */
  unhooked?: string;
  /** Its branch, when that was deleted (fully merged or kept). */
  deletedBranch?: string;
}

/**
 * Nuke a polecat: remove its sandbox and mark it `nuked` (its row and history stay).
 *
 * Refuses (unless `force`) while a bead is on its hook, or its sandbox has uncommitted changes
 * or commits on no target branch, keep branch or merge request — saying which and how many.
 * `force` unhooks the bead, commits uncommitted work, preserves the branch as
 * `keep/polecat/<name>/<tail>` in the bare repo and records that in the history.
 *
 * @throws GtError AGENT_NOT_FOUND, NOT_A_POLECAT, INVALID_STATUS (refusal), GIT_FAILED.
 */
export async function nukePolecat(town: Town, address: string, options: { force?: boolean } = {}): Promise<NukeResult> {
  const row = requirePolecat(town, address);
  if (row.state === 'nuked') return { address, alreadyNuked: true };
  const result: NukeResult = { address, alreadyNuked: false };
  const wt = row.worktree || join(polecatsDir(town.root, row.rig), row.name);
  const exists = existsSync(wt) && (await isInsideWorkTree(wt));
  const branch = (exists ? await currentBranch(wt) : undefined) ?? (row.branch || undefined);
  const hooked = row.hook_bead;
  const risk = await unsavedWork(town, row.rig, exists ? wt : undefined, branch);
  if (!options.force && (hooked || risk.dirty || risk.unmerged)) {
    const why = [hooked ? `${hooked} is on its hook` : '', risk.text].filter(Boolean).join('; ');
    throw new GtError('INVALID_STATUS', `refusing to nuke ${address}: ${why}`, {
      fix: `finish with \`gt done\` in ${wt}${hooked ? ` or \`gt unsling ${hooked}\`` : ''}, or run \`gt polecat nuke ${address} --force\` (keeps the work on keep/polecat/${row.name}/…)`,
      details: { address, hook: hooked, ...risk },
    });
  }
  if (hooked) {
    try {
      unhookBead(town, hooked, { reason: `polecat ${address} nuked` });
    } catch {
      // the bead was already unhooked or changed by someone else: only the mirror needs clearing
    }
    result.unhooked = hooked;
  }
  if (risk.dirty || risk.unmerged) result.kept = await preserveWork(town, row.rig, row.name, exists ? wt : undefined, branch);
  const bare = rigBareRepo(town.root, row.rig);
  if (existsSync(wt)) await removeWorktree(bare, wt);
  else await pruneWorktrees(bare);
  if (branch && (await deleteBranchIfSafe(town, row.rig, branch, Boolean(result.kept)))) result.deletedBranch = branch;
  writeTx(town.db, () => {
    updateAgent(town.db, address, { state: 'nuked', hook_bead: '', worktree: '', branch: '' });
    appendHistory(town.db, { agent: address, bead_id: '', outcome: 'nuked', ...(result.kept ? { detail: `work kept on ${result.kept}` } : {}) });
    recordEvent(town, { type: 'polecat.nuked', actor: 'overseer', rig: row.rig, subject: address, payload: { ...(result.kept ? { kept: result.kept } : {}), ...(result.unhooked ? { unhooked: result.unhooked } : {}) } });
  });
  return result;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Who the calling agent is: `BD_ACTOR` when it is an agent address, else the agent whose
 * directory `cwd` is in (`<town>/<rig>/polecats/<name>/…`, `<town>/<rig>/crew/<name>/…`).
 *
 * @returns the parsed address, or undefined for a caller that is no agent (a human's shell).
 */
export function resolveAgentAddress(town: Town, env: NodeJS.ProcessEnv, cwd: string): AgentAddress | undefined {
  const fromEnv = env.BD_ACTOR ? parseAgentAddress(env.BD_ACTOR) : undefined;
  if (fromEnv) return fromEnv;
  const rel = relative(real(town.root), real(resolve(cwd)));
  if (!rel || rel.startsWith('..')) return undefined;
  return addressFromTownPath(rel.split(sep));
}
