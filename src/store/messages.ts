/**
 * Protocol messages between agents (FIX_NEEDED, REWORK_REQUEST, MERGED, pre-existing failures),
 * stored as beads of type `message` the way Gas Town stores mail (gastown-features.md §3.5):
 * title = `<KIND> <subject>`, description = the body as `key: value` lines, assignee = the
 * recipient address, labels `gt:message`, `msg-type:<KIND>`, `from:<sender>`. Open = unread.
 * The mail issue gives these a typed inbox; the records stay beads so nothing is lost meanwhile.
 */
import type { Issue } from '../core/ledger/types.js';
import { Ledger } from './sqlite/ledger.js';
import type { Town } from './town/town.js';

/** A message to send. */
export interface MessageInput {
  /** Recipient address (`app/polecats/nux`, `overseer`, `mayor`). */
  to: string;
  /** Sender address (`app/refinery`). */
  from: string;
  /** Protocol kind (`FIX_NEEDED`, `REWORK_REQUEST`, …). */
  kind: string;
  /** One line. */
  subject: string;
  /** Structured fields, written as `key: value` lines. */
  fields?: Record<string, string | number>;
  /** Free text after the fields (a gate's output tail). */
  text?: string;
  /** 0..4; default 1 for failures. */
  priority?: number;
  /** The bead it is about (a `related` dependency). */
  about?: string;
}

/** The body of a message: `key: value` lines, a blank line, then the text. */
export function messageBody(input: Pick<MessageInput, 'fields' | 'text'>): string {
  const lines = Object.entries(input.fields ?? {}).map(([k, v]) => `${k}: ${String(v).replace(/\n/g, ' ')}`);
  return [...lines, ...(input.text ? ['', input.text] : [])].join('\n');
}

/** Send a message (one transaction through the ledger). Returns the message bead. */
export function sendMessage(town: Town, input: MessageInput): Issue {
  const ledger = new Ledger(town.db, { actor: input.from, prefix: town.json.prefix });
  return ledger.create({
    title: `${input.kind} ${input.subject}`.slice(0, 500),
    description: messageBody(input),
    issue_type: 'message',
    priority: input.priority ?? 1,
    assignee: input.to,
    labels: ['gt:message', `msg-type:${input.kind}`, `from:${input.from}`],
    ...(input.about ? { deps: [{ type: 'related', id: input.about }] } : {}),
  });
}
