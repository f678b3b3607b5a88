import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT, EVENT_TYPES, eventsFile, formatEvent, payloadSummary, sinceMs, type TownEvent } from '../../src/core/events/types.js';
import { followEvents, flushEventLog, latestEventId, listEvents, parseSince, recordEvent } from '../../src/store/events.js';
import { writeTx } from '../../src/store/sqlite/db.js';
import { mrById } from '../../src/store/refinery/refinery-db.js';
import { closeVanished } from '../../src/store/refinery/outcomes.js';
import { openTown, type Town } from '../../src/store/town/town.js';
import { finishWork } from '../../src/store/work/done.js';
import { hookBead } from '../../src/store/work/hook.js';
import { allocatePolecat } from '../../src/store/work/polecats.js';
import { gtError, isolateGit, makeWorld, sh, type World } from '../work/helpers.js';

let env: ReturnType<typeof isolateGit>;
let w: World;
let town: Town;

/** The parsed lines of `.events.jsonl`. */
function jsonl(): Array<Record<string, unknown>> {
  const file = eventsFile(w.root);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

beforeAll(async () => {
  env = isolateGit();
  w = await makeWorld(env.base);
  town = w.town;
});
afterAll(() => {
  w.close();
  env.cleanup();
});
beforeEach(() => {
  town.db.exec('DELETE FROM town_events');
  writeFileSync(eventsFile(w.root), '');
});

describe('event types', () => {
  it('names every type domain.pastTense and formats one line for people', () => {
    expect(EVENT_TYPES).toContain('mr.merged');
    for (const t of EVENT_TYPES) expect(t).toMatch(/^[a-z]+\.[a-z_]+$/);
    const e: TownEvent = {
      id: 1, ts: '2026-03-04T05:06:07.000Z', type: EVENT.MR_MERGED, actor: 'demo/refinery', rig: 'demo', subject: 'demo-mr-1',
      payload: { sha: 'a'.repeat(40), bead: 'dm-1', note: 'two\nlines' },
    };
    const line = formatEvent(e, { utc: true, now: Date.parse('2026-03-04T12:00:00Z') });
    expect(line).toMatch(/^05:06:07 mr\.merged\s+demo\/refinery\s+demo-mr-1  bead=dm-1 sha=aaaaaaaaaa note=two lines$/);
    expect(formatEvent(e, { utc: true, now: Date.parse('2026-03-05T12:00:00Z') })).toMatch(/^2026-03-04 05:06:07 /);
    expect(payloadSummary({ text: 'x'.repeat(200) }, 30)).toHaveLength(30);
    expect(sinceMs('2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(sinceMs('2026-01-01T00:00:00+01:00')).toBe(Date.parse('2025-12-31T23:00:00Z'));
    expect(sinceMs('yesterday')).toBeUndefined();
  });
});

describe('recordEvent', () => {
  it('writes the row and one JSONL line', () => {
    const e = recordEvent(town, { type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'dm-1', payload: { agent: 'demo/polecats/nux' } });
    expect(e).toMatchObject({ type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'dm-1', payload: { agent: 'demo/polecats/nux' } });
    expect(e.id).toBeGreaterThan(0);
    expect(town.db.prepare('SELECT * FROM town_events WHERE id = ?').get(e.id)).toMatchObject({ type: 'bead.slung', payload: '{"agent":"demo/polecats/nux"}' });
    expect(jsonl()).toEqual([{ ts: e.ts, source: 'gt', type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'dm-1', payload: { agent: 'demo/polecats/nux' } }]);
    const bare = recordEvent(town, { type: 'agent.nudged', actor: 'deacon' });
    expect(bare).toMatchObject({ rig: '', subject: '', payload: {} });
    expect(jsonl()).toHaveLength(2);
  });

  it('refuses a malformed type name', async () => {
    const e = await gtError(() => recordEvent(town, { type: 'Bad Type' as never, actor: 'x' }));
    expect(e.code).toBe('INVALID_VALUE');
  });

  it('joins an outer transaction: the line is appended only after the outermost commit', async () => {
    const e = writeTx(town.db, () => writeTx(town.db, () => {
      const ev = recordEvent(town, { type: 'mr.merged', actor: 'demo/refinery', subject: 'demo-mr-1' });
      expect(jsonl()).toEqual([]); // not yet: the transaction may still roll back
      return ev;
    }));
    expect(listEvents(town).map((x) => x.id)).toEqual([e.id]);
    await tick();
    expect(jsonl().map((l) => l.subject)).toEqual(['demo-mr-1']);
  });

  it('rolls back with its outer transaction: no row, no line', async () => {
    expect(() => writeTx(town.db, () => {
      recordEvent(town, { type: 'mr.merged', actor: 'demo/refinery', subject: 'rolled-back' });
      throw new Error('boom');
    })).toThrow('boom');
    expect(listEvents(town)).toEqual([]);
    // The next event reuses the rolled-back id; the pending line must not be mistaken for it.
    const after = recordEvent(town, { type: 'mr.failed', actor: 'demo/refinery', subject: 'kept' });
    await tick();
    expect(listEvents(town).map((x) => x.subject)).toEqual(['kept']);
    expect(jsonl().map((l) => l.subject)).toEqual(['kept']);
    expect(after.id).toBeGreaterThan(0);
  });

  it('keeps file order across transactions and survives the town closing right after commit', async () => {
    writeTx(town.db, () => recordEvent(town, { type: 'convoy.created', actor: 'mayor', subject: 'first' }));
    recordEvent(town, { type: 'convoy.landed', actor: 'deacon', subject: 'second' }); // flushes 'first' before itself
    expect(jsonl().map((l) => l.subject)).toEqual(['first', 'second']);

    const other = openTown(w.root);
    writeTx(other.db, () => recordEvent(other, { type: 'agent.started', actor: 'deacon', subject: 'closed-right-after' }));
    other.close();
    await tick();
    expect(jsonl().map((l) => l.subject)).toEqual(['first', 'second', 'closed-right-after']);
  });

  it('flushEventLog writes pending lines at once, and a failed append never fails the caller', () => {
    writeTx(town.db, () => recordEvent(town, { type: 'mail.sent', actor: 'mayor', subject: 'm1' }));
    flushEventLog(town);
    expect(jsonl().map((l) => l.subject)).toEqual(['m1']);

    const broken = { ...town, root: join(w.root, 'no', 'such', 'dir') };
    const e = recordEvent(broken, { type: 'mail.sent', actor: 'mayor', subject: 'm2' });
    expect(listEvents(town).map((x) => x.id)).toContain(e.id);
  });
});

describe('listEvents', () => {
  it('filters by since (duration or RFC 3339), rig, type or domain, afterId and limit; newest last', () => {
    const a = recordEvent(town, { type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'a' });
    const b = recordEvent(town, { type: 'mr.merged', actor: 'demo/refinery', rig: 'demo', subject: 'b' });
    const c = recordEvent(town, { type: 'mr.failed', actor: 'other/refinery', rig: 'other', subject: 'c' });
    const d = recordEvent(town, { type: 'agent.started', actor: 'deacon', subject: 'd' });
    town.db.prepare('UPDATE town_events SET ts = ? WHERE id = ?').run(new Date(Date.now() - 3 * 3_600_000).toISOString(), a.id);

    const subjects = (f: Parameters<typeof listEvents>[1]) => listEvents(town, f).map((e) => e.subject);
    expect(subjects({})).toEqual(['a', 'b', 'c', 'd']);
    expect(subjects({ since: '2h' })).toEqual(['b', 'c', 'd']);
    expect(subjects({ since: '1d' })).toEqual(['a', 'b', 'c', 'd']);
    expect(subjects({ since: new Date(Date.now() - 3_600_000).toISOString() })).toEqual(['b', 'c', 'd']);
    expect(subjects({ rig: 'demo' })).toEqual(['a', 'b']);
    expect(subjects({ rig: '' })).toEqual(['d']);
    expect(subjects({ type: 'mr.merged' })).toEqual(['b']);
    expect(subjects({ type: 'mr' })).toEqual(['b', 'c']);
    expect(subjects({ type: 'mr.*', rig: 'other' })).toEqual(['c']);
    expect(subjects({ afterId: b.id })).toEqual(['c', 'd']);
    expect(subjects({ limit: 2 })).toEqual(['c', 'd']);
    expect(subjects({ limit: 0 })).toEqual([]);
    expect(latestEventId(town)).toBe(d.id);
    expect(() => listEvents(town, { since: 'last tuesday' })).toThrow(/cannot read "last tuesday" as a time/);
    expect(parseSince('10m', Date.parse('2026-01-01T00:10:00Z'))).toBe('2026-01-01T00:00:00.000Z');
    expect(listEvents(town, { afterId: c.id })[0]).toMatchObject({ id: d.id, type: 'agent.started', actor: 'deacon' });
  });
});

describe('followEvents', () => {
  it('delivers only new events, in order, from other connections too, and stops on abort', async () => {
    recordEvent(town, { type: 'bead.slung', actor: 'mayor', subject: 'old' });
    const got: string[] = [];
    const controller = new AbortController();
    const done = followEvents(town, { intervalMs: 20, rig: 'demo' }, (e) => {
      got.push(e.subject);
      if (got.length === 2) controller.abort();
    }, controller.signal);
    const writer = openTown(w.root);
    try {
      recordEvent(writer, { type: 'mr.created', actor: 'demo/polecats/nux', rig: 'demo', subject: 'new-1' });
      recordEvent(writer, { type: 'mr.created', actor: 'other/polecats/x', rig: 'other', subject: 'elsewhere' });
      await tick();
      recordEvent(writer, { type: 'mr.merged', actor: 'demo/refinery', rig: 'demo', subject: 'new-2' });
    } finally {
      writer.close();
    }
    const last = await done;
    expect(got).toEqual(['new-1', 'new-2']);
    expect(last).toBe(latestEventId(town));
  });

  it('returns at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    await followEvents(town, { afterId: 0 }, () => { calls++; }, controller.signal);
    expect(calls).toBe(0);
  });
});

describe('wired call sites', () => {
  it('gt done records polecat.done and mr.created; a vanished branch records mr.rejected', async () => {
    const bead = w.bead('evented work');
    const a = await allocatePolecat(town, 'demo', { beadId: bead.id });
    hookBead(town, bead.id, a.address, { actor: 'mayor' });
    writeFileSync(join(a.worktree, 'f.txt'), 'f\n');
    sh(a.worktree, 'add', 'f.txt');
    sh(a.worktree, 'commit', '-q', '-m', 'f');
    const r = await finishWork(town, a.address);
    await tick();
    const events = listEvents(town);
    expect(events.map((e) => [e.type, e.subject])).toEqual([['polecat.done', bead.id], ['mr.created', r.mr!.id]]);
    expect(events[1]).toMatchObject({ actor: a.address, rig: 'demo', payload: { bead: bead.id, branch: r.branch, commit: r.commit } });
    expect(jsonl().map((l) => l.type)).toEqual(['polecat.done', 'mr.created']);

    closeVanished(town, 'demo', mrById(town.db, r.mr!.id)!, 'deleted by hand');
    expect(listEvents(town, { type: 'mr.rejected' })).toMatchObject([{ actor: 'demo/refinery', subject: r.mr!.id, payload: { bead: bead.id, reason: 'deleted by hand' } }]);
  });
});
