/**
 * Talking to a town's daemon: connect over its Unix socket, start it on demand (detached, output
 * to `<town>/logs/daemon.log`), and clean up after a daemon that died (a pid file whose process
 * is gone, a socket nobody answers).
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { GtError } from '../core/errors.js';
import { isProcessAlive } from '../store/process-alive.js';
import { daemonDir, daemonLogFile, daemonPidFile, daemonSocketPath, daemonStartLock, daemonStateFile } from './paths.js';
import { encodeMessage, LineDecoder, PROTOCOL_VERSION, type DaemonEvent, type DaemonResponse } from './protocol.js';

/** What `daemon.json` says about a running daemon. */
export interface DaemonState {
  pid: number;
  socket: string;
  version: string;
  protocol: number;
  started_at: string;
}

/** True when process `pid` exists and is not a zombie (see store/process-alive.ts). */
export const processAlive = isProcessAlive;

/**
 * Wait until process `pid` is gone, polling every 50 ms.
 *
 * @returns true when it exited within `timeoutMs`.
 */
export async function waitProcessGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processAlive(pid);
}

/** The pid in the town's daemon pid file, or undefined. */
export function readDaemonPid(root: string): number | undefined {
  try {
    const n = Number(readFileSync(daemonPidFile(root), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The daemon's state file, or undefined. */
export function readDaemonState(root: string): DaemonState | undefined {
  try {
    return JSON.parse(readFileSync(daemonStateFile(root), 'utf8')) as DaemonState;
  } catch {
    return undefined;
  }
}

/**
 * Remove the files of a daemon that is gone (pid file with a dead pid, state, socket).
 *
 * @returns true when stale files were removed.
 */
export function cleanStaleDaemon(root: string): boolean {
  const pid = readDaemonPid(root);
  if (pid !== undefined && processAlive(pid)) return false;
  const state = readDaemonState(root);
  const files = [daemonPidFile(root), daemonStateFile(root), daemonSocketPath(root), ...(state?.socket ? [state.socket] : [])];
  const existed = files.some((f) => existsSync(f));
  for (const f of files) rmSync(f, { force: true });
  return existed;
}

/** A connection to the daemon. Emits 'event' (name, params) for pushed events and 'close'. */
export class DaemonClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    const decoder = new LineDecoder(
      (m) => this.receive(m),
      (message) => this.fail(new GtError('INTERNAL', `the daemon sent a bad line: ${message}`)),
    );
    socket.on('data', (chunk: string) => decoder.push(chunk));
    socket.on('close', () => {
      this.fail(new GtError('DAEMON_DOWN', 'the connection to the daemon closed', { fix: 'gt daemon status; gt daemon logs' }));
      this.emit('close');
    });
    socket.on('error', () => undefined);
  }

  /** Connect to a socket; rejects when nobody listens. */
  static open(path: string): Promise<DaemonClient> {
    return new Promise((res, rej) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        res(new DaemonClient(socket));
      });
      socket.once('error', rej);
    });
  }

  private receive(m: Record<string, unknown>): void {
    if (typeof m.event === 'string') {
      const e = m as unknown as DaemonEvent;
      this.emit('event', e.event, e.params);
      return;
    }
    const r = m as unknown as DaemonResponse;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.error) p.reject(new GtError(r.error.code as never, r.error.message, r.error.fix ? { fix: r.error.fix } : {}));
    else p.resolve(r.result);
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Call a daemon method and wait for its result.
   *
   * @throws GtError with the daemon's error code, or DAEMON_DOWN when the connection drops.
   */
  request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(encodeMessage({ v: PROTOCOL_VERSION, id, method, params }));
    });
  }

  /** Close the connection. */
  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

/**
 * Claim the right to start the daemon, so that many clients arriving at once start one daemon,
 * not one each. A claim older than 20 s is stale (its starter died) and is taken over.
 */
function claimStart(root: string): boolean {
  const lock = daemonStartLock(root);
  mkdirSync(daemonDir(root), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, 'wx'));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs < 20_000) return false;
      } catch {
        continue; // removed meanwhile
      }
      rmSync(lock, { force: true });
    }
  }
  return false;
}

/** Options of {@link connectDaemon}. */
export interface ConnectOptions {
  /** Start the daemon when it is not running (default true). */
  autostart?: boolean;
  /** Path of the `gt` bin used to start it. */
  gtBin: string;
  /** Environment for a started daemon. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for a starting daemon, in ms (default 15,000). */
  timeoutMs?: number;
}

/**
 * Connect and make sure a daemon answers: a socket can still accept connections for a moment
 * after its daemon was killed (the kernel tears the process down thread by thread), and such a
 * connection would never be answered.
 */
async function tryOpen(root: string): Promise<DaemonClient | undefined> {
  const state = readDaemonState(root);
  for (const path of new Set([state?.socket, daemonSocketPath(root)].filter(Boolean) as string[])) {
    let client: DaemonClient | undefined;
    try {
      client = await DaemonClient.open(path);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('no answer')), 3_000); });
      try {
        await Promise.race([client.request('daemon.ping'), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return client;
    } catch {
      client?.close(); // not listening there, or nobody answering
    }
  }
  return undefined;
}

/**
 * Start the daemon for `root` as a detached process (output appended to daemon.log). Does not
 * wait; {@link connectDaemon} waits for its socket.
 */
export function spawnDaemon(root: string, gtBin: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const log = daemonLogFile(root);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [gtBin, 'daemon', 'run'], {
      cwd: root, detached: true, stdio: ['ignore', fd, fd], env: { ...env, GT_TOWN: root, NODE_ENV: 'production' },
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Connect to the town's daemon, starting it when needed (the default). A stale pid file or socket
 * left by a daemon that died is cleaned first.
 *
 * @throws GtError DAEMON_DOWN when it is not running and `autostart` is false, or when it did not
 * come up within the timeout (the message points at daemon.log).
 */
export async function connectDaemon(root: string, options: ConnectOptions): Promise<DaemonClient> {
  const first = await tryOpen(root);
  if (first) return first;
  const pid = readDaemonPid(root);
  const starting = pid !== undefined && processAlive(pid);
  if (!starting) cleanStaleDaemon(root);
  if (!starting && options.autostart === false) {
    throw new GtError('DAEMON_DOWN', `the town daemon is not running (${root})`, { fix: 'start it with: gt daemon start' });
  }
  if (!starting && claimStart(root)) spawnDaemon(root, options.gtBin, options.env);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let respawned = false;
  while (Date.now() < deadline) {
    const c = await tryOpen(root);
    if (c) return c;
    const owner = readDaemonPid(root);
    if (starting && owner !== undefined && !processAlive(owner)) {
      // the daemon we were waiting for died: clean up, and start one if allowed (once)
      cleanStaleDaemon(root);
      if (options.autostart === false) throw new GtError('DAEMON_DOWN', `the town daemon is not running (pid ${owner} is gone)`, { fix: 'start it with: gt daemon start' });
      if (respawned) break;
      if (claimStart(root)) spawnDaemon(root, options.gtBin, options.env);
      respawned = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new GtError('DAEMON_DOWN', `the town daemon did not start within ${Math.round((options.timeoutMs ?? 15_000) / 1000)} s`, {
    fix: `see ${daemonLogFile(root)} (gt daemon logs)`,
  });
}

/** Run `fn` with a daemon connection, closing it afterwards. */
export async function withDaemon<T>(root: string, options: ConnectOptions, fn: (c: DaemonClient) => Promise<T>): Promise<T> {
  const c = await connectDaemon(root, options);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
