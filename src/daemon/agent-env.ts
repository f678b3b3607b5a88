/**
 * What an agent session starts with (issue #3 §3): its environment (GT_ROOT, GT_RIG, GT_ROLE,
 * GT_AGENT, BD_ACTOR, the git identity of the agent, TERM, COLORTERM, and a PATH on which `gt`
 * and `bd` come first) and the first prompt (Gas Town's beacon). The runtime's hooks are
 * installed by ./agent-hooks.ts.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimePreset } from '../core/agents/presets.js';
import { polecatEmail } from '../core/work/names.js';
import type { AgentRow } from '../store/work/agents.js';
import { daemonDir } from './paths.js';

/** Folder with the `gt` and `bd` shims put first on every session's PATH. */
export function shimDir(root: string): string {
  return join(daemonDir(root), 'bin');
}

/**
 * Write `gt` and `bd` shims that run this build with this node, so an agent's `gt done` reaches
 * the same town and code as the daemon whatever the user's PATH holds.
 */
export function writeShims(root: string, gtBin: string): string {
  const dir = shimDir(root);
  mkdirSync(dir, { recursive: true });
  const bdBin = join(gtBin, '..', 'bd.js');
  for (const [name, bin] of [['gt', gtBin], ['bd', bdBin]] as const) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

/** Inputs of {@link agentEnv}. */
export interface AgentEnvInput {
  root: string;
  agent: AgentRow;
  preset: RuntimePreset;
  generation: number;
  /** The daemon's own environment, the base of every session's. */
  base: NodeJS.ProcessEnv;
  /** Email domain of agent commits (settings agent_email_domain). */
  emailDomain: string;
  gtBin: string;
}

/** Variables of the daemon's environment that must not leak into an agent's. */
const DROPPED = new Set(['GT_DEBUG', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'NODE_ENV', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']);

/**
 * CI markers (`CI`, `CONTINUOUS_INTEGRATION`, `CI_*`, as is-in-ci reads them) are dropped too: an
 * agent's terminal is interactive by construction, and Ink-based CLIs (Gemini CLI) draw nothing
 * while they are set, so a daemon started from a CI shell would host blank agents.
 */
function isCiMarker(key: string): boolean {
  return key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_');
}

/** The complete environment of an agent's session. */
export function agentEnv(input: AgentEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.base)) if (v !== undefined && !DROPPED.has(k) && !isCiMarker(k)) env[k] = v;
  const { agent } = input;
  const email = agent.role === 'polecat' || agent.role === 'crew'
    ? agent.role === 'polecat' ? polecatEmail(agent.rig, agent.name, input.emailDomain) : `${agent.rig}.crew.${agent.name}@${input.emailDomain}`
    : `${agent.name || agent.role}@${input.emailDomain}`;
  const shims = writeShims(input.root, input.gtBin);
  return {
    ...env,
    ...input.preset.env,
    GT_ROOT: input.root,
    GT_TOWN: input.root,
    GT_RIG: agent.rig,
    GT_ROLE: agent.role,
    GT_AGENT: input.preset.name,
    GT_SESSION: `${agent.address}#${input.generation}`,
    GT_GENERATION: String(input.generation),
    BD_ACTOR: agent.address,
    GIT_AUTHOR_NAME: agent.address,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: agent.address,
    GIT_COMMITTER_EMAIL: email,
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    PATH: `${shims}:${env.PATH ?? '/usr/bin:/bin'}`,
  };
}

/**
 * The first prompt: Gas Town's beacon line and what to do (gastown-features.md §3.1). Agents
 * re-prime from their hook, so the prompt only tells them to.
 */
export function beacon(agent: AgentRow, reason: string, now = new Date()): string {
  const ts = now.toISOString().slice(0, 16);
  const work = agent.hook_bead
    ? `Run \`gt prime\` and begin work on your hook (${agent.hook_bead}); when finished run \`gt done\`.`
    : 'Run `gt prime` to see who you are and what to do.';
  return `[GAS TOWN] ${agent.address} <- deacon • ${ts} • ${reason}: ${work}`;
}
