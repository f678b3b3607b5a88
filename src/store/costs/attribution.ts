/**
 * Who a logged model response was for: the town's agent whose session ran in the log's cwd at
 * that time, the bead on that agent's hook then, its rig and the convoy tracking the bead.
 *
 * - Agent and session: the sessions whose cwd is the log's cwd or a folder above it (the
 *   deepest wins; a session in the town root, the mayor's, owns only that folder); of those, the one
 *   running at the entry's time (started ≤ t < ended), else the last one started before it.
 *   With no session there, an agent whose worktree holds the cwd (no session).
 * - Bead: the hook timeline from `agent_history` (`slung` puts a bead on the hook; `done`,
 *   `no_changes`, `unslung` of that bead and `nuked` take it off); the bead on the hook at t, else
 *   the last bead taken off during the same session (the tail after `gt done`), else — for an
 *   agent without history — its current `hook_bead`.
 * - Convoy: an open convoy tracking the bead, else the latest closed (landed) one.
 */
import type { AttributedUsage, Attribution } from '../../core/costs/report.js';
import type { UsageEntry } from '../../core/costs/usage.js';
import { rigForPath } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { isUnder, realPath } from './logs.js';

interface SessionSpan { id: string; agent: string; cwd: string; start: number; end: number }
interface HookSpan { bead: string; from: number; to: number }
interface AgentInfo { address: string; rig: string; worktree: string; hook: string }

const ms = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : Number.NaN);

/** The town's sessions, agents and hook history, loaded once for many lookups. */
export class Attributor {
  private readonly sessions: SessionSpan[];
  private readonly agents = new Map<string, AgentInfo>();
  private readonly hooks = new Map<string, HookSpan[]>();
  private readonly convoys = new Map<string, string | undefined>();
  private readonly reals = new Map<string, string>();
  private readonly byCwd = new Map<string, SessionSpan[]>();
  private readonly root: string;

  constructor(private readonly town: Town) {
    const db = town.db;
    this.root = this.real(town.root);
    const agentRows = db.prepare('SELECT address, rig, worktree, hook_bead FROM agents').all() as Array<{ address: string; rig: string; worktree: string; hook_bead: string }>;
    for (const a of agentRows) this.agents.set(a.address, { address: a.address, rig: a.rig, worktree: a.worktree ? this.real(a.worktree) : '', hook: a.hook_bead });
    const rows = db.prepare('SELECT id, agent, cwd, started_at, ended_at FROM sessions ORDER BY started_at').all() as Array<{ id: string; agent: string; cwd: string; started_at: string; ended_at: string | null }>;
    this.sessions = rows.filter((r) => r.cwd).map((r) => ({
      id: r.id, agent: r.agent, cwd: this.real(r.cwd), start: ms(r.started_at), end: r.ended_at ? ms(r.ended_at) : Infinity,
    }));
    const history = db.prepare(`SELECT agent, bead_id, outcome, created_at FROM agent_history
      WHERE outcome IN ('slung', 'done', 'no_changes', 'unslung', 'nuked') ORDER BY id`).all() as Array<{ agent: string; bead_id: string; outcome: string; created_at: string }>;
    for (const h of history) {
      const spans = this.hooks.get(h.agent) ?? this.hooks.set(h.agent, []).get(h.agent)!;
      const open = spans.at(-1);
      const t = ms(h.created_at);
      const isOpen = open !== undefined && open.to === Infinity;
      if (h.outcome === 'slung') {
        if (isOpen) open.to = t;
        spans.push({ bead: h.bead_id, from: t, to: Infinity });
      } else if (isOpen && (h.outcome === 'nuked' || open.bead === h.bead_id)) {
        open.to = t;
      }
    }
  }

  /** The folder all paths of the town's sessions and worktrees compare by. */
  private real(p: string): string {
    let r = this.reals.get(p);
    if (r === undefined) this.reals.set(p, (r = realPath(p)));
    return r;
  }

  /** The sessions that ran in the deepest session folder holding `cwd`, by start (memoized per cwd). */
  private sessionsIn(cwd: string): SessionSpan[] {
    let here = this.byCwd.get(cwd);
    if (here) return here;
    // A session in the town root itself (the mayor) owns only that folder, not every folder below.
    const matching = this.sessions.filter((s) => cwd === s.cwd || (s.cwd !== this.root && isUnder(cwd, s.cwd)));
    const depth = Math.max(0, ...matching.map((s) => s.cwd.length));
    here = matching.filter((s) => s.cwd.length === depth);
    this.byCwd.set(cwd, here);
    return here;
  }

  /** The session the entry belongs to, or undefined. */
  private sessionAt(cwd: string, at: number): SessionSpan | undefined {
    const here = this.sessionsIn(cwd);
    return here.find((s) => s.start <= at && at < s.end) ?? here.filter((s) => s.start <= at).at(-1);
  }

  private beadAt(agent: string, at: number, sessionStart: number | undefined): string | undefined {
    const spans = this.hooks.get(agent);
    if (!spans?.length) return this.agents.get(agent)?.hook || undefined;
    const on = spans.find((s) => s.from <= at && at < s.to);
    if (on) return on.bead;
    if (sessionStart === undefined) return undefined;
    return spans.filter((s) => s.to <= at && s.to >= sessionStart).at(-1)?.bead;
  }

  private convoyOf(bead: string): string | undefined {
    if (this.convoys.has(bead)) return this.convoys.get(bead);
    const row = this.town.db.prepare(`SELECT c.id FROM dependencies d JOIN issues c ON c.id = d.issue_id
      WHERE d.depends_on_id = ? AND d.type = 'tracks' AND c.issue_type = 'convoy' AND c.status <> 'tombstone'
      ORDER BY c.status = 'closed', c.created_key DESC LIMIT 1`).get(bead) as { id: string } | undefined;
    this.convoys.set(bead, row?.id);
    return row?.id;
  }

  /** Who one entry was for (an empty attribution when no agent worked there). */
  attribute(entry: UsageEntry): Attribution {
    if (!entry.cwd) return {};
    const cwd = this.real(entry.cwd);
    const session = this.sessionAt(cwd, entry.at);
    let agent = session ? this.agents.get(session.agent) ?? { address: session.agent, rig: '', worktree: '', hook: '' } : undefined;
    if (!agent) {
      const owners = [...this.agents.values()].filter((a) => a.worktree && isUnder(cwd, a.worktree));
      agent = owners.sort((a, b) => b.worktree.length - a.worktree.length)[0];
    }
    if (!agent) {
      const rig = rigForPath(this.town, cwd);
      return rig ? { rig } : {};
    }
    const bead = this.beadAt(agent.address, entry.at, session?.start);
    const convoy = bead ? this.convoyOf(bead) : undefined;
    return {
      agent: agent.address, rig: agent.rig,
      ...(session ? { session: session.id } : {}), ...(bead ? { bead } : {}), ...(convoy ? { convoy } : {}),
    };
  }
}

/** Attribute every entry (see the module comment). */
export function attributeUsage(town: Town, entries: UsageEntry[]): AttributedUsage[] {
  const a = new Attributor(town);
  return entries.map((e) => ({ ...e, for: a.attribute(e) }));
}
