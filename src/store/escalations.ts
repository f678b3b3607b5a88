/**
 * Escalations (issue #5): typed rows in SQLite, routed by severity (core/escalation/routes.ts),
 * announced to their current assignee by mail, acknowledged, closed, reassigned, and moved up
 * the route when nobody acknowledged them in time (the daemon calls {@link reescalateDue}).
 */
import { closeMatches, GtError } from '../core/errors.js';
import { nextAddress, routeAddresses, severityRank, type Category } from '../core/escalation/routes.js';
import { prefixOfId } from '../core/ledger/ids.js';
import { nowTime, timeMs } from '../core/ledger/time.js';
import type { Severity } from '../core/town/settings.js';
import { parseAgentAddress } from '../core/work/names.js';
import { recordEvent } from './events.js';
import { sendMail } from './mail/mail.js';
import { writeTx } from './sqlite/db.js';
import { listRigs } from './town/rigs.js';
import type { Town } from './town/town.js';

/** An escalation row. */
export interface EscalationRow {
  id: string;
  severity: Severity;
  category: Category;
  summary: string;
  detail: string;
  bead_id: string | null;
  source: string;
  source_generation: number | null;
  level: string;
  assignee: string;
  state: 'open' | 'acked' | 'closed';
  reescalations: number;
  created_at: string;
  updated_at: string;
  escalated_at: string;
  acked_at: string | null;
  acked_by: string | null;
  closed_at: string | null;
  close_reason: string | null;
}

/** What raises an escalation. */
export interface RaiseInput {
  severity: Severity;
  category: Category;
  summary: string;
  detail?: string;
  beadId?: string;
  /** Who raises it (an address). */
  source: string;
  /** The session generation it is about (witness escalations). */
  sourceGeneration?: number;
  /** The rig it is about (default: the source's rig). */
  rig?: string;
}

function rigOf(town: Town, e: { source: string; bead_id: string | null }, rig?: string): string {
  if (rig) return rig;
  const parsed = parseAgentAddress(e.source);
  if (parsed?.rig) return parsed.rig;
  if (e.bead_id) {
    const rigs = listRigs(town);
    const prefix = prefixOfId(e.bead_id, rigs.map((r) => r.prefix));
    return rigs.find((r) => r.prefix === prefix)?.name ?? '';
  }
  return '';
}

function announce(town: Town, e: EscalationRow, to: string, why: string): void {
  sendMail(town, {
    from: e.source, to: [to], kind: 'HELP', subject: `[${e.severity}] ${e.summary}`.slice(0, 200),
    body: `${why}\n\n${e.detail}`.trim(),
    fields: { Escalation: e.id, Severity: e.severity, Category: e.category, Source: e.source, ...(e.bead_id ? { Bead: e.bead_id } : {}) },
    priority: Math.min(3, severityRank(e.severity)), urgent: e.severity === 'critical' || e.severity === 'high',
    ...(e.bead_id ? { beadId: e.bead_id } : {}),
  });
}

/**
 * Raise an escalation: stored, routed to the first address of its severity's route, announced
 * there by mail, recorded as an event.
 */
export function raiseEscalation(town: Town, input: RaiseInput): EscalationRow {
  const settings = town.settings().escalation;
  return writeTx(town.db, () => {
    const n = (town.db.prepare("SELECT max(CAST(substr(id, 5) AS INTEGER)) FROM escalations").pluck().get() as number | null) ?? 0;
    const now = nowTime();
    const rig = rigOf(town, { source: input.source, bead_id: input.beadId ?? null }, input.rig);
    const first = routeAddresses(settings.routes[input.severity], rig)[0] ?? 'overseer';
    const row: EscalationRow = {
      id: `esc-${n + 1}`, severity: input.severity, category: input.category, summary: input.summary, detail: input.detail ?? '',
      bead_id: input.beadId ?? null, source: input.source, source_generation: input.sourceGeneration ?? null, level: first, assignee: first,
      state: 'open', reescalations: 0, created_at: now, updated_at: now, escalated_at: now, acked_at: null, acked_by: null, closed_at: null, close_reason: null,
    };
    town.db.prepare(`INSERT INTO escalations (id, severity, category, summary, detail, bead_id, source, source_generation, level, assignee, state,
      reescalations, created_at, updated_at, escalated_at) VALUES (@id, @severity, @category, @summary, @detail, @bead_id, @source,
      @source_generation, @level, @assignee, @state, @reescalations, @created_at, @updated_at, @escalated_at)`).run(row);
    announce(town, row, first, `${input.source} escalated (${input.severity}, ${input.category}).`);
    recordEvent(town, { type: 'escalation.raised', actor: input.source, rig, subject: row.id, payload: { severity: row.severity, category: row.category, assignee: first, summary: row.summary } });
    return row;
  });
}

/**
 * One escalation.
 *
 * @throws GtError NOT_FOUND naming the id and close matches.
 */
export function getEscalation(town: Town, id: string): EscalationRow {
  const row = town.db.prepare('SELECT * FROM escalations WHERE id = ?').get(id) as EscalationRow | undefined;
  if (row) return row;
  const ids = (town.db.prepare('SELECT id FROM escalations').all() as Array<{ id: string }>).map((r) => r.id);
  const near = closeMatches(id, ids);
  throw new GtError('NOT_FOUND', `no escalation "${id}"`, { fix: near.length ? `did you mean ${near.join(', ')}?` : ids.length ? 'list them with gt escalate list' : 'there are no escalations' });
}

/** Escalations, most severe and oldest first; by default only open and acked ones. */
export function listEscalations(town: Town, options: { all?: boolean; assignee?: string } = {}): EscalationRow[] {
  const rows = town.db.prepare(`SELECT * FROM escalations WHERE (? OR state <> 'closed') AND (? IS NULL OR assignee = ?) ORDER BY created_at`)
    .all(options.all ? 1 : 0, options.assignee ?? null, options.assignee ?? null) as EscalationRow[];
  return rows.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.created_at.localeCompare(b.created_at));
}

function update(town: Town, id: string, patch: Partial<EscalationRow>): EscalationRow {
  const keys = Object.keys(patch);
  town.db.prepare(`UPDATE escalations SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`).run({ ...patch, id, now: nowTime() });
  return getEscalation(town, id);
}

/**
 * Acknowledge: it stops moving up the route.
 *
 * @throws GtError NOT_FOUND; INVALID_STATUS when closed.
 */
export function ackEscalation(town: Town, id: string, by: string): EscalationRow {
  return writeTx(town.db, () => {
    const e = getEscalation(town, id);
    if (e.state === 'closed') throw new GtError('INVALID_STATUS', `${id} is closed`, { fix: 'nothing to acknowledge' });
    if (e.state === 'acked') return e;
    const next = update(town, id, { state: 'acked', acked_at: nowTime(), acked_by: by });
    recordEvent(town, { type: 'escalation.acked', actor: by, subject: id });
    return next;
  });
}

/** Close with a reason. @throws GtError NOT_FOUND. */
export function closeEscalation(town: Town, id: string, by: string, reason: string): EscalationRow {
  return writeTx(town.db, () => {
    const e = getEscalation(town, id);
    if (e.state === 'closed') return e;
    const next = update(town, id, { state: 'closed', closed_at: nowTime(), close_reason: reason || 'closed' });
    recordEvent(town, { type: 'escalation.closed', actor: by, subject: id, payload: { reason } });
    return next;
  });
}

/** Hand to another address (announced there). @throws GtError NOT_FOUND, INVALID_STATUS when closed. */
export function reassignEscalation(town: Town, id: string, to: string, by: string): EscalationRow {
  return writeTx(town.db, () => {
    const e = getEscalation(town, id);
    if (e.state === 'closed') throw new GtError('INVALID_STATUS', `${id} is closed`, { fix: 'reopen work with a new escalation' });
    const next = update(town, id, { assignee: to, level: to, escalated_at: nowTime(), state: 'open' });
    announce(town, next, to, `${by} reassigned this escalation to you.`);
    recordEvent(town, { type: 'escalation.reassigned', actor: by, subject: id, payload: { to } });
    return next;
  });
}

/**
 * Move every open (unacknowledged) escalation that waited longer than its severity's time at
 * its level (`escalation.reescalate_ms[severity]`) to the next address of its route; announce it
 * there. The last address of a route keeps it.
 *
 * @param now the time to judge by, in ms since the epoch (default the clock).
 * @returns the moved escalations, as they are now.
 */
export function reescalateDue(town: Town, now = Date.now()): EscalationRow[] {
  const settings = town.settings().escalation;
  const moved: EscalationRow[] = [];
  for (const e of town.db.prepare("SELECT * FROM escalations WHERE state = 'open'").all() as EscalationRow[]) {
    if (now - timeMs(e.escalated_at) < settings.reescalate_ms[e.severity]) continue;
    const to = nextAddress(settings.routes[e.severity], rigOf(town, e), e.assignee);
    if (!to || to === e.assignee) continue;
    writeTx(town.db, () => {
      // its time at the new level starts at `now`, the clock this call judges by
      const next = update(town, e.id, { assignee: to, level: to, escalated_at: nowTime(() => now), reescalations: e.reescalations + 1 });
      announce(town, next, to, `Not acknowledged by ${e.assignee} in time: escalated to you.`);
      recordEvent(town, { type: 'escalation.reescalated', actor: 'deacon', subject: e.id, payload: { from: e.assignee, to } });
      moved.push(next);
    });
  }
  return moved;
}
