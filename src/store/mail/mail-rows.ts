/**
 * Rows of the mail tables (schema v4, migrations.ts: `messages`, `mail_deliveries`,
 * `agent_prefs`) and the small queries {@link ./mail.ts} builds on: message records, deliveries,
 * what addresses exist, do-not-disturb, and the announcement nudges queued in `nudges`.
 */
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import type { KnownAddresses, MailKind } from '../../core/mail/addresses.js';
import { readTx, writeTx, type Db } from '../sqlite/db.js';
import { listAgents } from '../work/agents.js';

/** Structured protocol fields of a message (`MR-ID`, `Branch`, `Attempt-Number`, …). */
export type MailFields = Record<string, string | number | boolean>;

/** One message, as stored once for all its recipients. */
export interface MailMessage {
  /** `msg-<n>`, n increasing from 1 in the town. */
  id: string;
  /** The id of the first message of its thread (its own id when it starts one). */
  thread_id: string;
  /** The message it answers, or null. */
  reply_to: string | null;
  /** The sender's address (`app/refinery`, `overseer`, …). */
  from: string;
  /** One line. */
  subject: string;
  /** Free text, at most 64 KB (UTF-8). */
  body: string;
  /** Its protocol kind, `plain` for free text. */
  kind: MailKind;
  /** The protocol's structured fields (`{}` for plain mail). */
  fields: MailFields;
  /** 0 urgent, 1 high, 2 normal, 3 low, 4 backlog. */
  priority: number;
  /** Announced at once rather than at the recipient's next idle. */
  urgent: boolean;
  /** The bead it is about, or null. */
  bead_id: string | null;
  /** RFC 3339 time it was sent. */
  created_at: string;
}

/** What happened to the announcement nudge of one delivery. */
export type AnnounceState = 'pending' | 'queued' | 'done' | 'skipped';

/** One recipient's copy of a message: its read and archived state. */
export interface MailDelivery {
  message_id: string;
  /** The recipient's address. */
  address: string;
  /** `to` or `cc`. */
  role: 'to' | 'cc';
  /** The group it came through (`@town`, `@rig/app`, …), or null when named directly. */
  via: string | null;
  /** When the recipient read it, or null while unread. */
  read_at: string | null;
  /** When the recipient archived it, or null. */
  archived_at: string | null;
  /**
   * `queued`: an announcement nudge waits in `nudges`; `done`: the mail was read (the nudge, if
   * still queued, was withdrawn); `skipped`: no nudge (the overseer, a non-agent, DND, a nuked
   * agent, or the sender itself).
   */
  announce: AnnounceState;
}

/** A message with every delivery. */
export interface SentMail {
  message: MailMessage;
  deliveries: MailDelivery[];
}

/** One line of an inbox: the message and the reader's own delivery. */
export interface InboxEntry {
  message: MailMessage;
  delivery: MailDelivery;
}

interface MessageRow {
  id: string; thread_id: string; reply_to: string | null; sender: string; subject: string; body: string;
  kind: string; fields: string; priority: number; urgent: number; bead_id: string | null; created_at: string;
}

/** Columns of `messages`, prefixed by alias `m`. */
export const MESSAGE_COLS = 'm.id, m.thread_id, m.reply_to, m.sender, m.subject, m.body, m.kind, m.fields, m.priority, m.urgent, m.bead_id, m.created_at';
/** Columns of `mail_deliveries`, prefixed by alias `d` and renamed to avoid clashes. */
export const DELIVERY_COLS = 'd.message_id AS d_message_id, d.address AS d_address, d.role AS d_role, d.via AS d_via, d.read_at AS d_read_at, d.archived_at AS d_archived_at, d.announce AS d_announce';
/** SQL ordering messages by their number (`msg-9` before `msg-10`). */
export const MESSAGE_NUM = 'CAST(substr(m.id, 5) AS INTEGER)';

/** A `messages` row as a {@link MailMessage}. */
export function toMessage(r: MessageRow): MailMessage {
  return {
    id: r.id, thread_id: r.thread_id, reply_to: r.reply_to, from: r.sender, subject: r.subject, body: r.body,
    kind: r.kind as MailKind, fields: JSON.parse(r.fields) as MailFields, priority: r.priority, urgent: r.urgent === 1,
    bead_id: r.bead_id, created_at: r.created_at,
  };
}

/** The delivery part of a row selected with {@link DELIVERY_COLS}. */
export function toDelivery(r: Record<string, unknown>): MailDelivery {
  return {
    message_id: r.d_message_id as string, address: r.d_address as string, role: r.d_role as 'to' | 'cc', via: r.d_via as string | null,
    read_at: r.d_read_at as string | null, archived_at: r.d_archived_at as string | null, announce: r.d_announce as AnnounceState,
  };
}

/** A message joined with one delivery, as an {@link InboxEntry}. */
export function toEntry(r: Record<string, unknown>): InboxEntry {
  return { message: toMessage(r as unknown as MessageRow), delivery: toDelivery(r) };
}

/** One message, or undefined. */
export function getMessage(db: Db, id: string): MailMessage | undefined {
  const row = db.prepare(`SELECT ${MESSAGE_COLS} FROM messages m WHERE m.id = ?`).get(id) as MessageRow | undefined;
  return row && toMessage(row);
}

/**
 * One message.
 *
 * @throws GtError NOT_FOUND naming the id.
 */
export function requireMessage(db: Db, id: string): MailMessage {
  const m = getMessage(db, id.trim());
  if (m) return m;
  throw new GtError('NOT_FOUND', `no message "${id}"`, { fix: 'message ids look like msg-12; list them with `gt mail inbox`', details: { id } });
}

/** Every delivery of a message: `to` before `cc`, each by address. */
export function deliveriesOf(db: Db, id: string): MailDelivery[] {
  return (db.prepare(`SELECT ${DELIVERY_COLS} FROM mail_deliveries d WHERE d.message_id = ? ORDER BY d.role DESC, d.address`).all(id) as Array<Record<string, unknown>>)
    .map(toDelivery);
}

/** The delivery of message `id` to `address`, or undefined. */
export function getDelivery(db: Db, id: string, address: string): MailDelivery | undefined {
  const row = db.prepare(`SELECT ${DELIVERY_COLS} FROM mail_deliveries d WHERE d.message_id = ? AND d.address = ?`).get(id, address) as Record<string, unknown> | undefined;
  return row && toDelivery(row);
}

/** The next free message id: `msg-<max + 1>`. Call inside the sending write transaction. */
export function nextMessageId(db: Db): string {
  const row = db.prepare('SELECT MAX(CAST(substr(id, 5) AS INTEGER)) AS n FROM messages').get() as { n: number | null };
  return `msg-${(row.n ?? 0) + 1}`;
}

/**
 * What exists in the town for address resolution: live agents and crew members (members of
 * groups), nuked agents (addressable only) and rigs.
 */
export function knownAddresses(db: Db): KnownAddresses {
  return readTx(db, () => {
    const agents = listAgents(db, { includeNuked: true });
    const crew = (db.prepare('SELECT rig, name FROM crew ORDER BY rig, name').all() as Array<{ rig: string; name: string }>).map((c) => `${c.rig}/crew/${c.name}`);
    const rigs = (db.prepare('SELECT name FROM rigs ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
    const live = agents.filter((a) => a.state !== 'nuked').map((a) => a.address);
    return {
      agents: [...new Set([...live, ...crew])],
      rigs,
      retired: agents.filter((a) => a.state === 'nuked').map((a) => a.address),
    };
  });
}

/** True when `address` has do-not-disturb on (`agent_prefs.dnd`). */
export function isDnd(db: Db, address: string): boolean {
  const row = db.prepare('SELECT dnd FROM agent_prefs WHERE address = ?').get(address) as { dnd: number } | undefined;
  return row?.dnd === 1;
}

/** Turn do-not-disturb on or off for an address (no announcement nudges while on). */
export function writeDnd(db: Db, address: string, on: boolean): void {
  writeTx(db, () => db.prepare(`INSERT INTO agent_prefs (address, dnd, updated_at) VALUES (?, ?, ?)
    ON CONFLICT(address) DO UPDATE SET dnd = excluded.dnd, updated_at = excluded.updated_at`).run(address, on ? 1 : 0, nowTime()));
}

/**
 * The one-line announcement typed into a recipient's session (Gas Town §3.5 "Notification on
 * send"). Also the key by which a still-queued announcement is withdrawn once the mail is read.
 */
export function announcementText(m: Pick<MailMessage, 'id' | 'from' | 'subject'>): string {
  return `You have new mail from ${m.from}: ${m.subject}. Run gt mail read ${m.id}`;
}

/**
 * Mark deliveries read (and archived when asked) for `address`, and withdraw their still-queued
 * announcement nudges: a mail already read needs no announcement. Call inside a write transaction.
 */
export function markDeliveries(db: Db, messages: readonly MailMessage[], address: string, options: { archive?: boolean } = {}): void {
  const now = nowTime();
  const read = db.prepare("UPDATE mail_deliveries SET read_at = COALESCE(read_at, ?), announce = CASE announce WHEN 'queued' THEN 'done' ELSE announce END WHERE message_id = ? AND address = ?");
  const archive = db.prepare('UPDATE mail_deliveries SET archived_at = COALESCE(archived_at, ?) WHERE message_id = ? AND address = ?');
  const withdraw = db.prepare("UPDATE nudges SET state = 'stale', error = 'the mail was read before its announcement' WHERE agent = ? AND state = 'queued' AND text = ?");
  for (const m of messages) {
    read.run(now, m.id, address);
    if (options.archive) archive.run(now, m.id, address);
    withdraw.run(address, announcementText(m));
  }
}
