/**
 * The town daemon (Gas Town's deacon process): one per town, detached, owning every agent
 * session so that closing or crashing a UI never kills an agent (ARCHITECTURE.md "Processes").
 *
 * Start-up: take the pid file exclusively (a second daemon for the same town exits with
 * DAEMON_RUNNING; a pid file of a dead process is taken over), open the town, listen on the
 * socket, write `daemon.json`, then let the services recover (restart hooked agents' sessions).
 * Shutdown (SIGTERM, SIGINT, `daemon.stop`): stop listening, let services stop their sessions,
 * remove the socket, state and pid files.
 */
import { appendFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GtError } from '../core/errors.js';
import { openTown, type Town } from '../store/town/town.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { processAlive } from './client.js';
import { daemonDir, daemonLogFile, daemonPidFile, daemonSocketPath, daemonStartLock, daemonStateFile } from './paths.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { DaemonServer, type Connection, type Handler } from './server.js';

/** The build's version, reported by `daemon.ping`. */
export const DAEMON_VERSION = '0.1.0';

/** What a service gets from the daemon. */
export interface DaemonContext {
  root: string;
  town: Town;
  gtBin: string;
  /** Append a line to daemon.log. */
  log: (line: string) => void;
  /** Push an event to subscribers of a topic. */
  publish: (topic: string, event: string, params: Record<string, unknown>) => void;
  /** Register a request handler. */
  handle: (method: string, handler: Handler) => void;
  /** Ask the daemon to shut down. */
  shutdown: (reason: string) => void;
  /** Add a figure to `daemon.ping` (e.g. `sessions`). */
  stat: (name: string, value: () => unknown) => void;
}

/** A part of the daemon (sessions, patrols): set up handlers, recover state, stop cleanly. */
export interface DaemonService {
  name: string;
  /** Called once after the socket listens. */
  start?: () => Promise<void> | void;
  /** Called on shutdown, before files are removed. */
  stop?: (reason: string) => Promise<void> | void;
}

/** Make a service from the daemon context (registered by the caller of {@link runDaemon}). */
export type ServiceFactory = (ctx: DaemonContext) => DaemonService;

function takePidFile(root: string): void {
  const file = daemonPidFile(root);
  mkdirSync(dirname(file), { recursive: true });
  // Written to a temp file and hard-linked into place: the pid file appears with its content in
  // one step, so a racing daemon never reads it empty and takes it over.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, String(process.pid));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let pid = Number.NaN;
        try { pid = Number(readFileSync(file, 'utf8').trim()); } catch { /* removed meanwhile: retry */ }
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
          throw new GtError('DAEMON_RUNNING', `the daemon for ${root} is already running (pid ${pid})`, { fix: 'use it, or stop it first: gt daemon stop' });
        }
        if (Number.isInteger(pid) && pid > 0) rmSync(file, { force: true }); // a dead daemon's pid file: take it over
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  throw new GtError('DAEMON_RUNNING', `could not take ${file}`, { fix: 'remove it if no daemon runs' });
}

/**
 * Run the daemon in this process until it is stopped. Resolves when it has shut down.
 *
 * @throws GtError DAEMON_RUNNING when another live daemon holds the town.
 */
export async function runDaemon(root: string, gtBin: string, factories: ServiceFactory[]): Promise<void> {
  takePidFile(root);
  const logFile = daemonLogFile(root);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = (line: string) => {
    try {
      appendFileSync(logFile, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
    } catch {
      // logging must never take the daemon down
    }
  };
  const socket = daemonSocketPath(root);
  rmSync(socket, { force: true }); // we hold the pid file, so any socket here is stale
  const town = openTown(root);
  const handlers = new Map<string, Handler>();
  const server = new DaemonServer(handlers, log);
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });
  const startedAt = Date.now();
  const services: DaemonService[] = [];
  const stats = new Map<string, () => unknown>();

  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      log(`stopping: ${reason}`);
      for (const s of [...services].reverse()) {
        try { await s.stop?.(reason); } catch (e) { log(`service ${s.name} stop failed: ${(e as Error).message}`); }
      }
      await server.close();
      town.close();
      for (const f of [socket, daemonStateFile(root), daemonPidFile(root)]) rmSync(f, { force: true });
      log('stopped');
      resolveDone();
    })();
  };

  const ctx: DaemonContext = {
    root, town, gtBin, log,
    publish: (topic, event, params) => server.publish(topic, event, params),
    handle: (method, handler) => handlers.set(method, handler),
    shutdown,
    stat: (name, value) => stats.set(name, value),
  };
  ctx.handle('daemon.ping', () => ({
    pid: process.pid, version: DAEMON_VERSION, protocol: PROTOCOL_VERSION, root,
    uptime_ms: Date.now() - startedAt, clients: server.clientCount,
    ...Object.fromEntries([...stats].map(([k, f]) => [k, f()])),
  }));
  ctx.handle('daemon.stop', (_p: Record<string, unknown>, _c: Connection) => {
    setImmediate(() => shutdown('gt daemon stop'));
    return { stopping: true, pid: process.pid };
  });
  ctx.handle('subscribe', (p, conn) => {
    for (const t of (p.topics as string[] | undefined) ?? []) conn.topics.add(String(t));
    return { topics: [...conn.topics] };
  });
  for (const f of factories) services.push(f(ctx));

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => undefined); // detached: a closing terminal must not stop us
  process.on('uncaughtException', (e) => {
    log(`uncaught: ${e.stack ?? e.message}`);
  });
  process.on('unhandledRejection', (e) => {
    log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`);
  });

  try {
    mkdirSync(daemonDir(root), { recursive: true });
    await server.listen(socket);
  } catch (e) {
    town.close();
    rmSync(daemonPidFile(root), { force: true });
    throw new GtError('INTERNAL', `the daemon could not listen on ${socket}: ${(e as Error).message}`, { fix: 'check permissions of the town folder' });
  }
  writeFileAtomic(daemonStateFile(root), `${JSON.stringify({ pid: process.pid, socket, version: DAEMON_VERSION, protocol: PROTOCOL_VERSION, started_at: new Date(startedAt).toISOString() }, null, 2)}\n`);
  rmSync(daemonStartLock(root), { force: true });
  log(`listening on ${socket}`);
  for (const s of services) {
    try {
      await s.start?.();
    } catch (e) {
      log(`service ${s.name} failed to start: ${(e as Error).stack ?? String(e)}`);
    }
  }
  await done;
}
