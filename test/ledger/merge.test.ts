import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import { exportJsonl, serializeIssue } from '../../src/core/ledger/jsonl-export.js';
import { parseBackupTables, parseJsonl } from '../../src/core/ledger/jsonl-parse.js';
import { mergeIssues, mergeJsonl } from '../../src/core/ledger/merge.js';
import type { Issue } from '../../src/core/ledger/types.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/beads/', import.meta.url));
const read = (name: string): string => readFileSync(FIXTURES + name, 'utf8');

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00Z';
const T2 = '2026-01-03T00:00:00Z';
const T3 = '2026-01-04T00:00:00Z';

/** A minimal issue `x-1` at T0 with overrides. */
function mk(over: Partial<Issue> = {}): Issue {
  return { id: 'x-1', title: 'base', status: 'open', priority: 2, issue_type: 'task', created_at: T0, updated_at: T0, ...over };
}
const closed = (at: string, reason: string, over: Partial<Issue> = {}): Issue =>
  mk({ status: 'closed', closed_at: at, close_reason: reason, updated_at: at, ...over });
const tomb = (deletedAt: string): Issue => mk({ status: 'tombstone', updated_at: deletedAt, extra: { deleted_at: deletedAt, deleted_by: 'me' } });
const dep = (to: string, type = 'blocks') => ({ issue_id: 'x-1', depends_on_id: to, type, created_at: T0 });
const comment = (id: number, text: string, at = T0) => ({ id, issue_id: 'x-1', author: 'a', text, created_at: at });

interface Case {
  name: string;
  base?: Issue;
  ours?: Issue;
  theirs?: Issue;
  /** Expected fields of the result, or undefined for "deleted". */
  expect: Partial<Issue> | undefined;
  absent?: Array<keyof Issue>;
}

const CASES: Case[] = [
  { name: 'absent everywhere', expect: undefined },
  { name: 'only ours, not in base: kept', ours: mk({ title: 'mine' }), expect: { title: 'mine' } },
  { name: 'only theirs, not in base: kept', theirs: mk({ title: 'yours' }), expect: { title: 'yours' } },
  { name: 'deleted on theirs, unchanged on ours: dropped', base: mk(), ours: mk(), expect: undefined },
  { name: 'deleted on ours, unchanged on theirs: dropped', base: mk(), theirs: mk(), expect: undefined },
  { name: 'deleted on ours, changed on theirs: changed copy kept', base: mk(), theirs: mk({ title: 'edited', updated_at: T1 }), expect: { title: 'edited' } },
  { name: 'deleted on both sides', base: mk(), expect: undefined },
  {
    name: '2-way: newer updated_at (theirs) wins scalars',
    ours: mk({ title: 'ours', priority: 1, updated_at: T1 }), theirs: mk({ title: 'theirs', priority: 3, updated_at: T2 }),
    expect: { title: 'theirs', priority: 3, updated_at: T2 },
  },
  {
    name: '2-way: newer updated_at (ours) wins scalars',
    ours: mk({ title: 'ours', updated_at: T2 }), theirs: mk({ title: 'theirs', updated_at: T1 }),
    expect: { title: 'ours', updated_at: T2 },
  },
  {
    name: 'updated_at tie: ours wins (same instant written differently keeps ours text)',
    ours: mk({ title: 'ours', updated_at: '2026-01-01T16:00:00-08:00' }), theirs: mk({ title: 'theirs', updated_at: T1 }),
    expect: { title: 'ours', updated_at: '2026-01-01T16:00:00-08:00' },
  },
  {
    name: '3-way: a field changed on one side only keeps that change even if the other side is newer',
    base: mk(), ours: mk({ title: 'renamed', updated_at: T1 }), theirs: mk({ priority: 0, updated_at: T2 }),
    expect: { title: 'renamed', priority: 0, updated_at: T2 },
  },
  {
    name: '3-way: a field changed on both sides goes to the newer side',
    base: mk(), ours: mk({ title: 'ours', updated_at: T2 }), theirs: mk({ title: 'theirs', updated_at: T1 }),
    expect: { title: 'ours', updated_at: T2 },
  },
  {
    name: 'closed wins over a newer open copy, with the closed side close fields',
    ours: closed(T1, 'done', { closed_by_session: 's1' }), theirs: mk({ title: 'edited', status: 'in_progress', updated_at: T2 }),
    expect: { status: 'closed', closed_at: T1, close_reason: 'done', closed_by_session: 's1', title: 'edited', updated_at: T2 },
  },
  {
    name: 'closed on theirs wins in a 3-way merge too',
    base: mk(), ours: mk({ status: 'in_progress', updated_at: T2 }), theirs: closed(T1, 'fixed'),
    expect: { status: 'closed', closed_at: T1, close_reason: 'fixed', updated_at: T2 },
  },
  {
    name: 'both closed: the later closed_at and its reason',
    ours: closed(T2, 'second'), theirs: closed(T1, 'first', { updated_at: T3 }),
    expect: { status: 'closed', closed_at: T2, close_reason: 'second', updated_at: T3 },
  },
  {
    name: 'reopen of an unchanged close stands (3-way)',
    base: closed(T1, 'done'), ours: mk({ status: 'open', updated_at: T2 }), theirs: closed(T1, 'done'),
    expect: { status: 'open', updated_at: T2 }, absent: ['closed_at', 'close_reason'],
  },
  {
    name: 'fresh tombstone (within 30 days) wins over a live copy',
    ours: tomb(T1), theirs: mk({ title: 'edited', updated_at: T2 }),
    expect: { status: 'tombstone', updated_at: T2, title: 'base', extra: { deleted_at: T1, deleted_by: 'me' } },
  },
  {
    name: 'fresh tombstone wins over a closed copy',
    ours: closed(T2, 'done'), theirs: tomb(T1), expect: { status: 'tombstone' },
  },
  {
    name: 'expired tombstone (deleted > 30 days before the live update): live copy resurrects',
    ours: mk({ title: 'alive', updated_at: '2026-03-01T00:00:00Z' }), theirs: tomb(T1),
    expect: { status: 'open', title: 'alive', updated_at: '2026-03-01T00:00:00Z' },
  },
  {
    name: 'two tombstones: the later deleted_at',
    ours: tomb(T2), theirs: tomb(T1), expect: { status: 'tombstone', extra: { deleted_at: T2, deleted_by: 'me' } },
  },
  {
    name: 'labels are unioned (sorted)',
    base: mk({ labels: ['a'] }), ours: mk({ labels: ['a', 'z'] }), theirs: mk({ labels: ['b'], updated_at: T1 }),
    expect: { labels: ['a', 'b', 'z'] },
  },
  {
    name: 'waiters are unioned',
    ours: mk({ waiters: ['p@x'], updated_at: T1 }), theirs: mk({ waiters: ['q@x', 'p@x'] }), expect: { waiters: ['p@x', 'q@x'] },
  },
  {
    name: 'dependencies: union by target, removal on one side wins (3-way)',
    base: mk({ dependencies: [dep('a'), dep('b')] }),
    ours: mk({ dependencies: [dep('a'), dep('b'), dep('c')] }),
    theirs: mk({ dependencies: [dep('b'), dep('d')], updated_at: T1 }),
    expect: { dependencies: [dep('b'), dep('d'), dep('c')] }, // newer side's order first
  },
  {
    name: 'dependencies: 2-way union, same target with different type goes to the newer side',
    ours: mk({ dependencies: [dep('a', 'related')] }), theirs: mk({ dependencies: [dep('a'), dep('b')], updated_at: T1 }),
    expect: { dependencies: [dep('a'), dep('b')] },
  },
  {
    name: 'comments are unioned by (id, author, created_at, text)',
    ours: mk({ comments: [comment(1, 'hi'), comment(2, 'ours', T2)], updated_at: T2 }),
    theirs: mk({ comments: [comment(1, 'hi'), comment(2, 'theirs', T1)], updated_at: T1 }),
    expect: { comments: [comment(1, 'hi'), comment(2, 'theirs', T1), comment(2, 'ours', T2)] },
  },
  {
    name: 'extra keys merge 3-way like scalars',
    base: mk({ extra: { agent_state: 'idle', rig: 'r' } }),
    ours: mk({ extra: { agent_state: 'working', rig: 'r' }, updated_at: T1 }),
    theirs: mk({ extra: { agent_state: 'idle', hook_bead: 'h' } }),
    expect: { extra: { agent_state: 'working', hook_bead: 'h' } },
  },
];

describe('mergeIssues rules', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = mergeIssues(c.base, c.ours, c.theirs);
      if (c.expect === undefined) {
        expect(r).toBeUndefined();
        return;
      }
      expect(r).toMatchObject(c.expect);
      for (const key of c.absent ?? []) expect(r![key]).toBeUndefined();
      // The result is a valid issue: closed_at iff closed/tombstone.
      expect(r!.closed_at !== undefined).toBe(r!.status === 'closed' || (r!.status === 'tombstone' && r!.closed_at !== undefined));
      // Symmetry where the rules are symmetric (not for ties and both-changed picks).
      if (!c.name.includes('tie')) expect(serializeIssue(mergeIssues(c.base, c.theirs, c.ours)!)).toBe(serializeIssue(r!));
    });
  }

  it('an identical issue on both sides is returned as is', () => {
    const i = mk({ labels: ['x'], dependencies: [dep('a')] });
    expect(mergeIssues(undefined, i, structuredClone(i))).toEqual(i);
  });
});

describe('mergeJsonl', () => {
  const line = (i: Issue): string => serializeIssue(i);

  it('output is sorted, has no duplicate ids, and notes conflicts without markers', () => {
    const base = [mk({ id: 'b-1' }), mk({ id: 'a-1' })].map(line).join('\n');
    const ours = [mk({ id: 'b-1', title: 'ours', updated_at: T1 }), mk({ id: 'a-1' }), mk({ id: 'c-1' }), mk({ id: 'c-1', updated_at: T1 })].map(line).join('\n');
    const theirs = [mk({ id: 'b-1', title: 'theirs', updated_at: T2 }), mk({ id: 'a-1', status: 'closed', closed_at: T1, updated_at: T1 }), mk({ id: '0-1' })]
      .map(line).join('\n');
    const r = mergeJsonl(base, ours, theirs);
    const ids = r.text.trimEnd().split('\n').map((l) => JSON.parse(l).id as string);
    expect(ids).toEqual(['0-1', 'a-1', 'b-1', 'c-1']);
    expect(r.text).toBe(exportJsonl(parseJsonl(r.text, 'r').issues));
    expect(r.text).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    expect(r.conflicts).toEqual(['b-1: title: changed on both sides; took theirs (newer updated_at)']);
    const merged = parseJsonl(r.text, 'r').issues;
    expect(merged.find((i) => i.id === 'a-1')!.status).toBe('closed');
  });

  it('an empty base is a 2-way merge: nothing is treated as deleted', () => {
    const r = mergeJsonl('', line(mk({ id: 'a-1' })), line(mk({ id: 'b-1' })));
    expect(parseJsonl(r.text, 'r').issues.map((i) => i.id)).toEqual(['a-1', 'b-1']);
  });

  it('a real change on each side of a fixture is combined', () => {
    const x = exportJsonl(parseJsonl(read('dialect-a-2026-01.jsonl'), 'a').issues);
    const issues = parseJsonl(x, 'x').issues;
    const [first, second] = [issues[0]!, issues[1]!];
    const ours = exportJsonl([...issues.slice(1), { ...first, labels: ['merged-ours'], updated_at: '2027-01-01T00:00:00Z' }]);
    const theirs = exportJsonl([...issues.filter((i) => i.id !== second.id), mk({ id: 'zz-new' })]);
    const merged = parseJsonl(mergeJsonl(x, ours, theirs).text, 'm').issues;
    expect(merged.map((i) => i.id)).not.toContain(second.id); // deleted on theirs, untouched on ours
    expect(merged.find((i) => i.id === first.id)!.labels).toContain('merged-ours');
    expect(merged.map((i) => i.id)).toContain('zz-new');
    expect(merged).toHaveLength(issues.length);
  });

  it('JSONL_PARSE errors name the file given', () => {
    try {
      mergeJsonl('', '{"id":"a"}\n', '{"id":"a"}\n{oops\n', { ours: '%A', theirs: '.merge_file_B' });
      expect.unreachable();
    } catch (e) {
      expect((e as GtError).code).toBe('JSONL_PARSE');
      expect((e as GtError).message).toMatch(/^\.merge_file_B:2: /);
    }
  });

  const normalized: Record<string, () => string> = {
    'dialect-a-2025-12.jsonl': () => read('dialect-a-2025-12.jsonl'),
    'dialect-a-2026-01.jsonl': () => read('dialect-a-2026-01.jsonl'),
    'dialect-a-missing-priority.jsonl': () => read('dialect-a-missing-priority.jsonl'),
    'dialect-b-python-2026-02.jsonl': () => read('dialect-b-python-2026-02.jsonl'),
    'dialect-b-single.jsonl': () => read('dialect-b-single.jsonl'),
  };
  for (const [name, text] of Object.entries(normalized)) {
    it(`merging ${name} with itself returns it unchanged`, () => {
      const x = exportJsonl(parseJsonl(text(), name).issues);
      expect(mergeJsonl(x, x, x)).toEqual({ text: x, conflicts: [] });
      expect(mergeJsonl('', x, x)).toEqual({ text: x, conflicts: [] });
    });
  }

  it('merging the backup-2026-03 issues with themselves returns them unchanged', () => {
    const tables = Object.fromEntries(
      ['issues', 'dependencies', 'labels', 'comments'].map((t) => [t, { file: t, text: read(`backup-2026-03/${t}.jsonl`) }]),
    );
    const x = exportJsonl(parseBackupTables(tables).issues);
    expect(mergeJsonl(x, x, x).text).toBe(x);
  });
});
