/**
 * A cross-process lock file: created with O_EXCL, holding the owner's pid; a lock whose owner is
 * dead is taken over. Used to keep two ledger commits or syncs from racing on one git index.
 */
import { openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { GtError } from '../core/errors.js';
import { isProcessAlive } from './process-alive.js';


/**
 * Run `fn` holding the lock file `path`; waits (polling every 25 ms) up to `timeoutMs`.
 *
 * @throws GtError BUSY when the lock stayed held by a live process for `timeoutMs`.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(path, 'utf8')); } catch { /* removed meanwhile */ }
      if (!Number.isNaN(owner) && !isProcessAlive(owner)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new GtError('BUSY', `${path} is held by process ${owner}`, { fix: 'wait for it to finish, or remove the file if that process is gone' });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
