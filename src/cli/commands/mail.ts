/**
 * `gt mail …`: typed mail between agents and the overseer (issue #5, Gas Town §3.5).
 *
 * `send`, `inbox`, `read`, `reply`, `thread`, `archive`, `mark-read`, `search`, `check` (what
 * Claude Code's SessionStart/UserPromptSubmit hooks call with `--inject`) and `dnd`. Who "I" am
 * is `BD_ACTOR` (set in every agent session), else `overseer`. Message text is printed through
 * `inert()`, so a subject or body cannot drive the terminal.
 */
import type { Command } from 'commander';
import { MAIL_KINDS } from '../../core/mail/addresses.js';
import {
  archive, checkInject, inbox, isDnd, mailboxAddress, markRead, readMessage, reply, search, sendMail, setDnd, thread, unreadCount,
  type InboxEntry, type MailDelivery, type MailFields, type MailMessage, type SentMail,
} from '../../store/mail/mail.js';
import { withTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, intOption, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `msg-3  P1 FIX_NEEDED  app/refinery  subject` with a read mark (● unread, ○ read). */
function entryLine({ message: m, delivery: d }: InboxEntry): string {
  const mark = d.read_at ? '○' : '●';
  const flags = [m.urgent ? 'URGENT' : '', d.archived_at ? 'archived' : '', d.role === 'cc' ? 'cc' : '', d.via ? `via ${d.via}` : ''].filter(Boolean);
  return `${mark} ${m.id.padEnd(8)} P${m.priority} ${m.kind.padEnd(14)} ${inert(m.from).padEnd(22)} ${inert(m.subject)}${flags.length ? `  (${flags.join(', ')})` : ''}`;
}

/** The full text of a message: headers, fields not already in the body, then the body. */
function messageLines(m: MailMessage, deliveries: readonly MailDelivery[]): string[] {
  const who = (role: 'to' | 'cc') => deliveries.filter((d) => d.role === role).map((d) => inert(d.address) + (d.via ? ` (via ${inert(d.via)})` : '')).join(', ');
  const lines = [
    `${m.id} ${m.kind} [P${m.priority}]${m.urgent ? ' URGENT' : ''}`,
    `From: ${inert(m.from)}`,
    `To: ${who('to') || '(nobody)'}`,
  ];
  if (deliveries.some((d) => d.role === 'cc')) lines.push(`Cc: ${who('cc')}`);
  lines.push(`Date: ${m.created_at}`, `Subject: ${inert(m.subject)}`);
  if (m.thread_id !== m.id || m.reply_to) lines.push(`Thread: ${m.thread_id}${m.reply_to ? ` (reply to ${m.reply_to})` : ''}`);
  if (m.bead_id) lines.push(`Bead: ${inert(m.bead_id)}`);
  const fieldLines = Object.entries(m.fields).map(([k, v]) => `${k}: ${String(v)}`).filter((l) => !m.body.split('\n').includes(l));
  lines.push('', ...fieldLines.map(inert), ...(m.body ? [inert(m.body)] : []));
  return lines;
}

/** `key=value` → fields; numbers stay numbers. */
function parseFields(pairs: readonly string[]): MailFields {
  const out: MailFields = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw usage(`--field needs key=value, got "${p}"`, 'gt mail send app/witness -s "…" --kind MERGED --field Branch=polecat/nux/app-1');
    const v = p.slice(i + 1);
    out[p.slice(0, i)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

function sentLine(s: SentMail, verb = 'Sent'): string {
  const list = (role: 'to' | 'cc') => s.deliveries.filter((d) => d.role === role).map((d) => inert(d.address)).join(', ');
  const cc = list('cc');
  const queued = s.deliveries.filter((d) => d.announce === 'queued').length;
  return `✓ ${verb} ${s.message.id} to ${list('to') || '(nobody)'}${cc ? `; cc ${cc}` : ''}${queued ? ` (${queued} announcement${queued === 1 ? '' : 's'} queued)` : ''}`;
}

/** Register `gt mail`. */
export function register(program: Command, ctx: CliContext): void {
  const me = (explicit?: string) => explicit ?? (ctx.env.BD_ACTOR?.trim() || 'overseer');
  const mail = program.command('mail').description('typed mail between agents and the overseer: send, inbox, read, reply, thread, archive, search, check');

  mail.command('send <to...>')
    .description('send a message to addresses or groups (overseer, mayor/, <rig>/witness, <rig>/polecats/<name>, @town, @rig/<rig>, @polecats/<rig>)')
    .requiredOption('-s, --subject <subject>', 'one-line subject')
    .option('-m, --message <body>', 'the body (at most 64 KB)', '')
    .option('--cc <address>', 'copy to (repeatable)', collect, [])
    .option('--kind <kind>', `message kind: ${MAIL_KINDS.join(', ')}`, 'plain')
    .option('--field <key=value>', 'a structured protocol field (repeatable)', collect, [])
    .option('--urgent', 'announce at once instead of at the next idle')
    .option('--priority <p>', '0 urgent, 1 high, 2 normal, 3 low, 4 backlog', '2')
    .option('--bead <id>', 'the bead it is about')
    .option('--from <address>', 'sender (default BD_ACTOR, else overseer)')
    .option('--json', 'JSON output: {message, deliveries}')
    .action(action(ctx, 'gt', async (to: string[], o: JsonOption & { subject: string; message: string; cc: string[]; kind: string; field: string[]; urgent?: boolean; priority: string; bead?: string; from?: string }) => {
      const priority = intOption('--priority', o.priority)!;
      const sent = await withTown(ctx.cwd, ctx.env, (town) => sendMail(town, {
        from: me(o.from), to, cc: o.cc, subject: o.subject, body: o.message, kind: o.kind, fields: parseFields(o.field),
        priority, urgent: Boolean(o.urgent), ...(o.bead ? { beadId: o.bead } : {}),
      }));
      if (o.json) printJson(ctx.io, sent);
      else printLines(ctx.io, [sentLine(sent)]);
    }));

  mail.command('inbox [address]')
    .description('list a mailbox, newest first (default: BD_ACTOR, else overseer); ● unread, ○ read')
    .option('--all', 'include archived messages')
    .option('--unread', 'only unread messages')
    .option('--limit <n>', 'at most n messages')
    .option('--json', 'JSON output: [{message, delivery}]')
    .action(action(ctx, 'gt', async (address: string | undefined, o: JsonOption & { all?: boolean; unread?: boolean; limit?: string }) => {
      const who = me(address);
      const limit = intOption('--limit', o.limit, 1);
      const entries = await withTown(ctx.cwd, ctx.env, (town) => inbox(town, who, { archived: Boolean(o.all), unread: Boolean(o.unread), ...(limit ? { limit } : {}) }));
      if (o.json) return printJson(ctx.io, entries);
      if (!entries.length) return printLines(ctx.io, [`No ${o.unread ? 'unread ' : ''}messages for ${inert(who)}.`]);
      const unread = entries.filter((e) => !e.delivery.read_at).length;
      printLines(ctx.io, [`Inbox of ${inert(who)}: ${entries.length} message${entries.length === 1 ? '' : 's'}, ${unread} unread`, ...entries.map(entryLine)]);
    }));

  mail.command('read <id>')
    .description('show a message and mark it read for you')
    .option('--as <address>', 'read as this address (default BD_ACTOR, else overseer)')
    .option('--json', 'JSON output: {message, deliveries, delivery}')
    .action(action(ctx, 'gt', async (id: string, o: JsonOption & { as?: string }) => {
      const view = await withTown(ctx.cwd, ctx.env, (town) => readMessage(town, id, me(o.as)));
      if (o.json) printJson(ctx.io, view);
      else printLines(ctx.io, messageLines(view.message, view.deliveries));
    }));

  mail.command('reply <id>')
    .description('reply to a message (subject "Re: …", same thread) — to its sender, or everyone with --all')
    .requiredOption('-m, --message <body>', 'the body')
    .option('--all', 'reply to every recipient too')
    .option('--urgent', 'announce at once')
    .option('--from <address>', 'sender (default BD_ACTOR, else overseer)')
    .option('--json', 'JSON output: {message, deliveries}')
    .action(action(ctx, 'gt', async (id: string, o: JsonOption & { message: string; all?: boolean; urgent?: boolean; from?: string }) => {
      const sent = await withTown(ctx.cwd, ctx.env, (town) => reply(town, id, me(o.from), o.message, { all: Boolean(o.all), urgent: Boolean(o.urgent) }));
      if (o.json) printJson(ctx.io, sent);
      else printLines(ctx.io, [sentLine(sent, 'Replied')]);
    }));

  mail.command('thread <id>')
    .description('every message of the thread a message belongs to, oldest first')
    .option('--json', 'JSON output: [{message, deliveries}]')
    .action(action(ctx, 'gt', async (id: string, o: JsonOption) => {
      const all = await withTown(ctx.cwd, ctx.env, (town) => thread(town, id));
      if (o.json) return printJson(ctx.io, all);
      printLines(ctx.io, [`Thread ${all[0]!.message.thread_id} (${all.length} message${all.length === 1 ? '' : 's'})`, ...all.flatMap((s) => ['', ...messageLines(s.message, s.deliveries)])]);
    }));

  for (const [name, verb, fn] of [['archive', 'Archived', archive], ['mark-read', 'Marked read', markRead]] as const) {
    mail.command(`${name} <ids...>`)
      .description(name === 'archive' ? 'archive messages (they leave the inbox; also marks them read)' : 'mark messages read without archiving them')
      .option('--as <address>', 'whose mailbox (default BD_ACTOR, else overseer)')
      .option('--json', 'JSON output: the updated deliveries')
      .action(action(ctx, 'gt', async (ids: string[], o: JsonOption & { as?: string }) => {
        const done = await withTown(ctx.cwd, ctx.env, (town) => fn(town, ids, me(o.as)));
        if (o.json) printJson(ctx.io, done);
        else printLines(ctx.io, [`✓ ${verb} ${done.map((d) => d.message_id).join(', ')} for ${inert(done[0]!.address)}`]);
      }));
  }

  mail.command('search <text>')
    .description('messages whose subject or body contains the text, newest first (yours when BD_ACTOR is set)')
    .option('--address <address>', 'only mail this address sent or received')
    .option('--everyone', 'search every mailbox, even with BD_ACTOR set')
    .option('--limit <n>', 'at most n messages (default 50)')
    .option('--json', 'JSON output: [message]')
    .action(action(ctx, 'gt', async (text: string, o: JsonOption & { address?: string; everyone?: boolean; limit?: string }) => {
      const address = o.address ?? (o.everyone ? undefined : ctx.env.BD_ACTOR?.trim() || undefined);
      const limit = intOption('--limit', o.limit, 1);
      const found = await withTown(ctx.cwd, ctx.env, (town) => search(town, text, { ...(address ? { address } : {}), ...(limit ? { limit } : {}) }));
      if (o.json) return printJson(ctx.io, found);
      if (!found.length) return printLines(ctx.io, [`No messages match "${inert(text)}".`]);
      printLines(ctx.io, found.map((m) => `${m.id.padEnd(8)} P${m.priority} ${m.kind.padEnd(14)} ${inert(m.from).padEnd(22)} ${inert(m.subject)}`));
    }));

  mail.command('check')
    .description('count unread mail; with --inject print it as a <system-reminder> block for an agent hook and mark it read')
    .option('--inject', 'print the reminder block (nothing when there is no new mail)')
    .option('--as <address>', 'whose mailbox (default BD_ACTOR, else overseer)')
    .option('--json', 'JSON output: {address, unread} (with --inject: {address, text})')
    .action(action(ctx, 'gt', async (o: JsonOption & { inject?: boolean; as?: string }) => {
      const who = me(o.as);
      await withTown(ctx.cwd, ctx.env, (town) => {
        if (o.inject) {
          const text = checkInject(town, who);
          if (o.json) printJson(ctx.io, { address: who, text });
          else if (text) ctx.io.out(inert(text));
          return;
        }
        const unread = unreadCount(town, who);
        if (o.json) printJson(ctx.io, { address: who, unread });
        else printLines(ctx.io, [unread ? `${unread} unread message${unread === 1 ? '' : 's'} for ${inert(who)} — gt mail inbox` : `No new mail for ${inert(who)}.`]);
      });
    }));

  mail.command('dnd [state]')
    .description('do not disturb: "on" stops announcement nudges of new mail (mail is still delivered), "off" resumes; no state shows it')
    .option('--agent <address>', 'whose (default BD_ACTOR, else overseer)')
    .option('--json', 'JSON output: {address, dnd}')
    .action(action(ctx, 'gt', async (state: string | undefined, o: JsonOption & { agent?: string }) => {
      if (state !== undefined && state !== 'on' && state !== 'off') throw usage(`dnd takes "on" or "off", got "${state}"`, 'gt mail dnd on');
      const r = await withTown(ctx.cwd, ctx.env, (town) => state === undefined
        ? (() => { const address = mailboxAddress(town.db, me(o.agent)); return { address, dnd: isDnd(town.db, address) }; })()
        : setDnd(town, me(o.agent), state === 'on'));
      if (o.json) printJson(ctx.io, r);
      else printLines(ctx.io, [`${state === undefined ? '' : '✓ '}Do not disturb is ${r.dnd ? 'on' : 'off'} for ${inert(r.address)}${r.dnd ? ': new mail is not announced' : ''}`]);
    }));
}
