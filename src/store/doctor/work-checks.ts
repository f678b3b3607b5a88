/**
 * Ledger-side checks of `gt doctor`: merge requests whose branch vanished (`mr.branch_missing`)
 * and agent hooks missing from polecat worktrees (`hooks.missing`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookFileProblem } from '../../core/doctor/requirements.js';
import type { Finding } from '../../core/doctor/types.js';
import { hookFilesFor, type HookKind } from '../../core/agents/hook-files.js';
import { resolveRuntime } from '../../core/agents/presets.js';
import { isGtError } from '../../core/errors.js';
import { rigBareRepo } from '../../core/town/layout.js';
import { branchExists } from '../git/git.js';
import { listRigs, rigSettings } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { listAgents, listMergeRequests } from '../work/agents.js';

/** Merge-request states in which the refinery still needs the branch (sandbox.ts PENDING_MR). */
const OPEN_MR_STATES = ['queued', 'testing', 'rework'];

/**
 * `mr.branch_missing`: open merge requests (queued, testing, rework) whose source branch no
 * longer exists in their rig's bare repo. Not repaired (rejecting reopens the bead: a human's
 * call); the fix line names `gt mq reject`.
 *
 * @returns one problem per such merge request, or one `ok` finding.
 */
export async function checkMergeRequests(town: Town): Promise<Finding[]> {
  const rigs = new Set(listRigs(town).map((r) => r.name));
  const open = listMergeRequests(town.db, { state: OPEN_MR_STATES });
  const found: Finding[] = [];
  for (const mr of open) {
    const bare = rigBareRepo(town.root, mr.rig);
    if (rigs.has(mr.rig) && existsSync(bare) && (await branchExists(bare, mr.branch))) continue;
    const where = rigs.has(mr.rig) ? `rig ${mr.rig}` : `rig ${mr.rig} (which is gone)`;
    found.push({
      id: 'mr.branch_missing', status: 'problem',
      message: `merge request ${mr.id} (${mr.state}, bead ${mr.bead_id}) needs branch ${mr.branch}, which is gone from ${where}`,
      fix: `gt mq reject ${mr.id} --reason "branch ${mr.branch} vanished" (reopens ${mr.bead_id}); the refinery also closes it when it next works the queue`,
      details: { mr: mr.id, rig: mr.rig, branch: mr.branch, bead: mr.bead_id, state: mr.state, commit: mr.commit_sha },
    });
  }
  if (found.length) return found;
  return [{ id: 'mr.branch_missing', status: 'ok', message: `every open merge request has its branch (${open.length} open)`, details: { open: open.length } }];
}

/**
 * Writes a runtime's hook files into a worktree and returns the paths written
 * (`installAgentHooks` of daemon/agent-hooks.ts); the CLI supplies it, so this layer does not
 * import the daemon.
 */
export type HookInstaller = (kind: HookKind, worktree: string) => Promise<string[]>;

/**
 * `hooks.missing`: for every polecat (not nuked) whose sandbox exists and whose runtime has file
 * hooks (`hookFilesFor(preset.hooks)` not empty), each hook file must exist in the worktree and
 * hold a `gt agents hook …` command. With `install`, a problem is repaired by installing them.
 *
 * @param options.install the hook installer used by `--fix` (absent: not repairable).
 * @returns one problem per polecat with missing or foreign hooks, or one `ok` finding.
 */
export function checkHooks(town: Town, options: { install?: HookInstaller } = {}): Finding[] {
  const settings = town.settings();
  const rigAgent = new Map<string, string | undefined>();
  for (const r of listRigs(town)) {
    try { rigAgent.set(r.name, rigSettings(town, r.name).agent); } catch { /* broken rig settings: the town default applies */ }
  }
  const found: Finding[] = [];
  let checked = 0;
  for (const a of listAgents(town.db, { role: 'polecat' })) {
    if (!a.worktree || !existsSync(a.worktree)) continue;
    const runtime = a.runtime || rigAgent.get(a.rig) || settings.default_agent;
    let kind: HookKind;
    try {
      kind = resolveRuntime(runtime, settings.agents).hooks;
    } catch (e) {
      if (isGtError(e)) continue; // an unknown runtime is the runtime check's problem
      throw e;
    }
    const files = hookFilesFor(kind);
    if (!files.length) continue;
    checked++;
    const wrong = files.flatMap((rel) => {
      const file = join(a.worktree, rel);
      if (!existsSync(file)) return [`${rel} is missing`];
      const why = hookFileProblem(readFileSync(file, 'utf8'));
      return why ? [`${rel} ${why}`] : [];
    });
    if (!wrong.length) continue;
    const install = options.install;
    found.push({
      id: 'hooks.missing', status: 'problem', message: `${a.address} (${runtime}, ${kind} hooks): ${wrong.join('; ')} in ${a.worktree}`,
      fix: `\`gt doctor --fix\` installs them (or restart its session: gt handoff --agent ${a.address})`,
      details: { agent: a.address, runtime, kind, worktree: a.worktree, files, problems: wrong },
      ...(install ? {
        repair: async () => {
          const written = await install(kind, a.worktree);
          return `installed ${kind} hooks for ${a.address}: ${written.join(', ') || '(nothing written)'}`;
        },
      } : {}),
    });
  }
  if (found.length) return found;
  return [{ id: 'hooks.missing', status: 'ok', message: checked ? `hooks installed in ${checked} polecat worktree${checked === 1 ? '' : 's'}` : 'no polecat uses a runtime with file hooks', details: { checked } }];
}
