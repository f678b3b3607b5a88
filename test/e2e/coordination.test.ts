// Issue #5 end to end: witness, escalations, convoys, mail announcements and the scheduler with
// the real daemon, real PTYs and scripted agents.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import type { NudgeRow } from '../../src/daemon/nudge-service.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, gt, runBin, scriptedBead, sling, townDb, waitFor, waitStatus } from './helpers.js';

describe('coordination', () => {
  const tmp = tempDir('gt-coord-');
  let root = '';
  let env: Record<string, string> = {};
  const set = async (key: string, value: string) => expect((await gt(['config', 'set', key, value], { env })).code).toBe(0);
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir, { refinery: true }));
    await set('witness.waiting_ms', '1000');
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('an agent waiting on a question is escalated within its threshold + 2 s, with the screen excerpt', async () => {
    const bead = await scriptedBead(env, 'needs a decision', ['ask Which database should I use?']);
    const address = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    const db = townDb(root);
    try {
      await waitStatus(c, address, 'waiting', 15_000);
      const esc = await waitFor(() => db.prepare("SELECT * FROM escalations WHERE bead_id = ? AND category = 'decision'").get(bead) as { detail: string; severity: string; assignee: string; source_generation: number } | undefined, 1000 + 2000 + 1000, 'the escalation');
      expect(esc.detail).toContain('question: Which database should I use?');
      expect(esc).toMatchObject({ severity: 'high', assignee: 'mayor' });
      const list = await runBin(GT_BIN, ['escalate', 'list', '--json'], { env });
      expect(list.json<Array<{ bead_id: string }>>().some((e) => e.bead_id === bead)).toBe(true);
      // its mail reached the mayor's inbox
      const inbox = await runBin(GT_BIN, ['mail', 'inbox', 'mayor', '--json'], { env });
      expect(inbox.code, inbox.err).toBe(0);
      expect(inbox.out).toContain('waiting for input');
      // answered: the agent goes on, and the witness settles the question's escalation
      expect((await runBin(GT_BIN, ['nudge', address, 'Use Postgres', '--urgent'], { env })).code).toBe(0);
      const settled = await waitFor(() => db.prepare("SELECT state, close_reason FROM escalations WHERE bead_id = ? AND category = 'decision' AND state = 'closed'").get(bead) as { close_reason: string } | undefined, 15_000, 'the escalation to be settled');
      expect(settled.close_reason).toContain(`${address} is no longer waiting`);
    } finally {
      db.close();
      c.close();
    }
  });

  it('an agent killed while hooked is restarted and finishes', async () => {
    const bead = await scriptedBead(env, 'dies once', [`die-once ${join(tmp.dir, 'died-once')}`, 'done --no-changes survived']);
    const address = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent.address;
    await waitFor(async () => (await gt(['bd', 'show', bead, '--json'], { env })).json<Array<{ status: string }>>()[0]!.status === 'closed', 30_000, 'the bead closed after the restart');
    const db = townDb(root);
    try {
      const gens = db.prepare('SELECT generation FROM sessions WHERE agent = ? ORDER BY generation').pluck().all(address) as number[];
      expect(gens.length).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  });

  it('a fourth death escalates and stops', async () => {
    const bead = await scriptedBead(env, 'always dies', ['fail 1']);
    const slung = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent;
    const address = slung.address;
    const sessionsSince = () => db.prepare('SELECT count(*) FROM sessions WHERE agent = ? AND generation >= ?').pluck().get(address, slung.generation) as number;
    const db = townDb(root);
    try {
      await waitFor(() => db.prepare("SELECT id FROM escalations WHERE bead_id = ? AND category = 'failed'").get(bead), 40_000, 'the escalation after the fourth death');
      expect(sessionsSince()).toBe(4); // the first run and three restarts
      // no further restart happens
      await waitFor(async () => {
        const c = await client(root);
        try {
          const a = (await c.request<AgentInfo[]>('agent.list', {})).find((x) => x.address === address);
          return a?.session?.status === 'exited';
        } finally { c.close(); }
      }, 10_000, 'the agent to stay exited');
      const witness = db.prepare("SELECT count(*) FROM town_events WHERE type = 'witness.acted' AND subject = ? AND payload LIKE '%escalated%'").pluck().get(address) as number;
      expect(witness).toBe(1);
      expect(sessionsSince()).toBe(4);
    } finally {
      db.close();
    }
  });

  it('a nudge meant for an earlier generation is never typed into the restarted session', async () => {
    const bead = await scriptedBead(env, 'restarted', ['sleep 60000']);
    const s = await sling(env, bead);
    const { address, generation } = s.json<{ agent: AgentInfo }>().agent;
    const c = await client(root);
    try {
      await c.request('agent.restart', { address, reason: 'test' });
      const n = await c.request<NudgeRow>('nudge.send', { address, text: 'for the old session', generation, urgent: true });
      const done = await waitFor(async () => {
        const row = await c.request<NudgeRow>('nudge.status', { id: n.id });
        return row.state !== 'queued' ? row : undefined;
      }, 10_000, 'the nudge to be judged');
      expect(done.state).toBe('stale');
      const screen = (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 100 })).lines.join('\n');
      expect(screen).not.toContain('for the old session');
    } finally {
      c.close();
    }
  });

  it('mail to a busy agent is announced once, at its next idle', async () => {
    const bead = await scriptedBead(env, 'busy a while', ['output 5', 'sleep 1500', 'done --no-changes done']);
    const address = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 60 })).lines.some((l) => l.includes('working line 4')), 10_000, 'work');
      const sent = await runBin(GT_BIN, ['mail', 'send', address, '-s', 'Lunch order', '-m', 'pizza?', '--json'], { env });
      expect(sent.code, sent.err).toBe(0);
      const messageId = sent.json<{ message: { id: string } }>().message.id;
      // the agent echoes what was typed into it: wait for that echo, and for the nudge to be judged delivered
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 200 })).lines.some((l) => l.includes('received: You have new mail')), 15_000, 'the announcement');
      const db = townDb(root);
      try {
        const nudges = await waitFor(() => {
          const rows = db.prepare('SELECT state FROM nudges WHERE agent = ? AND text LIKE ?').pluck().all(address, `%gt mail read ${messageId}`) as string[];
          return rows.length && rows.every((s) => s !== 'queued' && s !== 'delivering') ? rows : undefined;
        }, 10_000, 'the announcement nudge to be judged');
        expect(nudges).toEqual(['delivered']);
      } finally {
        db.close();
      }
      const text = (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 300 })).lines.join('');
      expect(text.split('received: You have new mail').length - 1, text.slice(-1500)).toBe(1); // announced once
      expect(text.indexOf('received: You have new mail')).toBeGreaterThan(text.indexOf('gt done ok')); // at idle, after the work
    } finally {
      c.close();
    }
  });

  it('a convoy of three beads lands only after all three are merged', async () => {
    const beads = [
      await scriptedBead(env, 'convoy one', ['write c1.txt one', 'commit c1', 'done']),
      await scriptedBead(env, 'convoy two', ['write c2.txt two', 'commit c2', 'done']),
      await scriptedBead(env, 'convoy three', ['sleep 4000', 'write c3.txt three', 'commit c3', 'done']),
    ];
    const created = await runBin(GT_BIN, ['convoy', 'create', 'Three things', ...beads, '--json'], { env });
    expect(created.code, created.err).toBe(0);
    const convoy = created.json<{ id: string }>().id;
    for (const b of beads) expect((await sling(env, b, 'app', ['--convoy', convoy])).code).toBe(0);
    const show = async () => (await runBin(GT_BIN, ['convoy', 'show', convoy, '--json'], { env })).json<{ counts: { merged: number }; landed: boolean; status: string }>();
    await waitFor(async () => (await show()).counts.merged === 2, 60_000, 'two merged');
    expect((await show()).landed).toBe(false);
    await waitFor(async () => (await show()).landed, 60_000, 'the convoy to land');
    const inbox = await runBin(GT_BIN, ['mail', 'inbox', 'overseer', '--json'], { env });
    expect(inbox.out).toContain('Convoy landed: Three things');
  });

  it('bad input: acking an unknown escalation names the id', async () => {
    const r = await runBin(GT_BIN, ['escalate', 'ack', 'esc-999'], { env });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no escalation "esc-999"');
    const bad = await runBin(GT_BIN, ['escalate', 'it is on fire', '--severity', 'urgent'], { env });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('critical, high, medium, low');
  });
});

describe('scheduler', () => {
  const tmp = tempDir('gt-sched-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('slinging five beads with max_polecats=2 runs two at a time and finishes all five', async () => {
    expect((await gt(['config', 'set', 'scheduler.max_polecats', '2'], { env })).code).toBe(0);
    const beads: string[] = [];
    // Each bead runs 4 s, longer than five slings take, so no polecat frees its place while they are slung.
    for (let n = 1; n <= 5; n++) beads.push(await scriptedBead(env, `batch ${n}`, ['sleep 4000', `done --no-changes batch ${n}`]));
    const outs = [];
    for (const b of beads) outs.push(await sling(env, b));
    expect(outs.filter((o) => o.json<{ queued?: unknown }>().queued).length).toBeGreaterThanOrEqual(3);
    const db = townDb(root);
    let peak = 0;
    try {
      await waitFor(() => {
        const working = db.prepare("SELECT count(*) FROM agents WHERE role = 'polecat' AND hook_bead <> ''").pluck().get() as number;
        peak = Math.max(peak, working);
        const closed = db.prepare(`SELECT count(*) FROM issues WHERE id IN (${beads.map(() => '?').join(',')}) AND status = 'closed'`).pluck().get(...beads) as number;
        return closed === 5;
      }, 90_000, 'all five closed');
      expect(peak).toBeLessThanOrEqual(2);
      expect(db.prepare("SELECT count(*) FROM sling_queue WHERE state = 'dispatched'").pluck().get()).toBeGreaterThanOrEqual(3);
    } finally {
      db.close();
    }
  }, 120_000);

});
