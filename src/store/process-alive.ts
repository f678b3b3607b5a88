/**
 * Is a process alive? `kill(pid, 0)` says yes for a zombie too, and where nothing reaps orphans
 * (some containers' init) a killed daemon stays a zombie forever; so on Linux a process whose
 * /proc state is Z (zombie) or X (dead) counts as gone.
 */
import { readFileSync } from 'node:fs';

/** True when process `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux'; // no /proc entry on Linux: gone; elsewhere trust kill()
  }
}
