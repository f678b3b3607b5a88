/**
 * Mail (issue #5; Gas Town §3.5): typed messages between agents and the overseer, stored once in
 * `messages` with one `mail_deliveries` row per recipient (read and archived state per reader).
 *
 * Sending is one write transaction: the message, its deliveries, and for each recipient that is
 * a (non-nuked) agent without do-not-disturb exactly one announcement nudge in `nudges`, which
 * the daemon types into the agent's live session at its next idle (an urgent one at once). A
 * nudge is bound to the agent's current session generation, so a later session, which reads its
 * mail through `gt mail check --inject` at start, is not told twice; reading a message withdraws
 * its still-queued announcement.
 */
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import {
  OVERSEER, checkBodySize, checkMailPriority, normalizeMailAddress, parseMailKind, resolveRecipients, type Recipient,
} from '../../core/mail/addresses.js';
import { parseAgentAddress } from '../../core/work/names.js';
import { recordEvent } from '../events.js';
import { readTx, writeTx, type Db } from '../sqlite/db.js';
import type { Town } from '../town/town.js';
import { getAgent } from '../work/agents.js';
import {
  DELIVERY_COLS, MESSAGE_COLS, MESSAGE_NUM, announcementText, deliveriesOf, getDelivery, isDnd, knownAddresses,
  markDeliveries, nextMessageId, requireMessage, toEntry, toMessage, writeDnd,
  type AnnounceState, type InboxEntry, type MailDelivery, type MailFields, type MailMessage, type SentMail,
} from './mail-rows.js';

export type { AnnounceState, InboxEntry, MailDelivery, MailFields, MailMessage, SentMail } from './mail-rows.js';
export { isDnd, knownAddresses, announcementText } from './mail-rows.js';

/** A message to send ({@link sendMail}). */
export interface SendMailInput {
  /** The sender's address (any name is accepted; agent addresses are normalized). */
  from: string;
  /** Recipients: addresses and groups (`app/polecats/nux`, `mayor/`, `@polecats/app`, …). */
  to: readonly string[];
  /** Copy recipients, same forms; an address also in `to` gets one `to` delivery. */
  cc?: readonly string[];
  /** One line; control characters and newlines become spaces. At most 1,000 characters. */
  subject: string;
  /** Free text, at most 65,536 UTF-8 bytes (MAX_BODY_BYTES). */
  body: string;
  /** One of MAIL_KINDS, case-insensitive (default `plain`). */
  kind?: string;
  /** Structured protocol fields. */
  fields?: MailFields;
  /** 0..4 (default 2, normal). */
  priority?: number;
  /** Announce at once instead of at the recipient's next idle. */
  urgent?: boolean;
  /** The message this answers: the new one joins its thread. */
  replyTo?: string;
  /** The bead it is about. */
  beadId?: string;
  /** Accept well-formed addresses the town does not know (system protocol messages, replies). */
  allowUnknown?: boolean;
}

const MAX_SUBJECT_CHARS = 1_000;

/** One line of text: C0/C1 control characters (newlines included) become spaces, runs collapse. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The canonical form of a reader's or sender's address (agent forms normalized, else as given). */
function addressOf(text: string): string {
  const t = oneLine(text);
  return normalizeMailAddress(t) ?? t;
}

/**
 * Send a message: validate it, resolve its recipients, store it with one delivery per recipient
 * and queue announcement nudges, all in one write transaction (joins a caller's transaction).
 * The sender gets no copy through a group; a message addressed to oneself by name is kept (a
 * HANDOFF note to one's next session) but not announced.
 *
 * @returns the stored message and its deliveries.
 * @throws GtError NOT_FOUND for an unknown address (with close matches) or reply target;
 *   INVALID_VALUE for an unknown kind (listing the kinds), a body over 64 KB (naming the size and
 *   65536), an empty or overlong subject, or no recipient left; INVALID_PRIORITY outside 0..4.
 */
export function sendMail(town: Town, input: SendMailInput): SentMail {
  const kind = parseMailKind(input.kind ?? 'plain');
  const priority = checkMailPriority(input.priority ?? 2);
  checkBodySize(input.body);
  const subject = oneLine(input.subject);
  if (!subject) throw new GtError('INVALID_VALUE', 'a message needs a subject', { fix: 'gt mail send <to> -s "subject" -m "body"' });
  if (subject.length > MAX_SUBJECT_CHARS) {
    throw new GtError('INVALID_VALUE', `the subject is ${subject.length} characters; the limit is ${MAX_SUBJECT_CHARS}`, { fix: 'keep the subject to one line and put the rest in the body' });
  }
  const from = addressOf(input.from);
  if (!from) throw new GtError('INVALID_VALUE', 'a message needs a sender', { fix: 'pass --from <address> or set BD_ACTOR' });
  const db = town.db;
  return writeTx(db, () => {
    const thread = input.replyTo ? requireMessage(db, input.replyTo).thread_id : undefined;
    const known = knownAddresses(db);
    const options = { exclude: from, allowUnknown: input.allowUnknown ?? false };
    const to = resolveRecipients(input.to, known, options);
    const cc = resolveRecipients(input.cc ?? [], known, options).filter((r) => !to.some((t) => t.address === r.address));
    if (!to.length && !cc.length) {
      throw new GtError('INVALID_VALUE', `the message has no recipients: ${[...input.to, ...(input.cc ?? [])].join(', ') || '(none given)'} resolve to nobody but the sender`, {
        fix: 'name at least one other address, or a group with members',
      });
    }
    const id = nextMessageId(db);
    const now = nowTime();
    db.prepare(`INSERT INTO messages (id, thread_id, reply_to, sender, subject, body, kind, fields, priority, urgent, bead_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, thread ?? id, input.replyTo?.trim() ?? null, from, subject, input.body, kind, JSON.stringify(input.fields ?? {}), priority, input.urgent ? 1 : 0, input.beadId ?? null, now);
    const message = requireMessage(db, id);
    const insert = db.prepare('INSERT INTO mail_deliveries (message_id, address, role, via, announce) VALUES (?, ?, ?, ?, ?)');
    const nudge = db.prepare('INSERT INTO nudges (agent, generation, text, urgent, created_at) VALUES (?, ?, ?, ?, ?)');
    const deliver = (r: Recipient, role: 'to' | 'cc') => {
      const agent = r.address === from ? undefined : getAgent(db, r.address);
      const announce: AnnounceState = agent && agent.state !== 'nuked' && !isDnd(db, r.address) ? 'queued' : 'skipped';
      if (announce === 'queued') nudge.run(r.address, agent!.generation > 0 ? agent!.generation : null, announcementText(message), input.urgent ? 1 : 0, now);
      insert.run(id, r.address, role, r.via ?? null, announce);
    };
    for (const r of to) deliver(r, 'to');
    for (const r of cc) deliver(r, 'cc');
    recordEvent(town, { type: 'mail.sent', actor: from, rig: parseAgentAddress(from)?.rig ?? '', subject: id, payload: { to: to.map((r) => r.address), cc: cc.map((r) => r.address), kind, subject } });
    return { message, deliveries: deliveriesOf(db, id) };
  });
}

/**
 * The one mailbox an inbox, DND switch or check acts on: a known address, or one that already
 * holds mail.
 *
 * @throws GtError USAGE for a group; NOT_FOUND for an unknown address (with close matches).
 */
export function mailboxAddress(db: Db, text: string): string {
  const t = oneLine(text);
  if (t.startsWith('@')) throw new GtError('USAGE', `${t} is a group; a mailbox is one address`, { fix: 'name one address: overseer, mayor/, <rig>/polecats/<name>, …' });
  try {
    return resolveRecipients(t, knownAddresses(db))[0]!.address;
  } catch (e) {
    const n = normalizeMailAddress(t);
    if (n && db.prepare('SELECT 1 FROM mail_deliveries WHERE address = ? LIMIT 1').get(n)) return n;
    throw e;
  }
}

/** Options of {@link inbox}. */
export interface InboxOptions {
  /** Only unread messages. */
  unread?: boolean;
  /** Include archived messages too (default: only unarchived). */
  archived?: boolean;
  /** At most this many, newest first (default all). */
  limit?: number;
}

/**
 * An address's inbox, newest first: every message delivered to it (as `to` or `cc`).
 *
 * @throws GtError NOT_FOUND for an unknown address; USAGE for a group.
 */
export function inbox(town: Town, address: string, options: InboxOptions = {}): InboxEntry[] {
  const db = town.db;
  return readTx(db, () => {
    const who = mailboxAddress(db, address);
    const where = ['d.address = ?', ...(options.archived ? [] : ['d.archived_at IS NULL']), ...(options.unread ? ['d.read_at IS NULL'] : [])];
    const limit = options.limit && options.limit > 0 ? ` LIMIT ${Math.trunc(options.limit)}` : '';
    return (db.prepare(`SELECT ${MESSAGE_COLS}, ${DELIVERY_COLS} FROM mail_deliveries d JOIN messages m ON m.id = d.message_id
      WHERE ${where.join(' AND ')} ORDER BY ${MESSAGE_NUM} DESC${limit}`).all(who) as Array<Record<string, unknown>>).map(toEntry);
  });
}

/** How many unread, unarchived messages an address has. */
export function unreadCount(town: Town, address: string): number {
  const row = town.db.prepare('SELECT COUNT(*) AS n FROM mail_deliveries WHERE address = ? AND read_at IS NULL AND archived_at IS NULL').get(addressOf(address)) as { n: number };
  return row.n;
}

/** A message as one reader sees it ({@link readMessage}). */
export interface MailView extends SentMail {
  /** The reader's own delivery after reading, or undefined when the reader is not a recipient. */
  delivery: MailDelivery | undefined;
}

/** The rule of who may see a message: its recipients, its sender, and the overseer (any). */
function requireAccess(db: Db, m: MailMessage, reader: string): MailDelivery | undefined {
  const d = getDelivery(db, m.id, reader);
  if (d || reader === OVERSEER || reader === m.from) return d;
  throw new GtError('NOT_FOUND', `message ${m.id} was not delivered to ${reader}`, {
    fix: `read your own mail (gt mail inbox ${reader}), or read it as one of its recipients`,
    details: { id: m.id, address: reader },
  });
}

/**
 * Read a message as `address`: marks it read for that address (and withdraws a still-queued
 * announcement). Its sender may read it; the overseer may read any message.
 *
 * @throws GtError NOT_FOUND for an unknown id, or a message not delivered to `address`.
 */
export function readMessage(town: Town, id: string, address: string): MailView {
  const db = town.db;
  return writeTx(db, () => {
    const reader = addressOf(address);
    const m = requireMessage(db, id);
    if (requireAccess(db, m, reader)) markDeliveries(db, [m], reader);
    return { message: m, deliveries: deliveriesOf(db, m.id), delivery: getDelivery(db, m.id, reader) };
  });
}

/** Options of {@link reply}. */
export interface ReplyOptions {
  /** Reply to every recipient too (to → to, cc → cc), not only the sender. */
  all?: boolean;
  /** Announce at once. */
  urgent?: boolean;
  /** 0..4 (default: the original's priority). */
  priority?: number;
}

/**
 * Reply to a message: subject `Re: <subject>`, same thread, `reply_to` the original, to its
 * sender (replying to one's own message goes to its recipients); with `all`, also to the other
 * recipients. The original is marked read for the replier.
 *
 * @throws GtError NOT_FOUND for an unknown id or a message not delivered to `from`; as {@link sendMail}.
 */
export function reply(town: Town, id: string, from: string, body: string, options: ReplyOptions = {}): SentMail {
  const db = town.db;
  return writeTx(db, () => {
    const me = addressOf(from);
    const m = requireMessage(db, id);
    if (requireAccess(db, m, me)) markDeliveries(db, [m], me);
    const all = deliveriesOf(db, m.id);
    const others = (role: 'to' | 'cc') => all.filter((d) => d.role === role && d.address !== me).map((d) => d.address);
    let to = m.from !== me ? [m.from] : others('to');
    if (options.all) to = [...new Set([...to, ...others('to')])];
    if (!to.length) to = [m.from];
    const cc = options.all ? others('cc').filter((a) => !to.includes(a)) : [];
    return sendMail(town, {
      from: me, to, cc, subject: /^re:/i.test(m.subject) ? m.subject : `Re: ${m.subject}`, body, kind: 'plain',
      priority: options.priority ?? m.priority, urgent: options.urgent ?? false, replyTo: m.id, allowUnknown: true,
      ...(m.bead_id ? { beadId: m.bead_id } : {}),
    });
  });
}

/**
 * Every message of the thread `id` belongs to, oldest first, with their deliveries.
 *
 * @throws GtError NOT_FOUND for an unknown id.
 */
export function thread(town: Town, id: string): SentMail[] {
  const db = town.db;
  return readTx(db, () => {
    const m = requireMessage(db, id);
    return (db.prepare(`SELECT ${MESSAGE_COLS} FROM messages m WHERE m.thread_id = ? ORDER BY ${MESSAGE_NUM}`).all(m.thread_id) as Parameters<typeof toMessage>[0][])
      .map(toMessage).map((message) => ({ message, deliveries: deliveriesOf(db, message.id) }));
  });
}

/** Mark `ids` read (or archived) for `address`, every id checked before any is changed. */
function markAll(town: Town, ids: string | readonly string[], address: string, archive: boolean): MailDelivery[] {
  const db = town.db;
  const list = typeof ids === 'string' ? [ids] : ids;
  return writeTx(db, () => {
    const who = addressOf(address);
    const messages = list.map((id) => requireMessage(db, id));
    for (const m of messages) {
      if (!getDelivery(db, m.id, who)) {
        throw new GtError('NOT_FOUND', `message ${m.id} was not delivered to ${who}`, { fix: `list ${who}'s mail with gt mail inbox ${who}`, details: { id: m.id, address: who } });
      }
    }
    markDeliveries(db, messages, who, { archive });
    return messages.map((m) => getDelivery(db, m.id, who)!);
  });
}

/**
 * Archive messages for `address` (they leave its inbox; archiving also marks them read).
 *
 * @returns the updated deliveries.
 * @throws GtError NOT_FOUND for an unknown id or one not delivered to `address` (nothing changes).
 */
export function archive(town: Town, ids: string | readonly string[], address: string): MailDelivery[] {
  return markAll(town, ids, address, true);
}

/**
 * Mark messages read for `address` without archiving them.
 *
 * @returns the updated deliveries.
 * @throws GtError NOT_FOUND for an unknown id or one not delivered to `address` (nothing changes).
 */
export function markRead(town: Town, ids: string | readonly string[], address: string): MailDelivery[] {
  return markAll(town, ids, address, false);
}

/** Options of {@link search}. */
export interface SearchOptions {
  /** Only messages this address sent or received. */
  address?: string;
  /** At most this many, newest first (default 50). */
  limit?: number;
}

/** Messages whose subject or body contains `text` (case-insensitive for ASCII), newest first. */
export function search(town: Town, text: string, options: SearchOptions = {}): MailMessage[] {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const who = options.address === undefined ? undefined : addressOf(options.address);
  const mine = who === undefined ? '' : ' AND (m.sender = @who OR EXISTS (SELECT 1 FROM mail_deliveries d WHERE d.message_id = m.id AND d.address = @who))';
  const rows = town.db.prepare(`SELECT ${MESSAGE_COLS} FROM messages m WHERE (m.subject LIKE @p ESCAPE '\\' OR m.body LIKE @p ESCAPE '\\')${mine}
    ORDER BY ${MESSAGE_NUM} DESC LIMIT @limit`).all({ p: pattern, limit: options.limit ?? 50, ...(who === undefined ? {} : { who }) });
  return (rows as Parameters<typeof toMessage>[0][]).map(toMessage);
}

/**
 * Unread, unarchived mail of one address (as stored: no resolution, so an address without an
 * agent row simply has none), urgent first, then by priority, then oldest; at most `limit`.
 * What `gt mail check --inject` and `gt prime` list.
 */
export function unreadEntries(db: Db, address: string, limit?: number): InboxEntry[] {
  const cap = limit && limit > 0 ? ` LIMIT ${Math.trunc(limit)}` : '';
  return (db.prepare(`SELECT ${MESSAGE_COLS}, ${DELIVERY_COLS} FROM mail_deliveries d JOIN messages m ON m.id = d.message_id
    WHERE d.address = ? AND d.read_at IS NULL AND d.archived_at IS NULL ORDER BY m.urgent DESC, m.priority, ${MESSAGE_NUM}${cap}`).all(address) as Array<Record<string, unknown>>).map(toEntry);
}

/**
 * What an agent's hook prints (`gt mail check --inject`, Gas Town §3.5 "Injection"): a
 * `<system-reminder>` block listing the address's unread mail (id, sender, kind, subject; urgent
 * and high priority first), after which those messages count as read; '' when there is none.
 */
export function checkInject(town: Town, address: string): string {
  const db = town.db;
  return writeTx(db, () => {
    const who = addressOf(address);
    const entries = unreadEntries(db, who);
    if (!entries.length) return '';
    markDeliveries(db, entries.map((e) => e.message), who);
    const tag = /<\/?system-reminder>/gi;
    const lines = entries.map(({ message: m }) =>
      `- ${m.id} [P${m.priority}${m.urgent ? ' URGENT' : ''}] ${m.kind} from ${m.from}: ${m.subject.replace(tag, '')}`);
    const n = entries.length;
    return [
      '<system-reminder>',
      `You have ${n} new message${n === 1 ? '' : 's'} (${who}). Read one with \`gt mail read <id>\`; answer with \`gt mail reply <id> -m "…"\`.`,
      ...lines,
      '</system-reminder>',
      '',
    ].join('\n');
  });
}

/**
 * Turn do-not-disturb on or off for an address: while on, mail to it is delivered but not
 * announced by a nudge (Gas Town `gt dnd`).
 *
 * @throws GtError NOT_FOUND for an unknown address; USAGE for a group.
 */
export function setDnd(town: Town, address: string, on: boolean): { address: string; dnd: boolean } {
  const who = mailboxAddress(town.db, address);
  writeDnd(town.db, who, on);
  return { address: who, dnd: on };
}
