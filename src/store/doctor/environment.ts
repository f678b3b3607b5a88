/**
 * The machine checks of `gt doctor`: node and git versions, and every configured agent runtime
 * on the PATH the daemon's sessions get, with its `--version`.
 *
 * Configured runtimes are the town's `default_agent`, each rig's `agent`, every runtime recorded
 * on a (not nuked) agent, and every custom agent in the town settings.
 */
import { existsSync } from 'node:fs';
import { MIN_GIT, MIN_GIT_REASON, MIN_NODE, installHint, parseVersion, versionAtLeast } from '../../core/doctor/requirements.js';
import type { Finding } from '../../core/doctor/types.js';
import { isGtError } from '../../core/errors.js';
import { resolveRuntime, type RuntimePreset } from '../../core/agents/presets.js';
import { resolveCommand } from '../../sessions/resolve-command.js';
import { git } from '../git/git.js';
import { listRigs, rigSettings } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { listAgents } from '../work/agents.js';

/** How long `<runtime> --version` may take, in ms. */
export const VERSION_TIMEOUT_MS = 5_000;

/** The `node.version` finding for the running node (`process.version`) against {@link MIN_NODE}. */
export function checkNode(version: string = process.version): Finding {
  const details = { found: version, min: MIN_NODE, exec: process.execPath };
  if (versionAtLeast(version, MIN_NODE)) return { id: 'node.version', status: 'ok', message: `node ${version} (needs >= ${MIN_NODE})`, details };
  return {
    id: 'node.version', status: 'problem', message: `node ${version} is older than ${MIN_NODE}, which gt needs (package.json engines)`,
    fix: `install node ${MIN_NODE} or newer (e.g. nvm install 22) and run gt with it`, details,
  };
}

/** The `git.version` finding: `git version` run in `dir`, against {@link MIN_GIT}. */
export async function checkGit(dir: string): Promise<Finding> {
  let out: string;
  try {
    out = (await git(dir, ['version'])).trim();
  } catch (e) {
    return {
      id: 'git.version', status: 'problem', message: `git did not run: ${(e as Error).message.split('\n')[0]}`,
      fix: `install git ${MIN_GIT} or newer and put it on PATH`, details: { min: MIN_GIT },
    };
  }
  const v = parseVersion(out);
  const found = v ? v.join('.') : out;
  const details = { found, min: MIN_GIT };
  if (versionAtLeast(out, MIN_GIT)) return { id: 'git.version', status: 'ok', message: `git ${found} (needs >= ${MIN_GIT})`, details };
  return {
    id: 'git.version', status: 'problem', message: `git ${found} is older than ${MIN_GIT}: ${MIN_GIT_REASON}`,
    fix: `upgrade git to ${MIN_GIT} or newer`, details,
  };
}

/**
 * Every configured runtime and what uses it: `default_agent`, `rig <r>`, `<n> agents`
 * (`agent <address>` for one), `custom agent`.
 *
 * @returns runtime name → the uses, in first-seen order (default agent first).
 */
export function configuredRuntimes(town: Town): Map<string, string[]> {
  const settings = town.settings();
  const uses = new Map<string, string[]>();
  const add = (name: string, why: string) => {
    if (!name) return;
    const list = uses.get(name) ?? [];
    if (!list.includes(why)) list.push(why);
    uses.set(name, list);
  };
  add(settings.default_agent, 'default_agent');
  for (const rig of listRigs(town)) {
    try {
      const a = rigSettings(town, rig.name).agent;
      if (a) add(a, `rig ${rig.name}`);
    } catch {
      // a broken rig settings file is reported by the commands that read it
    }
  }
  const byRuntime = new Map<string, string[]>();
  for (const a of listAgents(town.db)) if (a.runtime) byRuntime.set(a.runtime, [...(byRuntime.get(a.runtime) ?? []), a.address]);
  for (const [name, addresses] of byRuntime) add(name, addresses.length === 1 ? `agent ${addresses[0]}` : `${addresses.length} agents`);
  for (const name of Object.keys(settings.agents)) add(name, 'custom agent');
  return uses;
}

/** What to suggest instead of a runtime that cannot run, given what uses it. */
function otherRuntimeHint(name: string, uses: string[]): string {
  const hints: string[] = [];
  if (uses.includes('default_agent')) hints.push('gt config default-agent <name>');
  for (const u of uses) if (u.startsWith('rig ')) hints.push(`gt rig config set ${u.slice(4)} agent <name>`);
  if (uses.some((u) => u.startsWith('agent ') || u.endsWith(' agents'))) hints.push('gt sling <bead> <agent> --agent <name>');
  if (!hints.length && uses.includes('custom agent')) hints.push(`gt config agent remove ${name}`);
  return hints.join(' or ');
}

/** First line of a `--version` output, at most 80 characters. */
function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

async function versionOf(exe: string, pathVar: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(exe, ['--version'], { timeout: VERSION_TIMEOUT_MS, reject: false, stdin: 'ignore', all: true, env: { ...env, PATH: pathVar } });
  if (r.timedOut) return `version unknown: \`--version\` took over ${VERSION_TIMEOUT_MS / 1000} s`;
  const line = firstLine(typeof r.all === 'string' ? r.all : '');
  if (r.exitCode !== 0) return `version unknown: \`--version\` exited ${r.exitCode ?? '?'}${line ? `: ${line}` : ''}`;
  return line || 'version unknown: `--version` printed nothing';
}

/** Options of {@link checkRuntimes}. */
export interface RuntimeCheckOptions {
  /** The PATH the daemon's sessions get (before gt's own shims). */
  path: string;
  /** Where `path` came from, as it reads after "is not on" (`the PATH of daemon pid 42`). */
  pathSource: string;
  /** Environment for `--version` runs and `$SHELL` of the `login` runtime. */
  env: NodeJS.ProcessEnv;
}

async function checkOne(name: string, uses: string[], preset: RuntimePreset, o: RuntimeCheckOptions): Promise<Finding> {
  const id = `runtime.${name}` as const;
  const usedBy = `— used by ${uses.join(', ')}`;
  const details: Record<string, unknown> = { runtime: name, command: preset.command, used_by: uses, path_source: o.pathSource };
  // scripted and shell run this very node with a script shipped in this package.
  if (name === 'scripted' || name === 'shell') {
    const script = preset.args[0] ?? '';
    if (preset.command === process.execPath && script && !existsSync(script)) {
      return { id, status: 'problem', message: `the shipped script ${script} is missing ${usedBy}`, fix: 'reinstall gt (npm install && npm run build)', details };
    }
    if (preset.command === process.execPath) return { id, status: 'ok', message: `runs this node ${process.version} ${usedBy}`, details: { ...details, exe: process.execPath } };
  }
  // The session host's own lookup (execvp rules), so found here means found when a session starts.
  const resolved = resolveCommand(preset.command, { PATH: o.path }, process.cwd());
  const exe = 'path' in resolved ? resolved.path : undefined;
  if (!exe) {
    const where = preset.command.includes('/') ? 'does not exist or is not executable' : `is not on ${o.pathSource}`;
    const other = otherRuntimeHint(name, uses);
    return {
      id, status: 'problem', message: `\`${preset.command}\` ${where} ${usedBy}`,
      fix: `${installHint(preset.command)}${other ? `, or set another runtime: ${other}` : ''}`, details,
    };
  }
  // A login shell's --version says little and dash has none: only its presence matters.
  const version = name === 'login' ? 'a login shell' : await versionOf(exe, o.path, o.env);
  return { id, status: 'ok', message: `${exe} (${version}) ${usedBy}`, details: { ...details, exe, version } };
}

/**
 * One `runtime.<name>` finding per configured runtime: resolvable (a removed custom agent is a
 * problem), its executable found (absolute commands checked directly, bare names on
 * `options.path`), and its `--version` (run with a 5 s timeout, stdin closed; a runtime whose
 * `--version` fails is still ok, with "version unknown"). Built-ins `scripted` and `shell` run
 * this node and only need their shipped script; `login` only needs its shell.
 */
export async function checkRuntimes(town: Town, options: RuntimeCheckOptions): Promise<Finding[]> {
  const settings = town.settings();
  const runtimes = [...configuredRuntimes(town)];
  return Promise.all(runtimes.map(async ([name, uses]): Promise<Finding> => {
    let preset: RuntimePreset;
    try {
      preset = resolveRuntime(name, settings.agents, options.env);
    } catch (e) {
      const other = otherRuntimeHint(name, uses);
      return {
        id: `runtime.${name}`, status: 'problem', message: `${isGtError(e) ? e.message : String(e)} — used by ${uses.join(', ')}`,
        fix: `${isGtError(e) && e.fix ? e.fix : `define it: gt config agent set ${name} "<command> <args>"`}${other ? `; or set another runtime: ${other}` : ''}`,
        details: { runtime: name, used_by: uses },
      };
    }
    return checkOne(name, uses, preset, options);
  }));
}
