/**
 * The town at a glance (`gt status`): rigs with their prefix, branch, polecats and crew, and the
 * ledger's counts, read in one snapshot.
 */
import { existsSync, readdirSync } from 'node:fs';
import { polecatsDir } from '../../core/town/layout.js';
import { readTx } from '../sqlite/db.js';
import { getMeta } from '../sqlite/ledger-rows.js';
import { ledgerStats, type LedgerStats } from '../sqlite/ledger-query.js';
import { listCrew } from './crew.js';
import { listRigs } from './rigs.js';
import type { Town } from './town.js';

/** One rig in {@link TownStatus}. */
export interface RigStatus {
  name: string;
  prefix: string;
  default_branch: string;
  git_url: string;
  /** Polecat sandboxes present under `<rig>/polecats/`. */
  polecats: string[];
  /** Crew clone names. */
  crew: string[];
  /** The rig's bead counts. */
  beads: Pick<LedgerStats, 'total_issues' | 'open_issues' | 'in_progress_issues' | 'ready_issues' | 'blocked_issues' | 'closed_issues'>;
}

/** The whole `gt status --json` document. */
export interface TownStatus {
  town: { name: string; root: string; owner: string; prefix: string; created_at: string };
  rigs: RigStatus[];
  /** Counts over every bead of the town. */
  beads: LedgerStats;
  /** Ledger changes made but not yet exported to `.beads/issues.jsonl`. */
  unexported_changes: number;
}

function pick(s: LedgerStats): RigStatus['beads'] {
  return {
    total_issues: s.total_issues, open_issues: s.open_issues, in_progress_issues: s.in_progress_issues,
    ready_issues: s.ready_issues, blocked_issues: s.blocked_issues, closed_issues: s.closed_issues,
  };
}

/** Read the status of an open town. */
export function townStatus(town: Town): TownStatus {
  return readTx(town.db, () => {
    const rigs = listRigs(town).map((r): RigStatus => {
      const dir = polecatsDir(town.root, r.name);
      const polecats = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort() : [];
      return {
        name: r.name, prefix: r.prefix, default_branch: r.default_branch, git_url: r.git_url, polecats,
        crew: listCrew(town, r.name).map((c) => c.name),
        beads: pick(ledgerStats(town.db, r.prefix)),
      };
    });
    const seq = Number(getMeta(town.db, 'change_seq') ?? '0');
    const exported = Number(getMeta(town.db, 'exported_seq') ?? '0');
    return {
      town: { name: town.json.name, root: town.root, owner: town.json.owner, prefix: town.json.prefix, created_at: town.json.created_at },
      rigs,
      beads: ledgerStats(town.db),
      unexported_changes: Math.max(0, seq - exported),
    };
  });
}
