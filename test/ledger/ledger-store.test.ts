import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import { adaptiveLength, hashId, encodeBase36, derivePrefix, prefixOfId } from '../../src/core/ledger/ids.js';
import { recomputeAllBlocked } from '../../src/store/sqlite/blocked-state.js';
import { getEvents } from '../../src/store/sqlite/ledger-rows.js';
import { blockedIssues, dependencyTree, issueDetails, listIssues, readyWork, searchIssues, ledgerStats, withCounts } from '../../src/store/sqlite/ledger-query.js';
import { makeLedger, type TestLedger } from './helpers.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as GtError).code;
  }
  return undefined;
}

let t: TestLedger;
beforeEach(() => { t = makeLedger(); });
afterEach(() => t.close());

const readyIds = () => readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z') }).map((i) => i.id);

describe('ids', () => {
  it('chooses the adaptive length at beads\' documented thresholds', () => {
    expect([0, 163, 164, 983, 984, 5898, 5899, 35389, 35390].map((n) => adaptiveLength(n))).toEqual([3, 3, 4, 4, 5, 5, 6, 6, 7]);
  });
  it('encodes base36 keeping the least significant digits', () => {
    expect(encodeBase36(new Uint8Array([0xff, 0xff]), 3)).toBe('1ekf'.slice(-3)); // 65535 = 1ekf in base36
    expect(encodeBase36(new Uint8Array([0, 1]), 3)).toBe('001');
  });
  it('makes deterministic hash ids from title, description, creator, time and nonce', () => {
    const base = { prefix: 'bd', title: 'T', description: 'D', creator: 'me', createdAtNanos: 1_700_000_000_000_000_000n, length: 4 };
    const a = hashId({ ...base, nonce: 0 });
    expect(a).toMatch(/^bd-[0-9a-z]{4}$/);
    expect(hashId({ ...base, nonce: 0 })).toBe(a);
    expect(hashId({ ...base, nonce: 1 })).not.toBe(a);
  });
  it('derives prefixes and splits ids like beads', () => {
    expect(derivePrefix('my_cool-app')).toBe('mca');
    expect(derivePrefix('demo')).toBe('demo');
    expect(derivePrefix('hq')).not.toBe('hq');
    expect(prefixOfId('beads-vscode-a3f8')).toBe('beads-vscode');
    expect(prefixOfId('gt-gastown-polecat-nux')).toBe('gt-gastown-polecat'); // beads' rule: a 3-char suffix is hash-like
    expect(prefixOfId('gt-gastown-polecat-nux', ['gt'])).toBe('gt');
    expect(prefixOfId('bd-mol-x1y.2', ['bd-mol', 'bd'])).toBe('bd-mol');
  });
});

describe('create, update, close', () => {
  it('creates a bead with beads defaults and an event', () => {
    const i = t.ledger.create({ title: 'First' });
    expect(i).toMatchObject({ title: 'First', status: 'open', priority: 2, issue_type: 'task', created_by: 'tester', created_at: '2026-01-01T00:00:00.000Z' });
    expect(i.id).toMatch(/^hq-[0-9a-z]{3}$/);
    expect(getEvents(t.db, i.id).map((e) => e.event_type)).toEqual(['created']);
  });

  it('numbers children parent.1, parent.2 with a parent-child edge, up to depth 3', () => {
    const p = t.ledger.create({ title: 'Epic', issue_type: 'epic' });
    const c1 = t.ledger.create({ title: 'a', parent: p.id });
    const c2 = t.ledger.create({ title: 'b', parent: p.id });
    expect([c1.id, c2.id]).toEqual([`${p.id}.1`, `${p.id}.2`]);
    expect(c1.dependencies).toEqual([expect.objectContaining({ depends_on_id: p.id, type: 'parent-child' })]);
    const g = t.ledger.create({ title: 'g', parent: c1.id });
    const gg = t.ledger.create({ title: 'gg', parent: g.id });
    expect(gg.id).toBe(`${p.id}.1.1.1`);
    expect(code(() => t.ledger.create({ title: 'too deep', parent: gg.id }))).toBe('INVALID_VALUE');
  });

  it('records status changes, started_at, closed_at and reopen', () => {
    const i = t.ledger.create({ title: 'x' });
    t.tick();
    const u = t.ledger.update(i.id, { set: { status: 'in_progress' } });
    expect(u.started_at).toBe('2026-01-01T00:00:01.000Z');
    t.tick();
    const c = t.ledger.close(i.id, { reason: 'done' });
    expect(c).toMatchObject({ status: 'closed', close_reason: 'done', closed_at: '2026-01-01T00:00:02.000Z' });
    const r = t.ledger.reopen(i.id);
    expect(r.status).toBe('open');
    expect(r.closed_at).toBeUndefined();
    expect(getEvents(t.db, i.id).map((e) => e.event_type)).toEqual(['created', 'status_changed', 'closed', 'reopened']);
  });

  it('claims atomically: a second actor is refused', () => {
    const i = t.ledger.create({ title: 'x' });
    const mine = t.ledger.update(i.id, { claim: true });
    expect(mine).toMatchObject({ assignee: 'tester', status: 'in_progress' });
    expect(code(() => t.as('other').update(i.id, { claim: true }))).toBe('ALREADY_CLAIMED');
    expect(t.ledger.update(i.id, { claim: true }).assignee).toBe('tester'); // idempotent for the same actor
  });

  it('guards close: open blockers, open children of an epic, pinned; --force overrides', () => {
    const a = t.ledger.create({ title: 'a' });
    const b = t.ledger.create({ title: 'b', deps: [{ type: 'blocks', id: a.id }] });
    expect(code(() => t.ledger.close(b.id))).toBe('CLOSE_GUARD');
    expect(t.ledger.close(b.id, { force: true }).status).toBe('closed');
    const e = t.ledger.create({ title: 'e', issue_type: 'epic' });
    t.ledger.create({ title: 'kid', parent: e.id });
    expect(code(() => t.ledger.close(e.id))).toBe('CLOSE_GUARD');
  });

  it('rejects invalid titles and duplicate explicit ids', () => {
    expect(code(() => t.ledger.create({ title: '   ' }))).toBe('INVALID_VALUE');
    expect(code(() => t.ledger.create({ title: 'x'.repeat(501) }))).toBe('INVALID_VALUE');
    t.ledger.create({ title: 'agent', id: 'hq-mayor' });
    expect(code(() => t.ledger.create({ title: 'again', id: 'hq-mayor' }))).toBe('INVALID_ID');
  });
});

describe('dependencies and cycles', () => {
  it('rejects a blocks cycle and shows it', () => {
    const a = t.ledger.create({ title: 'a' });
    const b = t.ledger.create({ title: 'b' });
    const c = t.ledger.create({ title: 'c' });
    t.ledger.addDependency(a.id, b.id);
    t.ledger.addDependency(b.id, c.id);
    try {
      t.ledger.addDependency(c.id, a.id);
      expect.unreachable();
    } catch (e) {
      expect((e as GtError).code).toBe('DEPENDENCY_CYCLE');
      expect((e as GtError).details.cycle).toEqual([c.id, a.id, b.id, c.id]);
      expect((e as GtError).message).toContain(`${c.id} → ${a.id} → ${b.id} → ${c.id}`);
    }
    // non-blocking types may form cycles
    expect(t.ledger.addDependency(c.id, a.id, 'related').type).toBe('related');
  });

  it('keeps one edge per pair: same type is idempotent, another type conflicts', () => {
    const a = t.ledger.create({ title: 'a' });
    const b = t.ledger.create({ title: 'b' });
    t.ledger.addDependency(a.id, b.id, 'blocks');
    expect(t.ledger.addDependency(a.id, b.id, 'blocks').type).toBe('blocks');
    expect(code(() => t.ledger.addDependency(a.id, b.id, 'related'))).toBe('DEPENDENCY_CONFLICT');
    expect(code(() => t.ledger.addDependency(a.id, a.id))).toBe('INVALID_VALUE');
    expect(code(() => t.ledger.removeDependency(b.id, a.id))).toBe('NOT_FOUND');
  });

  it('stores external and unknown-type edges as non-blocking', () => {
    const a = t.ledger.create({ title: 'a' });
    t.ledger.addDependency(a.id, 'external:beads:bd-xyz');
    const b = t.ledger.create({ title: 'b' });
    t.ledger.addDependency(a.id, b.id, 'follows');
    expect(readyIds()).toContain(a.id);
  });
});

describe('ready work (beads.md §3)', () => {
  it('shows only the head of a blocks chain; closing it frees the next', () => {
    const a = t.ledger.create({ title: 'a' });
    const b = t.ledger.create({ title: 'b', deps: [{ type: 'blocks', id: a.id }] });
    const c = t.ledger.create({ title: 'c', deps: [{ type: 'blocks', id: b.id }] });
    expect(readyIds()).toEqual([a.id]);
    t.ledger.close(a.id);
    expect(readyIds()).toEqual([b.id]);
    t.ledger.close(b.id);
    expect(readyIds()).toEqual([c.id]);
    t.ledger.reopen(a.id);
    expect(readyIds().sort()).toEqual([a.id, c.id].sort());
  });

  it('inherits blocking through parent-child only when the parent is blocked', () => {
    const gate = t.ledger.create({ title: 'gate' });
    const epic = t.ledger.create({ title: 'epic', issue_type: 'epic' });
    const kid = t.ledger.create({ title: 'kid', parent: epic.id });
    const grandkid = t.ledger.create({ title: 'grandkid', parent: kid.id });
    expect(readyIds()).toEqual(expect.arrayContaining([epic.id, kid.id, grandkid.id])); // open parent does not block
    t.ledger.addDependency(epic.id, gate.id);
    expect(readyIds()).toEqual([gate.id]);
    t.ledger.close(gate.id);
    expect(readyIds().sort()).toEqual([epic.id, kid.id, grandkid.id].sort());
  });

  it('waits-for: all children (default) or any child', () => {
    const fan = t.ledger.create({ title: 'fan', issue_type: 'epic' });
    const k1 = t.ledger.create({ title: 'k1', parent: fan.id });
    const k2 = t.ledger.create({ title: 'k2', parent: fan.id });
    const all = t.ledger.create({ title: 'all' });
    t.ledger.addDependency(all.id, fan.id, 'waits-for');
    expect(readyIds()).not.toContain(all.id);
    t.ledger.close(k1.id);
    expect(readyIds()).not.toContain(all.id);
    t.ledger.close(k2.id);
    expect(readyIds()).toContain(all.id);
  });

  it('conditional-blocks: unblocked only by a failed close', () => {
    const tryIt = t.ledger.create({ title: 'try' });
    const fallback = t.ledger.create({ title: 'fallback' });
    t.ledger.addDependency(fallback.id, tryIt.id, 'conditional-blocks');
    t.ledger.close(tryIt.id, { reason: 'worked fine' });
    expect(readyIds()).not.toContain(fallback.id);
    t.ledger.reopen(tryIt.id);
    t.ledger.close(tryIt.id, { reason: 'failed: flaky upstream' });
    expect(readyIds()).toContain(fallback.id);
  });

  it('excludes in_progress, pinned, ephemeral, non-work types and deferred (also via a deferred parent)', () => {
    const ok = t.ledger.create({ title: 'ok' });
    const wip = t.ledger.create({ title: 'wip' });
    t.ledger.update(wip.id, { set: { status: 'in_progress' } });
    t.ledger.create({ title: 'wisp', ephemeral: true });
    t.ledger.create({ title: 'mr', issue_type: 'merge-request' });
    t.ledger.create({ title: 'msg', issue_type: 'message' });
    t.ledger.create({ title: 'later', defer_until: '2027-01-01T00:00:00Z' });
    const parent = t.ledger.create({ title: 'parent later', issue_type: 'epic', defer_until: '2027-01-01T00:00:00Z' });
    t.ledger.create({ title: 'kid of later', parent: parent.id });
    t.ledger.create({ title: 'was deferred', defer_until: '2026-02-01T00:00:00Z' });
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z') }).map((i) => i.title).sort()).toEqual(['ok', 'was deferred']);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), type: 'merge-request' }).map((i) => i.title)).toEqual(['mr']);
    expect(ok.id).toBeTruthy();
  });

  it('sorts by priority, then newest first, then id; honours limit and filters', () => {
    const low = t.ledger.create({ title: 'low', priority: 3 });
    t.tick();
    const old1 = t.ledger.create({ title: 'p1 old', priority: 1, labels: ['x'] });
    t.tick();
    const new1 = t.ledger.create({ title: 'p1 new', priority: 1, assignee: 'nux' });
    expect(readyIds()).toEqual([new1.id, old1.id, low.id]);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), sort: 'oldest' }).map((i) => i.id)).toEqual([low.id, old1.id, new1.id]);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), limit: 1 }).map((i) => i.id)).toEqual([new1.id]);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), assignee: 'nux' }).map((i) => i.id)).toEqual([new1.id]);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), unassigned: true }).map((i) => i.id)).toEqual([old1.id, low.id]);
    expect(readyWork(t.db, { now: Date.parse('2026-06-01T00:00:00Z'), labels: ['x'] }).map((i) => i.id)).toEqual([old1.id]);
  });

  it('keeps the incremental blocked flags equal to a full recomputation', () => {
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) {
      const parent = n > 3 && n % 4 === 0 ? ids[n - 2] : undefined;
      ids.push(t.ledger.create({ title: `i${n}`, ...(parent ? { parent } : {}) }).id);
    }
    for (let n = 5; n < 30; n += 3) {
      try { t.ledger.addDependency(ids[n]!, ids[(n * 7) % 30]!); } catch { /* cycles refused */ }
    }
    for (let n = 0; n < 30; n += 4) t.ledger.close(ids[n]!, { force: true });
    for (let n = 2; n < 30; n += 8) t.ledger.reopen(ids[n - 2]!);
    const before = t.db.prepare('SELECT id, is_blocked FROM issues ORDER BY id').all();
    expect(recomputeAllBlocked(t.db)).toBe(0);
    expect(t.db.prepare('SELECT id, is_blocked FROM issues ORDER BY id').all()).toEqual(before);
  });
});

describe('resolution, queries and shapes', () => {
  it('resolves full, bare-hash and partial ids; ambiguous lists candidates; unknown names close matches', () => {
    const a = t.ledger.create({ title: 'a', id: 'hq-abc1' });
    t.ledger.create({ title: 'b', id: 'hq-abc2' });
    expect(t.ledger.resolve('hq-abc1')).toBe(a.id);
    expect(t.ledger.resolve('abc1')).toBe(a.id);
    expect(t.ledger.resolve('HQ-ABC1')).toBe(a.id);
    try {
      t.ledger.resolve('abc');
      expect.unreachable();
    } catch (e) {
      expect((e as GtError).code).toBe('AMBIGUOUS_ID');
      expect((e as GtError).message).toContain('hq-abc1, hq-abc2');
    }
    try {
      t.ledger.resolve('hq-abd1');
      expect.unreachable();
    } catch (e) {
      expect((e as GtError).code).toBe('BEAD_NOT_FOUND');
      expect((e as GtError).fix).toContain('hq-abc1');
    }
    expect(code(() => t.ledger.resolve('hq abc'))).toBe('INVALID_ID');
  });

  it('gives beads\' IssueWithCounts and show shapes', () => {
    const a = t.ledger.create({ title: 'a', labels: ['z', 'a'] });
    const b = t.ledger.create({ title: 'b', deps: [{ type: 'blocks', id: a.id }] });
    t.ledger.comment(a.id, 'hello');
    const [wa] = withCounts(t.db, [t.ledger.get(a.id)]);
    expect(wa).toMatchObject({ id: a.id, labels: ['a', 'z'], dependency_count: 0, dependent_count: 1, comment_count: 1 });
    const d = issueDetails(t.db, b.id)!;
    expect(d.dependencies).toEqual([expect.objectContaining({ id: a.id, title: 'a', dependency_type: 'blocks' })]);
    expect(blockedIssues(t.db)).toEqual([{ issue: expect.objectContaining({ id: b.id }), blocked_by: [a.id] }]);
    expect(dependencyTree(t.db, b.id)?.children.map((c) => c.id)).toEqual([a.id]);
    expect(searchIssues(t.db, 'b').map((i) => i.id)).toContain(b.id);
    expect(listIssues(t.db).length).toBe(2);
    expect(ledgerStats(t.db)).toMatchObject({ total_issues: 2, open_issues: 2, blocked_issues: 1, ready_issues: 1 });
  });

  it('deletes as a tombstone that disappears from views', () => {
    const a = t.ledger.create({ title: 'a' });
    const b = t.ledger.create({ title: 'b', deps: [{ type: 'blocks', id: a.id }] });
    t.ledger.delete(a.id, { reason: 'dup' });
    expect(listIssues(t.db, { all: true }).map((i) => i.id)).toEqual([b.id]);
    expect(readyIds()).toEqual([b.id]);
    expect(code(() => t.ledger.resolve(a.id))).toBe('BEAD_NOT_FOUND');
  });
});
