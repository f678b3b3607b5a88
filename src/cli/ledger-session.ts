/**
 * Opening the town's ledger for a `bd` command: find the town, pick the prefix (a `--rig`, the
 * rig whose folders we are in, else the town's `hq`), pull in `.beads/issues.jsonl` if it changed
 * under us (a `git pull`), and after a write make sure the debounced exporter will run.
 */
import { ledgerFile } from '../core/town/layout.js';
import { resolveActor } from '../store/actor.js';
import { scheduleExport } from '../store/ledger-sync.js';
import { importLedgerFileIfChanged } from '../store/ledger-file.js';
import { Ledger } from '../store/sqlite/ledger.js';
import { getRig, rigForPath } from '../store/town/rigs.js';
import { openTown, resolveTown, type Town } from '../store/town/town.js';
import type { CliContext } from './context.js';

/** An open ledger for one command. */
export interface LedgerSession {
  town: Town;
  ledger: Ledger;
  /** The prefix new beads get and bare hashes resolve against. */
  prefix: string;
  /** The rig picked by `--rig` or the working directory, if any. */
  rig?: string;
  /** Call after a successful write: schedules the debounced export and commit. */
  wrote(): void;
  close(): void;
}

/**
 * Open the ledger of the town around `ctx.cwd` (or GT_TOWN).
 *
 * @param rig `--rig` value: that rig's prefix is used.
 * @throws GtError TOWN_NOT_FOUND, RIG_NOT_FOUND.
 */
export function openLedgerSession(ctx: CliContext, rig?: string): LedgerSession {
  const root = resolveTown(ctx.cwd, ctx.env);
  const town = openTown(root);
  try {
    let rigName = rig;
    let prefix: string = town.json.prefix;
    if (rigName) prefix = getRig(town, rigName).prefix;
    else {
      rigName = rigForPath(town, ctx.cwd);
      if (rigName) prefix = getRig(town, rigName).prefix;
    }
    try {
      importLedgerFileIfChanged(town.db, ledgerFile(root), 'import');
    } catch (e) {
      // A broken file (say, a bad manual merge) must not stop work on the database; say so once.
      ctx.io.err(`warning: ${ledgerFile(root)} was not imported: ${(e as Error).message}\n`);
    }
    const ledger = new Ledger(town.db, { actor: () => resolveActor(ctx.env, ctx.cwd), prefix });
    return {
      town, ledger, prefix, ...(rigName ? { rig: rigName } : {}),
      wrote: () => scheduleExport(town, ctx.gtBin, ctx.env),
      close: () => town.close(),
    };
  } catch (e) {
    town.close();
    throw e;
  }
}

/** Open a session, run `fn`, always close. */
export async function withLedger<T>(ctx: CliContext, rig: string | undefined, fn: (s: LedgerSession) => T | Promise<T>): Promise<T> {
  const s = openLedgerSession(ctx, rig);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}
