/**
 * Town events (gastown-features.md §3.12 "Events"): every state change of the town — a sling,
 * a session start or exit, a merge — is one event, a row of `town_events` (schema v4) and a
 * line of `<town>/.events.jsonl`. `gt feed` shows them; the TUI's event stream reads them.
 *
 * Names are `domain.pastTense` (CONVENTIONS.md "Names"). Ledger changes are not repeated here:
 * beads keep their own per-bead events (the `events` table of the ledger).
 *
 * Pure: no I/O. The store side is `src/store/events.ts`.
 */
import { join } from 'node:path';

/** Every town event type, by constant name (`EVENT.MR_MERGED` = `'mr.merged'`). */
export const EVENT = {
  /** A bead was put on an agent's hook (`gt sling`); subject: the bead; payload `{agent}`. */
  BEAD_SLUNG: 'bead.slung',
  /** A bead was taken off a hook (`gt unsling`, a failed start); subject: the bead. */
  BEAD_UNSLUNG: 'bead.unslung',
  /** A session started; subject: the agent; payload `{generation, runtime}`. */
  AGENT_STARTED: 'agent.started',
  /** A session ended; subject: the agent; payload `{generation, code, reason}`. */
  AGENT_EXITED: 'agent.exited',
  /** A session was replaced by a fresh one (handoff, witness restart); subject: the agent. */
  AGENT_RESTARTED: 'agent.restarted',
  /** An agent was nudged (text typed into its session); subject: the agent. */
  AGENT_NUDGED: 'agent.nudged',
  /** An agent handed off to its next session (`gt handoff`); subject: the agent. */
  AGENT_HANDED_OFF: 'agent.handed_off',
  /** A polecat finished its hooked work (`gt done`); subject: the bead; payload `{outcome, mr?}`. */
  POLECAT_DONE: 'polecat.done',
  /** A polecat was nuked (its slot freed); subject: the agent. */
  POLECAT_NUKED: 'polecat.nuked',
  /** A merge request entered the queue; subject: the MR; payload `{bead, branch, commit}`. */
  MR_CREATED: 'mr.created',
  /** A merge request landed on its target; subject: the MR; payload `{bead, sha}`. */
  MR_MERGED: 'mr.merged',
  /** A merge request failed the gates and went back to its polecat; subject: the MR. */
  MR_FAILED: 'mr.failed',
  /** A merge request conflicted; a rework bead was filed; subject: the MR; payload `{rework}`. */
  MR_REWORK: 'mr.rework',
  /** A merge request was closed unmerged (its branch vanished); subject: the MR. */
  MR_REJECTED: 'mr.rejected',
  /** Mail was sent; subject: the message id; payload `{to, kind}`. */
  MAIL_SENT: 'mail.sent',
  /** An escalation was raised; subject: the escalation. */
  ESCALATION_RAISED: 'escalation.raised',
  /** An escalation was acknowledged. */
  ESCALATION_ACKED: 'escalation.acked',
  /** An escalation was closed. */
  ESCALATION_CLOSED: 'escalation.closed',
  /** An escalation was handed to someone else; payload `{to}`. */
  ESCALATION_REASSIGNED: 'escalation.reassigned',
  /** An unacknowledged escalation went up a level. */
  ESCALATION_REESCALATED: 'escalation.reescalated',
  /** A convoy was created; subject: the convoy. */
  CONVOY_CREATED: 'convoy.created',
  /** Every bead a convoy tracks is merged; subject: the convoy. */
  CONVOY_LANDED: 'convoy.landed',
  /** A sling past capacity waits in the scheduler queue; subject: the bead. */
  SCHEDULER_QUEUED: 'scheduler.queued',
  /** The scheduler dispatched a queued sling; subject: the bead. */
  SCHEDULER_DISPATCHED: 'scheduler.dispatched',
  /** The witness acted on an agent (nudge, restart, escalate); subject: the agent; payload `{action}`. */
  WITNESS_ACTED: 'witness.acted',
} as const;

/** A known town event type (`bead.slung`, `mr.merged`, …). */
export type EventType = (typeof EVENT)[keyof typeof EVENT];

/** Every known event type, in declaration order. */
export const EVENT_TYPES: readonly EventType[] = Object.values(EVENT);

/** True when `text` has the `domain.pastTense` shape of an event type (lower case, one dot). */
export function isEventTypeName(text: string): boolean {
  return /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(text);
}

/** One town event: a row of `town_events`. */
export interface TownEvent {
  /** Row id: increases with every event, so `afterId` paging and following are exact. */
  id: number;
  /** RFC 3339 UTC time with milliseconds (`2026-11-21T13:00:00.123Z`). */
  ts: string;
  /** `domain.pastTense` ({@link EventType}; rows written by a newer gt may hold other names). */
  type: EventType | string;
  /** Who did it: an agent address (`demo/polecats/nux`), `demo/refinery`, `deacon`, a person. */
  actor: string;
  /** The rig it concerns ('' for town-level events). */
  rig: string;
  /** The main id it is about: a bead, an agent, an MR, a convoy ('' when none). */
  subject: string;
  /** Event-specific details (documented per type on {@link EVENT}). */
  payload: Record<string, unknown>;
}

/** What a caller gives to record an event (id and time are assigned by the store). */
export interface EventInput {
  /** The event type. */
  type: EventType;
  /** Who did it. */
  actor: string;
  /** The rig it concerns (default ''). */
  rig?: string;
  /** The main id it is about (default ''). */
  subject?: string;
  /** Details (default `{}`); must be JSON-serializable. */
  payload?: Record<string, unknown>;
}

/**
 * One line of `.events.jsonl` (Gas Town's shape, §3.12): `{"ts","source":"gt","type","actor",
 * "rig","subject","payload"}`.
 */
export interface EventLine {
  /** RFC 3339 time. */
  ts: string;
  /** Always `gt`. */
  source: 'gt';
  /** The event type. */
  type: string;
  /** Who did it. */
  actor: string;
  /** The rig ('' for town-level events). */
  rig: string;
  /** The main id it is about. */
  subject: string;
  /** Details. */
  payload: Record<string, unknown>;
}

/** `<town>/.events.jsonl`: the append-only event log (git-ignored, like everything not tracked). */
export function eventsFile(root: string): string {
  return join(root, '.events.jsonl');
}

/** The `.events.jsonl` line of an event, without the trailing newline. */
export function eventLine(e: Pick<TownEvent, 'ts' | 'type' | 'actor' | 'rig' | 'subject' | 'payload'>): string {
  const line: EventLine = { ts: e.ts, source: 'gt', type: e.type, actor: e.actor, rig: e.rig, subject: e.subject, payload: e.payload };
  return JSON.stringify(line);
}

const DURATION_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parse a `--since` value: a duration back from `now` (`30s`, `10m`, `2h`, `1d`, `1w`) or an
 * RFC 3339 time. Returns the cut-off as epoch milliseconds, or undefined when `text` is neither.
 */
export function sinceMs(text: string, now: number = Date.now()): number | undefined {
  const t = text.trim();
  const rel = /^(\d+)([smhdw])$/.exec(t);
  if (rel) return now - Number(rel[1]) * DURATION_MS[rel[2] as keyof typeof DURATION_MS];
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(t)) return undefined;
  const ms = Date.parse(t.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Payload keys shown first in a summary, when present. */
const FIRST_KEYS = ['agent', 'bead', 'generation', 'code', 'reason', 'sha', 'outcome', 'mr', 'branch', 'action', 'to', 'kind'];

function shortValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === null || v === undefined) s = String(v);
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  // Shas read best short; anything long is cut.
  if (/^[0-9a-f]{40}$/.test(s)) s = s.slice(0, 10);
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > 48 ? `${s.slice(0, 47)}…` : s;
}

/**
 * A short `key=value …` summary of a payload (well-known keys first, at most `max` characters).
 *
 * @param max maximum length in characters (default 80); longer summaries end with `…`.
 */
export function payloadSummary(payload: Record<string, unknown>, max = 80): string {
  const keys = Object.keys(payload).sort((a, b) => {
    const ia = FIRST_KEYS.indexOf(a);
    const ib = FIRST_KEYS.indexOf(b);
    return (ia < 0 ? FIRST_KEYS.length : ia) - (ib < 0 ? FIRST_KEYS.length : ib) || a.localeCompare(b);
  });
  const text = keys.filter((k) => payload[k] !== undefined).map((k) => `${k}=${shortValue(payload[k])}`).join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Options of {@link formatEvent}. */
export interface FormatEventOptions {
  /** Show times in UTC instead of the local zone (default false). */
  utc?: boolean;
  /** "Now" in epoch ms (default `Date.now()`): events of another day than now show their date. */
  now?: number;
}

/**
 * One line for people: `HH:MM:SS type actor subject  key=value …` (the date is prepended for
 * events not from today). Columns are padded so a feed lines up. Control characters are not
 * escaped here: the CLI makes the line inert before printing it.
 */
export function formatEvent(e: TownEvent, options: FormatEventOptions = {}): string {
  const at = new Date(e.ts);
  const now = new Date(options.now ?? Date.now());
  let time: string;
  if (Number.isNaN(at.getTime())) time = e.ts;
  else {
    const [y, mo, d, h, mi, s] = options.utc
      ? [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()]
      : [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds()];
    const today = options.utc
      ? now.getUTCFullYear() === y && now.getUTCMonth() + 1 === mo && now.getUTCDate() === d
      : now.getFullYear() === y && now.getMonth() + 1 === mo && now.getDate() === d;
    time = `${today ? '' : `${y}-${pad2(mo)}-${pad2(d)} `}${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  }
  const summary = payloadSummary(e.payload);
  const parts = [time, e.type.padEnd(16), (e.actor || '-').padEnd(22), e.subject || '-'];
  return `${parts.join(' ')}${summary ? `  ${summary}` : ''}`;
}
