// `gt escalate`, `gt convoy` and `gt scheduler` through runCli: text, JSON, exit codes (issue #5).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConvoyInfo } from '../../src/store/convoys.js';
import type { EscalationRow } from '../../src/store/escalations.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';
import type { Town } from '../../src/store/town/town.js';
import { gt } from '../cli/helpers.js';
import { mailTown } from '../mail/helpers.js';

let town: Town;
let root = '';
let cleanup: () => void;
beforeEach(async () => { ({ town, root, cleanup } = await mailTown()); });
afterEach(() => cleanup());

const as = (actor = 'overseer') => ({ env: { GT_TOWN: root, BD_ACTOR: actor } });

describe('gt escalate', () => {
  it('raises, lists, shows, acks, reassigns and closes', async () => {
    const raised = await gt(['escalate', 'CI', 'is', 'red', 'on', 'main', '-s', 'critical', '-c', 'blocked', '--bead', 'app-9', '-d', 'since 10:02'], as('app/polecats/nux'));
    expect(raised).toMatchObject({ code: 0, out: '✓ esc-1 (critical) sent to mayor\n' });
    await gt(['escalate', 'naming question', '--json'], as());
    const list = await gt(['escalate', 'list'], as());
    expect(list.out.split('\n')[0]).toMatch(/^‼ esc-1\s+critical open\s+\d+s → mayor\s+CI is red on main \(app-9\)$/);
    expect(list.out.split('\n')[1]).toMatch(/^· esc-2\s+medium\s+open/);
    const show = await gt(['escalate', 'show', 'esc-1'], as());
    expect(show.out).toContain('category blocked · from app/polecats/nux');
    expect(show.out).toContain('  since 10:02');
    expect((await gt(['escalate', 'ack', 'esc-1'], as('mayor'))).out).toBe('✓ esc-1 acknowledged\n');
    expect((await gt(['escalate', 'reassign', 'esc-1', 'overseer'], as('mayor'))).out).toBe('✓ esc-1 reassigned to overseer\n');
    expect((await gt(['escalate', 'close', 'esc-1', '-r', 'reverted the bad commit'], as())).out).toBe('✓ esc-1 closed\n');
    const all = (await gt(['escalate', 'list', '--all', '--json'], as())).json<EscalationRow[]>();
    expect(all.map((e) => [e.id, e.state, e.assignee])).toEqual([['esc-1', 'closed', 'overseer'], ['esc-2', 'open', 'mayor']]);
    expect(all[0]).toMatchObject({ acked_by: 'mayor', close_reason: 'reverted the bad commit' });
  });

  it('reports bad input with exit codes', async () => {
    expect(await gt(['escalate'], as())).toMatchObject({ code: 2 });
    const sev = await gt(['escalate', 'x', '-s', 'urgent'], as());
    expect(sev.code).toBe(1);
    expect(sev.err).toContain('invalid severity "urgent"');
    expect((await gt(['escalate', 'x', '-c', 'panic'], as())).err).toContain('decision, help, blocked, failed, emergency, lifecycle');
    const unknown = await gt(['escalate', 'ack', 'esc-42'], as());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no escalation "esc-42"');
    expect((await gt(['escalate', 'show', 'esc-42', '--json'], as())).err).toContain('"code":"NOT_FOUND"');
  });
});

describe('gt convoy', () => {
  it('creates, adds, lists, shows, watches and closes', async () => {
    const ledger = new Ledger(town.db, { actor: 'overseer', prefix: town.json.prefix });
    const [a, b, c] = ['parse', 'render', 'ship'].map((t) => ledger.create({ title: t, prefix: 'app' }).id);
    const created = await gt(['convoy', 'create', 'Release 1.2', a!, b!, '--json'], as());
    expect(created.code, created.err).toBe(0);
    const id = created.json<ConvoyInfo>().id;
    expect((await gt(['convoy', 'add', id, c!], as())).out).toBe(`✓ ${id} now tracks 3 bead(s)\n`);
    ledger.update(a!, { set: { status: 'in_progress', assignee: 'app/polecats/nux' } });
    const list = await gt(['convoy', 'list'], as());
    expect(list.out).toMatch(new RegExp(`^${id}\\s+▒{7}░{13} 0/3 merged open\\s+Release 1.2\\n$`));
    const show = await gt(['convoy', 'show', id], as());
    expect(show.out).toContain('owner overseer · 2 open · 1 in progress · 0 merged · 0 closed unmerged');
    expect(show.out).toContain(`▶ ${a} parse @app/polecats/nux [in_progress]`);
    expect(show.out).toContain(`· ${c} ship [open]`);
    expect((await gt(['convoy', 'watch', id, '--address', 'mayor'], as())).out).toBe(`✓ mayor watches ${id}\n`);
    const guarded = await gt(['convoy', 'close', id], as());
    expect(guarded.code).toBe(1);
    expect(guarded.err).toContain('still tracks unfinished beads');
    expect((await gt(['convoy', 'close', id, '--force', '-r', 'postponed'], as())).out).toBe(`✓ Closed ${id}\n`);
    expect((await gt(['convoy', 'list'], as())).out).toContain('No convoys.');
    expect((await gt(['convoy', 'list', '--all', '--json'], as())).json<ConvoyInfo[]>()[0]).toMatchObject({ id, status: 'closed', landed: false, notify: ['mayor'] });
    const notConvoy = await gt(['convoy', 'show', a!], as());
    expect(notConvoy.err).toContain(`${a} is a task, not a convoy`);
  });
});

describe('gt scheduler', () => {
  afterEach(async () => { await gt(['daemon', 'stop'], as()); });
  it('shows capacity and the queue; pause, resume and clear', async () => {
    expect((await gt(['config', 'set', 'scheduler.max_polecats', '1'], as())).code).toBe(0);
    town.db.prepare("UPDATE agents SET hook_bead = 'app-busy' WHERE address = 'app/polecats/nux'").run();
    const ledger = new Ledger(town.db, { actor: 'overseer', prefix: town.json.prefix });
    const bead = ledger.create({ title: 'waits its turn', prefix: 'app', priority: 1 }).id;
    const queued = await gt(['sling', bead, 'app', '--json'], as());
    expect(queued.code, queued.err).toBe(0);
    expect(queued.json()).toMatchObject({ bead, queued: { state: 'queued', rig: 'app' }, reason: 'the town runs 1/1 polecats' });
    expect(queued.json<{ convoy: string }>().convoy).toMatch(/^hq-/); // a new "Work: …" convoy
    const other = ledger.create({ title: 'no convoy', prefix: 'app', priority: 3 }).id;
    const badConvoy = await gt(['sling', other, 'app', '--convoy', 'hq-nope'], as());
    expect(badConvoy.code).toBe(1);
    expect(badConvoy.err).toContain('hq-nope');
    expect((await gt(['scheduler', 'status', '--json'], as())).json<{ queue: unknown[] }>().queue).toHaveLength(1); // refused before anything changed
    expect((await gt(['sling', other, 'app', '--no-convoy', '--json'], as())).json()).toMatchObject({ bead: other, convoy: null });
    expect((await gt(['convoy', 'list', '--json'], as())).json<ConvoyInfo[]>().map((c) => c.title)).toEqual(['Work: waits its turn']);
    const status = await gt(['scheduler', 'status'], as());
    expect(status.out).toContain('Scheduler running · town: 1 working, limit 1');
    expect(status.out).toContain('  app: 1 working, limit no limit');
    expect(status.out).toMatch(new RegExp(`#1 ${bead} → app P1`));
    expect((await gt(['scheduler', 'pause'], as())).out).toBe('✓ Scheduler paused\n');
    expect((await gt(['scheduler', 'status', '--json'], as())).json()).toMatchObject({ paused: true, max_polecats: 1, working: 1, queue: [{ bead_id: bead }, { bead_id: other }] });
    expect((await gt(['scheduler', 'resume'], as())).out).toBe('✓ Scheduler resumed\n');
    expect((await gt(['scheduler', 'clear'], as())).out).toBe('✓ Cleared 2 queued sling(s)\n');
    expect((await gt(['scheduler', 'status'], as())).out).toContain('Nothing queued.');
    // the queued sling made sure a daemon runs to dispatch it
    expect((await gt(['daemon', 'status', '--json'], as())).json()).toMatchObject({ running: true });
  });
});
