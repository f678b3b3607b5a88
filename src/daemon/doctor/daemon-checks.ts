/**
 * The daemon side of `gt doctor`: is the town daemon alive and answering (`daemon.alive`), was
 * its start claim left behind (`lock.stale`), which agents have work on their hook but no
 * running session (`polecat.no_session`), and the PATH its sessions get.
 *
 * Never starts the daemon and never starts agents: a dead daemon's files are cleaned with the
 * daemon client's own stale-file cleanup; a daemon that is alive but silent is left for
 * `gt daemon stop` (stopping it would end every session).
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Finding } from '../../core/doctor/types.js';
import type { Town } from '../../store/town/town.js';
import { listAgents } from '../../store/work/agents.js';
import type { AgentInfo } from '../agent-service.js';
import { cleanStaleDaemon, DaemonClient, processAlive, readDaemonPid, readDaemonState } from '../client.js';
import { daemonPidFile, daemonSocketPath, daemonStartLock, daemonStateFile } from '../paths.js';

/** How long the daemon may take to answer a ping, in ms. */
export const PING_TIMEOUT_MS = 3_000;

/** After this long a start claim is stale (client.ts `claimStart` takes it over then), in ms. */
export const START_CLAIM_STALE_MS = 20_000;

/** The daemon's `daemon.ping` answer. */
interface Ping { pid: number; protocol: number; uptime_ms: number; sessions?: number; version: string }

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The command line of a process (Linux /proc), or undefined when it cannot be read. */
function cmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** True when `pid` runs `gt daemon run`, false when it runs something else, undefined when unknown. */
function isDaemonProcess(pid: number): boolean | undefined {
  const argv = cmdline(pid);
  return argv ? argv.includes('daemon') && argv.includes('run') : undefined;
}

/**
 * The PATH the daemon's sessions get (before gt's own shims, agent-env.ts): the running daemon's
 * own PATH when it can be read (Linux /proc), else `env.PATH` (what a daemon started from here gets).
 */
export function sessionPath(root: string, env: NodeJS.ProcessEnv): { path: string; source: string } {
  const pid = readDaemonPid(root);
  if (pid !== undefined && processAlive(pid) && isDaemonProcess(pid) !== false) {
    try {
      const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('PATH='));
      if (entry) return { path: entry.slice(5), source: `the PATH of daemon pid ${pid}` };
    } catch { /* not Linux, or not ours: fall back */ }
  }
  return { path: env.PATH ?? '', source: 'this shell\'s PATH (a daemon started from here gets it)' };
}

/** What {@link checkDaemon} found: its findings, and a connection when the daemon answered. */
export interface DaemonCheck {
  findings: Finding[];
  /** An open connection to the answering daemon (close it), or undefined. */
  client: DaemonClient | undefined;
}

async function ping(root: string): Promise<{ client: DaemonClient; ping: Ping } | { error: string }> {
  const state = readDaemonState(root);
  let error = 'no socket';
  for (const path of new Set([state?.socket, daemonSocketPath(root)].filter(Boolean) as string[])) {
    if (!existsSync(path)) continue;
    let client: DaemonClient | undefined;
    try {
      client = await withTimeout(DaemonClient.open(path), PING_TIMEOUT_MS);
      return { client, ping: await withTimeout(client.request<Ping>('daemon.ping'), PING_TIMEOUT_MS) };
    } catch (e) {
      client?.close();
      error = `${path}: ${(e as Error).message}`;
    }
  }
  return { error };
}

function startClaim(root: string, now: number): Finding[] {
  const file = daemonStartLock(root);
  const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  if (mtime === undefined || now - mtime < START_CLAIM_STALE_MS) return [];
  return [{
    id: 'lock.stale', status: 'problem', message: `${file}: a daemon start claimed ${Math.round((now - mtime) / 1000)} s ago never finished`,
    fix: '`gt doctor --fix` removes it (the next start takes it over by itself, too)', details: { file, kind: 'daemon-start' },
    repair: async () => {
      if (statSync(file, { throwIfNoEntry: false })?.mtimeMs !== mtime) return `${file} changed meanwhile; left alone`;
      rmSync(file, { force: true });
      return `removed the stale daemon start claim ${file}`;
    },
  }];
}

/**
 * Check the town daemon without starting it: pid file, process, socket, and a `daemon.ping`
 * within {@link PING_TIMEOUT_MS}. No pid file and no leftovers is `info` (it starts on
 * demand); a dead pid, a pid now used by another process, or leftover files without a pid file
 * is a problem repaired by removing the stale files; a live daemon that does not answer is a
 * problem not repaired. A stale start claim is a `lock.stale` problem.
 */
export async function checkDaemon(root: string, now: number = Date.now()): Promise<DaemonCheck> {
  const pid = readDaemonPid(root);
  const claim = startClaim(root, now);
  const leftovers = [...new Set([daemonPidFile(root), daemonStateFile(root), daemonSocketPath(root), readDaemonState(root)?.socket ?? ''])].filter((f) => f && existsSync(f));
  const clean = (what: string) => async () => {
    const p = readDaemonPid(root);
    if (p !== pid) throw new Error('the daemon pid file changed meanwhile (a new daemon?); run gt doctor again');
    // cleanStaleDaemon removes nothing while the pid is alive; for a reused pid remove the same files here.
    const removed = pid !== undefined && processAlive(pid)
      ? (leftovers.forEach((f) => rmSync(f, { force: true })), true)
      : cleanStaleDaemon(root);
    return removed ? `removed the files ${what} left (${leftovers.join(', ')})` : 'the stale daemon files were already gone';
  };
  const fix = '`gt doctor --fix` removes the stale files; the next command that needs the daemon starts a fresh one';
  if (pid === undefined) {
    if (!leftovers.length) return { findings: [{ id: 'daemon.alive', status: 'info', message: 'not running (it starts on demand; gt daemon start starts it now)', details: { running: false } }, ...claim], client: undefined };
    return {
      findings: [{ id: 'daemon.alive', status: 'problem', message: `no daemon pid file, but a daemon left ${leftovers.join(', ')}`, fix, details: { running: false, files: leftovers }, repair: clean('a dead daemon') }, ...claim],
      client: undefined,
    };
  }
  if (!processAlive(pid)) {
    return {
      findings: [{ id: 'daemon.alive', status: 'problem', message: `the daemon (pid ${pid}) is dead but left ${leftovers.join(', ')}`, fix, details: { running: false, pid, files: leftovers }, repair: clean(`dead daemon pid ${pid}`) }, ...claim],
      client: undefined,
    };
  }
  const argv = cmdline(pid);
  if (argv && isDaemonProcess(pid) === false) {
    return {
      findings: [{ id: 'daemon.alive', status: 'problem', message: `the daemon pid file names pid ${pid}, which is now another program (${argv.slice(0, 3).join(' ')}): the daemon is gone`, fix, details: { running: false, pid, files: leftovers }, repair: clean(`the daemon that had pid ${pid}`) }, ...claim],
      client: undefined,
    };
  }
  const r = await ping(root);
  if ('error' in r) {
    if (!readDaemonState(root)) {
      return { findings: [{ id: 'daemon.alive', status: 'info', message: `starting (pid ${pid}, not listening yet)`, details: { running: true, pid } }, ...claim], client: undefined };
    }
    return {
      findings: [{
        id: 'daemon.alive', status: 'problem', message: `the daemon (pid ${pid}) is alive but does not answer (${r.error})`,
        fix: 'see `gt daemon logs`; `gt daemon stop` stops it (and its sessions), the next command starts a fresh one — doctor does not stop it',
        details: { running: true, answering: false, pid },
      }, ...claim],
      client: undefined,
    };
  }
  const p = r.ping;
  return {
    findings: [{ id: 'daemon.alive', status: 'ok', message: `running: pid ${p.pid}, up ${Math.round(p.uptime_ms / 1000)} s, protocol v${p.protocol}, ${p.sessions ?? 0} session(s)`, details: { running: true, answering: true, pid: p.pid, protocol: p.protocol, sessions: p.sessions ?? 0 } }, ...claim],
    client: r.client,
  };
}

/**
 * `polecat.no_session`: agents (not nuked) with a bead on their hook but no running session.
 * Asks the daemon (`agent.list`) when `client` is given; without a daemon every hooked agent is
 * sessionless and one problem says so. Never repaired: starting a session starts an agent,
 * which may cost money; the fix line says how to restart it.
 */
export async function checkSessions(town: Town, client: DaemonClient | undefined): Promise<Finding[]> {
  const hooked = listAgents(town.db).filter((a) => a.hook_bead);
  const noAuto = 'doctor --fix does not start agents (sessions may cost money)';
  if (!hooked.length) return [{ id: 'polecat.no_session', status: 'ok', message: 'no agent has work on its hook without a session', details: { hooked: 0 } }];
  if (!client) {
    return [{
      id: 'polecat.no_session', status: 'problem',
      message: `${hooked.length} agent(s) have work on their hook but the daemon is not running: ${hooked.map((a) => `${a.address} (${a.hook_bead})`).join(', ')}`,
      fix: `gt daemon start (it restarts their sessions); ${noAuto}`, details: { daemon: false, agents: hooked.map((a) => ({ address: a.address, bead: a.hook_bead })) },
    }];
  }
  const infos = await withTimeout(client.request<AgentInfo[]>('agent.list', {}), PING_TIMEOUT_MS * 2);
  const found: Finding[] = [];
  for (const a of hooked) {
    const s = infos.find((i) => i.address === a.address)?.session;
    if (s && s.status !== 'exited') continue;
    const last = s ? ` (session ${s.id} ${s.exit_reason ?? 'exited'})` : '';
    found.push({
      id: 'polecat.no_session', status: 'problem', message: `${a.address} has ${a.hook_bead} on its hook but no running session${last}`,
      fix: `restart it on the same hook: gt handoff --agent ${a.address}, or give the work back: gt unsling ${a.hook_bead}; ${noAuto}`,
      details: { daemon: true, agent: a.address, bead: a.hook_bead, ...(s ? { session: s.id } : {}) },
    });
  }
  if (found.length) return found;
  return [{ id: 'polecat.no_session', status: 'ok', message: `all ${hooked.length} agent(s) with hooked work have a running session`, details: { hooked: hooked.length } }];
}
