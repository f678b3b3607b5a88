/**
 * The TUI's read model: one consistent read of what the screen shows from `town.db` (rigs,
 * agents, ready beads, convoys with progress, the overseer's inbox, open escalations, the merge
 * queue). The town store holds the latest one; it is re-read when the daemon says the town
 * changed, never on a timer per pane.
 */
import type { Issue } from '../../core/ledger/types.js';
import { OVERSEER } from '../../core/mail/addresses.js';
import { convoyInfo, listConvoys } from '../../store/convoys.js';
import { dayCosts, LogCache, type DayCosts } from '../../store/costs/costs.js';
import { listEscalations, type EscalationRow } from '../../store/escalations.js';
import { inbox, type InboxEntry } from '../../store/mail/mail.js';
import { findMoleculeOf, moleculeSteps } from '../../store/molecule-progress.js';
import { refineryState } from '../../store/refinery/refinery-db.js';
import { readTx } from '../../store/sqlite/db.js';
import { readyWork } from '../../store/sqlite/ledger-query.js';
import { listRigs } from '../../store/town/rigs.js';
import type { Town } from '../../store/town/town.js';
import { listAgents, listMergeRequests, type AgentRow, type MergeRequestRow } from '../../store/work/agents.js';

/** A rig as the tree shows it. */
export interface RigView {
  name: string;
  prefix: string;
  /** Refinery paused (`gt mq pause`). */
  paused: boolean;
  /** Polecats then crew, by name. */
  agents: AgentRow[];
}

/** A convoy with its progress. */
export interface ConvoyView {
  id: string;
  title: string;
  /** Tracked beads merged (or closed). */
  done: number;
  total: number;
  landed: boolean;
  stranded: boolean;
}

/** A ready bead. */
export interface ReadyView {
  id: string;
  title: string;
  priority: number;
  issue_type: string;
}

/** Progress of the molecule on an agent's hook (a formula's steps, issue #7). */
export interface MoleculeBadge {
  /** Root bead of the molecule. */
  id: string;
  /** Steps closed, of all steps. */
  done: number;
  total: number;
  /** The formula's id of the step in progress, if one is. */
  current?: string;
}

/** Everything the TUI draws from SQLite. */
export interface TownView {
  /** Town name (town.json). */
  name: string;
  root: string;
  rigs: RigView[];
  /** Town-level agents (mayor, deacon) that exist. */
  townAgents: AgentRow[];
  convoys: ConvoyView[];
  /** Ready beads, priority order (at most 100). */
  ready: ReadyView[];
  /** The overseer's (the human's) inbox, newest first, archived left out. */
  mail: InboxEntry[];
  unread: number;
  /** Open and acknowledged escalations, most severe first. */
  escalations: EscalationRow[];
  /** Merge requests waiting or being tested. */
  queue: MergeRequestRow[];
  /** The molecule on each agent's hook, by agent address (agents without one are absent). */
  molecules: Record<string, MoleculeBadge>;
  /** When this was read (ms since the epoch). */
  readAt: number;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** An empty view (before the first read). */
export function emptyTownView(name = '', root = ''): TownView {
  return { name, root, rigs: [], townAgents: [], convoys: [], ready: [], mail: [], unread: 0, escalations: [], queue: [], molecules: {}, readAt: 0 };
}

/**
 * Read the whole view in one read transaction.
 *
 * @throws whatever the store throws for a broken database (the caller shows it in the banner).
 */
export function readTownView(town: Town): TownView {
  return readTx(town.db, () => {
    const agents = listAgents(town.db).filter((a) => a.state !== 'nuked');
    const rigs = listRigs(town).map((r): RigView => ({
      name: r.name, prefix: r.prefix, paused: refineryState(town.db, r.name).paused === 1,
      agents: agents.filter((a) => a.rig === r.name && (a.role === 'polecat' || a.role === 'crew'))
        .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'polecat' ? -1 : 1)),
    }));
    // Open convoys, then the three that landed last (so a landing stays visible for a while).
    const landedIds = town.db.prepare(`SELECT id FROM issues WHERE issue_type = 'convoy' AND status = 'closed'
      AND json_extract(doc, '$.close_reason') = 'landed' ORDER BY updated_key DESC LIMIT 3`).pluck().all() as string[];
    const convoys = [...listConvoys(town), ...landedIds.map((id) => convoyInfo(town, id))].map((c): ConvoyView => ({
      id: c.id, title: c.title, done: c.counts.merged + c.counts.closed, total: c.counts.total, landed: c.landed, stranded: c.stranded,
    }));
    const ready = readyWork(town.db, { limit: 100 }).filter((i) => i.issue_type !== 'convoy').map((i: Issue): ReadyView => ({ id: i.id, title: i.title, priority: i.priority ?? 2, issue_type: i.issue_type ?? 'task' }));
    const mail = inbox(town, OVERSEER, { limit: 200 });
    const escalations = listEscalations(town).filter((e) => e.state !== 'closed')
      .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.created_at.localeCompare(b.created_at));
    const queue = listMergeRequests(town.db, { state: ['queued', 'testing'] });
    const molecules: Record<string, MoleculeBadge> = {};
    for (const a of agents) {
      const root = a.hook_bead ? findMoleculeOf(town.db, a.hook_bead) : undefined;
      if (!root) continue;
      const steps = moleculeSteps(town.db, root);
      const current = steps.find((x) => x.state === 'current' && (x.assignee === a.address || !x.assignee));
      molecules[a.address] = { id: root, done: steps.filter((x) => x.state === 'done').length, total: steps.length, ...(current ? { current: current.stepId } : {}) };
    }
    return {
      name: town.json.name, root: town.root, rigs,
      townAgents: agents.filter((a) => !a.rig),
      convoys, ready, mail, unread: mail.filter((m) => !m.delivery.read_at).length,
      escalations, queue, molecules, readAt: Date.now(),
    };
  });
}

/** Options of {@link watchDayCosts}. */
export interface DayCostsWatch {
  /** Time between reads, in ms (default 30 s): logs grow with every model response. */
  intervalMs?: number;
  /** Wait before the first read, in ms (default 1 s), so the TUI's first frame never waits on logs. */
  firstDelayMs?: number;
  /** The clock (ms since the epoch). */
  now?: () => number;
}

/**
 * Feed `onCosts` with today's token usage and cost (`gt costs --since today`) for the header:
 * once after `firstDelayMs`, then every `intervalMs`, never two reads at once. Each read re-reads
 * only the logs whose size or mtime changed (a {@link LogCache} lives as long as the watch). A
 * failed read keeps the last figure. Timers do not keep the process alive.
 *
 * @returns a function that stops the watch.
 */
export function watchDayCosts(town: Town, env: NodeJS.ProcessEnv, onCosts: (costs: DayCosts) => void, options: DayCostsWatch = {}): () => void {
  const cache = new LogCache();
  const now = options.now ?? Date.now;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    try {
      const costs = await dayCosts(town, env, cache, now());
      if (!stopped) onCosts(costs);
    } catch {
      // a broken log folder or settings file: keep the last figure; gt costs shows why
    }
    if (!stopped) timer = setTimeout(() => void run(), options.intervalMs ?? 30_000).unref();
  };
  timer = setTimeout(() => void run(), options.firstDelayMs ?? 1_000).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
