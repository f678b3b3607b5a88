/**
 * Protocol messages between agents (FIX_NEEDED, REWORK_REQUEST, MERGED, pre-existing failures,
 * …), sent as typed mail (store/mail/mail.ts): kind = the protocol kind, the structured fields
 * kept as JSON and also written into the body as `key: value` lines (Gas Town's protocol body
 * format, gastown-features.md §3.5), so an agent reading the mail sees them.
 */
import { sendMail, type SentMail } from './mail/mail.js';
import type { Town } from './town/town.js';

/** A message to send. */
export interface MessageInput {
  /** Recipient address (`app/polecats/nux`, `overseer`, `mayor`). */
  to: string;
  /** Sender address (`app/refinery`). */
  from: string;
  /** Protocol kind (`FIX_NEEDED`, `REWORK_REQUEST`, …): one of MAIL_KINDS. */
  kind: string;
  /** One line. */
  subject: string;
  /** Structured fields, written as `key: value` lines. */
  fields?: Record<string, string | number>;
  /** Free text after the fields (a gate's output tail). */
  text?: string;
  /** 0..4; default 1 for failures. */
  priority?: number;
  /** The bead it is about. */
  about?: string;
}

/** The body of a message: `key: value` lines, a blank line, then the text. */
export function messageBody(input: Pick<MessageInput, 'fields' | 'text'>): string {
  const lines = Object.entries(input.fields ?? {}).map(([k, v]) => `${k}: ${String(v).replace(/\n/g, ' ')}`);
  return [...lines, ...(input.text ? ['', input.text] : [])].join('\n');
}

/**
 * Send a protocol message (one transaction; joins the caller's). The recipient must be a
 * well-formed address but need not be known to the town (a polecat's row may be gone by the
 * time the refinery answers it).
 *
 * @returns the stored mail and its delivery.
 * @throws GtError INVALID_VALUE for an unknown kind or a body over 64 KB; NOT_FOUND for a
 *   malformed address.
 */
export function sendMessage(town: Town, input: MessageInput): SentMail {
  return sendMail(town, {
    from: input.from, to: [input.to], kind: input.kind, subject: input.subject, body: messageBody(input),
    fields: input.fields ?? {}, priority: input.priority ?? 1, allowUnknown: true,
    ...(input.about ? { beadId: input.about } : {}),
  });
}
