// `gt mail …` through runCli with captured output and exit codes (issue #5 mail).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxEntry, MailView, SentMail } from '../../src/store/mail/mail.js';
import type { Town } from '../../src/store/town/town.js';
import { gt } from '../cli/helpers.js';
import { mailTown, nudgesOf } from './helpers.js';

let town: Town;
let root = '';
let cleanup: () => void;
beforeEach(async () => { ({ town, root, cleanup } = await mailTown()); });
afterEach(() => cleanup());

const as = (actor?: string) => ({ env: { GT_TOWN: root, BD_ACTOR: actor ?? '' } });

describe('gt mail', () => {
  it('send, inbox, read, reply, thread, archive, mark-read, search', async () => {
    const send = await gt(['mail', 'send', 'app/nux', 'mayor/', '-s', 'Review app-4', '-m', 'Body line', '--cc', 'overseer', '--bead', 'app-4'], as());
    expect(send).toMatchObject({ code: 0, err: '' });
    expect(send.out).toBe('✓ Sent msg-1 to app/polecats/nux, mayor; cc overseer (2 announcements queued)\n');

    const box = await gt(['mail', 'inbox'], as('app/polecats/nux'));
    expect(box.code).toBe(0);
    expect(box.out).toContain('Inbox of app/polecats/nux: 1 message, 1 unread');
    expect(box.out).toMatch(/● msg-1\s+P2 plain\s+overseer\s+Review app-4/);
    expect((await gt(['mail', 'inbox', 'overseer', '--json'], as())).json<InboxEntry[]>()[0]!.delivery.role).toBe('cc');

    const read = await gt(['mail', 'read', 'msg-1'], as('app/polecats/nux'));
    expect(read.out).toContain('From: overseer\nTo: app/polecats/nux, mayor\nCc: overseer\n');
    expect(read.out).toContain('Subject: Review app-4');
    expect(read.out).toContain('Bead: app-4');
    expect(read.out).toMatch(/\n\nBody line\n$/);
    expect((await gt(['mail', 'inbox', '--unread'], as('app/polecats/nux'))).out).toBe('No unread messages for app/polecats/nux.\n');

    const re = await gt(['mail', 'reply', 'msg-1', '-m', 'On it', '--all', '--json'], as('app/polecats/nux'));
    expect(re.code).toBe(0);
    const sent = re.json<SentMail>();
    expect(sent.message).toMatchObject({ id: 'msg-2', subject: 'Re: Review app-4', thread_id: 'msg-1' });
    expect(sent.deliveries.map((d) => d.address)).toEqual(['mayor', 'overseer']);

    const th = await gt(['mail', 'thread', 'msg-2', '--json'], as());
    expect(th.json<SentMail[]>().map((s) => s.message.id)).toEqual(['msg-1', 'msg-2']);
    expect((await gt(['mail', 'thread', 'msg-2'], as())).out).toContain('Thread msg-1 (2 messages)');

    expect((await gt(['mail', 'mark-read', 'msg-2'], as('mayor'))).out).toBe('✓ Marked read msg-2 for mayor\n');
    expect((await gt(['mail', 'archive', 'msg-1', 'msg-2'], as('mayor'))).out).toBe('✓ Archived msg-1, msg-2 for mayor\n');
    expect((await gt(['mail', 'inbox'], as('mayor'))).out).toBe('No messages for mayor.\n');
    expect((await gt(['mail', 'inbox', '--all', '--json'], as('mayor'))).json<InboxEntry[]>()).toHaveLength(2);

    const found = await gt(['mail', 'search', 'on it', '--json'], as());
    expect(found.json<Array<{ id: string }>>().map((m) => m.id)).toEqual(['msg-2']);
    expect((await gt(['mail', 'search', 'review', '--address', 'app/slit'], as())).out).toBe('No messages match "review".\n');
  });

  it('sends protocol kinds with fields, urgent and priority', async () => {
    const r = await gt(['mail', 'send', 'app/witness', '-s', 'nux', '--kind', 'polecat_done', '--field', 'Exit=COMPLETED', '--field', 'MR=3', '--urgent', '--priority', '1', '--from', 'app/polecats/nux', '--json'], as());
    expect(r.code).toBe(0);
    expect(r.json<SentMail>().message).toMatchObject({ kind: 'POLECAT_DONE', fields: { Exit: 'COMPLETED', MR: 3 }, urgent: true, priority: 1, from: 'app/polecats/nux' });
    expect(nudgesOf(town, 'app/witness')).toEqual([expect.objectContaining({ urgent: 1, text: 'You have new mail from app/polecats/nux: nux. Run gt mail read msg-1' })]);
    const read = await gt(['mail', 'read', 'msg-1'], as('app/witness'));
    expect(read.out).toContain('msg-1 POLECAT_DONE [P1] URGENT');
    expect(read.out).toContain('\nExit: COMPLETED\nMR: 3');
  });

  it('reports bad input with exit codes', async () => {
    const unknown = await gt(['mail', 'send', 'app/polecats/nx', '-s', 's', '-m', 'b'], as());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error: unknown mail address "app\/polecats\/nx" — did you mean app\/polecats\/nux[,?]/);
    const json = await gt(['mail', 'send', 'mayr', '-s', 's', '--json'], as());
    expect(JSON.parse(json.err)).toMatchObject({ error: { code: 'NOT_FOUND', details: { candidates: ['mayor'] } } });
    const big = await gt(['mail', 'send', 'mayor', '-s', 's', '-m', 'x'.repeat(70_000)], as());
    expect(big.code).toBe(1);
    expect(big.err).toContain('the message body is 70000 bytes; the limit is 65536 bytes');
    const kind = await gt(['mail', 'send', 'mayor', '-s', 's', '--kind', 'nope'], as());
    expect(kind.err).toContain('unknown message kind "nope" — use one of POLECAT_DONE, MERGE_READY');
    expect((await gt(['mail', 'send', 'mayor', '-m', 'no subject'], as())).code).toBe(2);
    expect((await gt(['mail', 'send', 'mayor', '-s', 's', '--priority', 'x'], as())).code).toBe(2);
    expect((await gt(['mail', 'send', 'mayor', '-s', 's', '--field', 'novalue'], as())).code).toBe(2);
    expect((await gt(['mail', 'dnd', 'maybe'], as('mayor'))).code).toBe(2);
    const notMine = await gt(['mail', 'read', 'msg-1'], as('mayor'));
    expect(notMine).toMatchObject({ code: 1, err: expect.stringContaining('no message "msg-1"') });
    expect(town.db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
  });

  it('check counts; check --inject prints the reminder once, then nothing', async () => {
    await gt(['mail', 'send', 'app/nux', '-s', 'first', '-m', ''], as());
    await gt(['mail', 'send', 'app/nux', '-s', 'second \x1b]0;pwned\x07', '-m', 'x', '--urgent'], as('mayor'));
    expect((await gt(['mail', 'check'], as('app/polecats/nux'))).out).toBe('2 unread messages for app/polecats/nux — gt mail inbox\n');
    expect((await gt(['mail', 'check', '--json'], as('app/polecats/nux'))).json()).toEqual({ address: 'app/polecats/nux', unread: 2 });
    const inject = await gt(['mail', 'check', '--inject'], as('app/polecats/nux'));
    expect(inject.code).toBe(0);
    expect(inject.out).toMatch(/^<system-reminder>\nYou have 2 new messages/);
    expect(inject.out).toContain('- msg-2 [P2 URGENT] plain from mayor: second ]0;pwned\n- msg-1 [P2] plain from overseer: first\n</system-reminder>\n');
    expect(inject.out).not.toContain('\x1b');
    expect((await gt(['mail', 'check', '--inject'], as('app/polecats/nux'))).out).toBe('');
    expect((await gt(['mail', 'check'], as('app/polecats/nux'))).out).toBe('No new mail for app/polecats/nux.\n');
  });

  it('shows message text inert', async () => {
    await gt(['mail', 'send', 'mayor', '-s', 'x', '-m', 'red \x1b[31mtext\x1b[0m\nline 2'], as());
    const read = await gt(['mail', 'read', 'msg-1'], as('mayor'));
    expect(read.out).toContain('red ^[[31mtext^[[0m\nline 2');
    expect(read.out).not.toContain('\x1b');
  });

  it('dnd on|off and status; no announcement while on', async () => {
    expect((await gt(['mail', 'dnd', 'on'], as('app/polecats/nux'))).out).toBe('✓ Do not disturb is on for app/polecats/nux: new mail is not announced\n');
    expect((await gt(['mail', 'dnd', '--agent', 'app/nux', '--json'], as())).json()).toEqual({ address: 'app/polecats/nux', dnd: true });
    const s = await gt(['mail', 'send', 'app/nux', '-s', 'quiet', '--json'], as());
    expect(s.json<SentMail>().deliveries[0]!.announce).toBe('skipped');
    expect(nudgesOf(town, 'app/polecats/nux')).toEqual([]);
    expect((await gt(['mail', 'dnd', 'off', '--agent', 'app/nux'], as())).out).toBe('✓ Do not disturb is off for app/polecats/nux\n');
    expect((await gt(['mail', 'dnd', 'on', '--agent', 'app/nope'], as())).code).toBe(1);
    const view = (await gt(['mail', 'read', 'msg-1', '--json'], as('app/polecats/nux'))).json<MailView>();
    expect(view.delivery?.read_at).toBeTruthy();
  });
});
