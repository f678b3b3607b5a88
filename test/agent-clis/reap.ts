/**
 * Codex 0.171 starts a detached "app-server" daemon from `$CODEX_HOME/packages/…` that outlives
 * the CLI (its own session, out of the PTY's process group), one per home. A test or recording
 * with a fresh HOME must end those itself, or each run leaves two processes behind.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * SIGKILL every process whose command line mentions `dir` (the temporary HOME it was started
 * from). Linux only (reads /proc); elsewhere it does nothing.
 *
 * @returns how many processes were signalled.
 */
export function reapProcessesUnder(dir: string): number {
  let n = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) continue;
      process.kill(Number(pid), 'SIGKILL');
      n++;
    } catch {
      // gone already, or not ours to read
    }
  }
  return n;
}
