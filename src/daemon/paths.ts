/**
 * Where a town's daemon keeps its files: `<town>/daemon/daemon.json` (pid, socket, version),
 * `<town>/daemon/daemon.pid`, the socket, `<town>/logs/daemon.log`, and session recordings
 * under `<town>/logs/sessions/`.
 *
 * Unix socket paths are limited to ~107 bytes; when `<town>/daemon/daemon.sock` would be longer,
 * the socket goes to the system temp folder under a name derived from the town path.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Longest socket path we use (Linux sun_path is 108 bytes including the NUL). */
export const MAX_SOCKET_PATH = 100;

/** The daemon's folder in a town. */
export function daemonDir(root: string): string {
  return join(root, 'daemon');
}

/** The daemon's state file (`{pid, socket, version, protocol, started_at}`). */
export function daemonStateFile(root: string): string {
  return join(daemonDir(root), 'daemon.json');
}

/** The daemon's pid file (created exclusively: one daemon per town). */
export function daemonPidFile(root: string): string {
  return join(daemonDir(root), 'daemon.pid');
}

/** Held (O_EXCL) by the one client that is starting the daemon; the daemon removes it once listening. */
export function daemonStartLock(root: string): string {
  return join(daemonDir(root), 'starting.lock');
}

/** The daemon's log file. */
export function daemonLogFile(root: string): string {
  return join(root, 'logs', 'daemon.log');
}

/** Folder of session recordings (asciicast v2). */
export function recordingsDir(root: string): string {
  return join(root, 'logs', 'sessions');
}

/** The socket path for a town (in the town, or in the temp folder when that path is too long). */
export function daemonSocketPath(root: string): string {
  const local = join(daemonDir(root), 'daemon.sock');
  if (Buffer.byteLength(local) <= MAX_SOCKET_PATH) return local;
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 16);
  return join(tmpdir(), `gt-${hash}.sock`);
}
