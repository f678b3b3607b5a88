/**
 * The ledger in git (ARCHITECTURE.md "git is the durable, shareable copy of the ledger"):
 *
 * - After a write, {@link scheduleExport} makes sure one background flusher runs for the town.
 *   The flusher waits until writes have been quiet for `ledger.export_debounce_ms`, exports
 *   `.beads/issues.jsonl` and commits it once per burst, authored by the burst's last actor.
 *   A lease row in SQLite keeps it to one flusher; it hands back the lease only in a
 *   transaction that sees no unexported change, so a change is never left behind.
 * - {@link syncLedger} is `gt bd sync`: export and commit, fetch and merge the remote (the
 *   by-id merge driver resolves `.beads/issues.jsonl`), import the result, push.
 * - {@link registerMergeDriver} sets `merge.beads.driver` to `gt bd merge-driver %O %A %B`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GtError } from '../core/errors.js';
import { beadsDir, ledgerFile } from '../core/town/layout.js';
import { authorFor } from './actor.js';
import { withFileLock } from './file-lock.js';
import { isProcessAlive } from './process-alive.js';
import { commitPaths, currentBranch, fetch, git, hasRemote, push, setConfig } from './git/git.js';
import { exportLedgerFile, importLedgerFileIfChanged, type ExportResult } from './ledger-file.js';
import { writeTx } from './sqlite/db.js';
import { getMeta, setMeta } from './sqlite/ledger-rows.js';
import type { Town } from './town/town.js';

/** The ledger file's path relative to the town repo. */
export const LEDGER_PATH = '.beads/issues.jsonl';

const LEASE_MS = 30_000;

interface Lease {
  pid: number;
  until: number;
}

function readLease(town: Town): Lease | undefined {
  const raw = getMeta(town.db, 'flusher');
  if (!raw) return undefined;
  try { return JSON.parse(raw) as Lease; } catch { return undefined; }
}

function leaseLive(lease: Lease | undefined, now: number): boolean {
  return Boolean(lease && lease.until > now && (lease.pid === 0 || isProcessAlive(lease.pid)));
}

/**
 * Make sure the debounced exporter will pick up the changes just made: start a detached
 * flusher (`gt bd _flush`) unless a live one holds the lease. No-op when `ledger.auto_export`
 * is off.
 */
export function scheduleExport(town: Town, gtBin: string, env: NodeJS.ProcessEnv): void {
  if (!town.settings().ledger.auto_export) return;
  const start = writeTx(town.db, () => {
    const now = Date.now();
    if (leaseLive(readLease(town), now)) return false;
    setMeta(town.db, 'flusher', JSON.stringify({ pid: 0, until: now + LEASE_MS } satisfies Lease));
    return true;
  });
  if (!start) return;
  const child = spawn(process.execPath, [gtBin, 'bd', '_flush'], {
    cwd: town.root, detached: true, stdio: 'ignore', env: { ...env, GT_TOWN: town.root },
  });
  child.unref();
}

function changeSeq(town: Town): number {
  return Number(getMeta(town.db, 'change_seq') ?? '0');
}

/**
 * The flusher loop (`gt bd _flush`): wait for a quiet period, export and commit, repeat until
 * every change is exported, then release the lease. A burst is cut after 20 quiet periods so
 * a steady stream of writes still gets exported.
 */
export async function runFlusher(town: Town): Promise<void> {
  const debounce = town.settings().ledger.export_debounce_ms;
  writeTx(town.db, () => setMeta(town.db, 'flusher', JSON.stringify({ pid: process.pid, until: Date.now() + LEASE_MS } satisfies Lease)));
  for (;;) {
    let waited = 0;
    for (;;) {
      const before = changeSeq(town);
      await new Promise((r) => setTimeout(r, debounce));
      waited++;
      if (changeSeq(town) === before || waited >= 20) break;
      writeTx(town.db, () => setMeta(town.db, 'flusher', JSON.stringify({ pid: process.pid, until: Date.now() + LEASE_MS } satisfies Lease)));
    }
    await flushLedger(town);
    const done = writeTx(town.db, () => {
      if (changeSeq(town) <= Number(getMeta(town.db, 'exported_seq') ?? '0')) {
        town.db.prepare("DELETE FROM ledger_meta WHERE key = 'flusher'").run();
        return true;
      }
      setMeta(town.db, 'flusher', JSON.stringify({ pid: process.pid, until: Date.now() + LEASE_MS } satisfies Lease));
      return false;
    });
    if (done) return;
  }
}

/** What {@link flushLedger} did. */
export interface FlushResult extends ExportResult {
  /** The commit made, or undefined when the file was already committed. */
  commit?: string;
}

function commitMessage(town: Town): string {
  const from = Number(getMeta(town.db, 'committed_event_id') ?? '0');
  const rows = town.db.prepare('SELECT id, issue_id, event_type FROM events WHERE id > ? ORDER BY id').all(from) as Array<{ id: number; issue_id: string; event_type: string }>;
  const verbs = new Map<string, Set<string>>();
  for (const r of rows) {
    let s = verbs.get(r.event_type);
    if (!s) verbs.set(r.event_type, (s = new Set()));
    s.add(r.issue_id);
  }
  const parts = [...verbs].map(([verb, ids]) => `${verb} ${[...ids].slice(0, 3).join(', ')}${ids.size > 3 ? ` +${ids.size - 3}` : ''}`);
  const head = rows.length ? `bd: ${rows.length} ledger change${rows.length === 1 ? '' : 's'}` : 'bd: export ledger';
  return parts.length ? `${head}\n\n${parts.join('\n')}\n` : head;
}

/**
 * Export the ledger now and commit `.beads/issues.jsonl` when it changed (when
 * `ledger.auto_commit` is on), authored by the last actor. Serialized by a lock file.
 */
export async function flushLedger(town: Town): Promise<FlushResult> {
  return withFileLock(join(beadsDir(town.root), '.sync.lock'), async () => {
    const result: FlushResult = exportLedgerFile(town.db, ledgerFile(town.root));
    if (!town.settings().ledger.auto_commit) return result;
    const actor = getMeta(town.db, 'last_actor') ?? 'gt';
    const author = authorFor(actor, town.settings().agent_email_domain, town.root);
    const lastEvent = (town.db.prepare('SELECT max(id) AS m FROM events').get() as { m: number | null }).m ?? 0;
    const sha = await commitPaths(town.root, [LEDGER_PATH], commitMessage(town), author);
    if (sha) result.commit = sha;
    writeTx(town.db, () => setMeta(town.db, 'committed_event_id', String(lastEvent)));
    return result;
  });
}

/**
 * Register the by-id merge driver for `.beads/issues.jsonl` in the town repo
 * (`.gitattributes` carries `merge=beads`; the driver itself is repository-local config).
 */
export async function registerMergeDriver(root: string, gtBin: string): Promise<void> {
  await setConfig(root, 'merge.beads.name', 'Gas Town beads JSONL merge (by id)');
  await setConfig(root, 'merge.beads.driver', `"${process.execPath}" "${gtBin}" bd merge-driver %O %A %B`);
}

/** Options of {@link syncLedger}. */
export interface SyncOptions {
  /** Only pull (fetch, merge, import). */
  pullOnly?: boolean;
  /** Only push. */
  pushOnly?: boolean;
  /** Remote name (default: settings `ledger.remote`, else `origin`). */
  remote?: string;
}

/** What {@link syncLedger} did. */
export interface SyncResult {
  remote: string | null;
  branch: string;
  exported: number;
  committed: string[];
  pulled: boolean;
  pushed: boolean;
  imported: { created: number; updated: number } | null;
}

/**
 * `gt bd sync`: export and commit, then (with a remote) fetch and merge it, import what came in,
 * export and commit the merged ledger, and push.
 *
 * @throws GtError SYNC_FAILED when the merge stops on a conflict outside the ledger (the merge
 * is aborted, nothing is lost), GIT_FAILED for git errors.
 */
export async function syncLedger(town: Town, gtBin: string, options: SyncOptions = {}): Promise<SyncResult> {
  await registerMergeDriver(town.root, gtBin);
  const remote = options.remote ?? town.settings().ledger.remote ?? 'origin';
  const branch = (await currentBranch(town.root)) ?? 'main';
  const result: SyncResult = { remote: null, branch, exported: 0, committed: [], pulled: false, pushed: false, imported: null };
  const first = await flushLedger(town);
  result.exported = first.count;
  if (first.commit) result.committed.push(first.commit);
  if (!(await hasRemote(town.root, remote))) return result;
  result.remote = remote;
  if (!options.pushOnly) {
    await fetch(town.root, remote);
    const remoteHasBranch = (await git(town.root, ['ls-remote', '--heads', remote, branch])).trim() !== '';
    if (remoteHasBranch) {
      await withFileLock(join(beadsDir(town.root), '.sync.lock'), async () => {
        try {
          await git(town.root, ['merge', '--no-edit', '--quiet', `${remote}/${branch}`], {
            env: { GIT_MERGE_AUTOEDIT: 'no' },
          });
        } catch (e) {
          await git(town.root, ['merge', '--abort']).catch(() => undefined);
          throw new GtError('SYNC_FAILED', `merging ${remote}/${branch} into the town repo stopped: ${(e as Error).message}`, {
            fix: `the merge was aborted and nothing was lost; resolve it by hand in ${town.root} (git merge ${remote}/${branch}) and run gt bd sync again`,
            cause: e,
          });
        }
      });
      result.pulled = true;
      const imported = importLedgerFileIfChanged(town.db, ledgerFile(town.root), 'sync');
      if (imported) result.imported = { created: imported.created, updated: imported.updated };
      const second = await flushLedger(town);
      if (second.commit) result.committed.push(second.commit);
    }
  }
  if (!options.pullOnly) {
    await push(town.root, remote, branch);
    result.pushed = true;
  }
  return result;
}
