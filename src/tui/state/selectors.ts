/**
 * Pure derivations over the stores: the town tree's rows, the agents behind the visible panes,
 * status glyphs, and the filtered lists. No I/O; tested without rendering.
 */
import type { AgentRow } from '../../store/work/agents.js';
import type { ConvoyView, RigView, TownView } from './read-model.js';
import type { SessionView, UiState } from './stores.js';

/** One row of the town tree. Agents and convoys are selectable; the rest are labels. */
export type TreeItem =
  | { kind: 'heading'; text: string }
  | { kind: 'rig'; rig: RigView }
  | { kind: 'agent'; agent: AgentRow }
  | { kind: 'convoy'; convoy: ConvoyView };

/** An agent's status as drawn: glyph, word, theme colour key (never colour alone). */
export interface StatusLook {
  glyph: string;
  word: string;
  color: 'working' | 'waiting' | 'idle' | 'stuck' | 'starting';
}

/**
 * The look of a status (Gas Town / peers convention: ● working, ◐ waiting, ○ idle,
 * ✕ stuck or exited, ⟳ starting).
 */
export function statusLook(agent: Pick<AgentRow, 'state'> | undefined, session: SessionView | undefined): StatusLook {
  const s = session?.status;
  if (s === 'working') return { glyph: '●', word: 'working', color: 'working' };
  if (s === 'waiting') return { glyph: '◐', word: 'waiting', color: 'waiting' };
  if (s === 'idle') return { glyph: '○', word: 'idle', color: 'idle' };
  if (s === 'stuck') return { glyph: '✕', word: 'stuck', color: 'stuck' };
  if (s === 'starting') return { glyph: '⟳', word: 'starting', color: 'starting' };
  if (s === 'exited' || s === 'dead') return { glyph: '✕', word: 'exited', color: 'stuck' };
  if (agent?.state === 'stalled') return { glyph: '✕', word: 'stalled', color: 'stuck' };
  return { glyph: '○', word: agent?.state === 'done' ? 'done' : 'idle', color: 'idle' };
}

const matches = (filter: string, ...texts: string[]) => !filter || texts.some((t) => t.toLowerCase().includes(filter.toLowerCase()));

/** The filter text that applies to `area` (only the area it was typed for). */
export function filterFor(ui: Pick<UiState, 'filter'>, area: string): string {
  return ui.filter.area === area ? ui.filter.text : '';
}

/** Every agent in tree order: each rig's polecats and crew, then town agents (mayor). */
export function agentsInOrder(view: TownView): AgentRow[] {
  return [...view.rigs.flatMap((r) => r.agents), ...view.townAgents];
}

/** The town tree's rows (filtered by agent name/address or convoy title). */
export function treeItems(view: TownView, filter = ''): TreeItem[] {
  const items: TreeItem[] = [];
  for (const rig of view.rigs) {
    items.push({ kind: 'rig', rig });
    for (const agent of rig.agents) if (matches(filter, agent.address, agent.hook_bead)) items.push({ kind: 'agent', agent });
  }
  const town = view.townAgents.filter((a) => matches(filter, a.address));
  if (town.length) {
    items.push({ kind: 'heading', text: 'town' });
    for (const agent of town) items.push({ kind: 'agent', agent });
  }
  const convoys = view.convoys.filter((c) => matches(filter, c.id, c.title));
  if (convoys.length) {
    items.push({ kind: 'heading', text: 'convoys' });
    for (const convoy of convoys) items.push({ kind: 'convoy', convoy });
  }
  return items;
}

/** Indexes (into `items`) of the selectable rows. */
export function selectable(items: TreeItem[]): number[] {
  return items.flatMap((it, i) => (it.kind === 'agent' || it.kind === 'convoy' ? [i] : []));
}

/**
 * The agents shown in the grid: a page of `n` agents (tree order) that holds the selected one.
 * Fewer when the town has fewer agents.
 */
export function visibleAgents(view: TownView, selected: string | undefined, n: number): AgentRow[] {
  const all = agentsInOrder(view);
  if (all.length <= n) return all;
  const at = Math.max(0, all.findIndex((a) => a.address === selected));
  const page = Math.floor(at / n);
  return all.slice(page * n, page * n + n);
}

/** The ready list, filtered. */
export function readyItems(view: TownView, filter = ''): TownView['ready'] {
  return view.ready.filter((r) => matches(filter, r.id, r.title));
}

/** The inbox, filtered by sender or subject. */
export function mailItems(view: TownView, filter = ''): TownView['mail'] {
  return view.mail.filter((m) => matches(filter, m.message.from, m.message.subject, m.message.id));
}

/** Escalations, filtered. */
export function escalationItems(view: TownView, filter = ''): TownView['escalations'] {
  return view.escalations.filter((e) => matches(filter, e.id, e.summary, e.source, e.severity));
}

/** Merge queue, filtered. */
export function queueItems(view: TownView, filter = ''): TownView['queue'] {
  return view.queue.filter((m) => matches(filter, m.id, m.branch, m.bead_id, m.polecat));
}

/** Counts of agents by status word, for the header. */
export function statusCounts(view: TownView, sessions: Record<string, SessionView>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of agentsInOrder(view)) {
    const w = statusLook(a, sessions[a.address]).word;
    counts[w] = (counts[w] ?? 0) + 1;
  }
  return counts;
}

/** Clamp a selection index into a list of `n` rows. */
export function clampIndex(i: number, n: number): number {
  return n <= 0 ? 0 : Math.max(0, Math.min(n - 1, i));
}
