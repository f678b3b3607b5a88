import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportJsonl, goJson, serializeIssue } from '../../src/core/ledger/jsonl-export.js';
import { normalizeIssue, parseBackupTables, parseJsonl, type ParseWarning } from '../../src/core/ledger/jsonl-parse.js';
import { isTime } from '../../src/core/ledger/time.js';
import type { Issue } from '../../src/core/ledger/types.js';
import { thrown as parseError } from '../helpers/errors.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/beads/', import.meta.url));
const read = (name: string): string => readFileSync(FIXTURES + name, 'utf8');
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const byId = (issues: Issue[]): Issue[] => [...issues].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** File → [line count (fixture README), dialect]. */
const FILES: Record<string, [number, 'A' | 'B' | 'C']> = {
  'dialect-a-2025-12.jsonl': [178, 'A'],
  'dialect-a-2026-01.jsonl': [485, 'A'],
  'dialect-a-missing-priority.jsonl': [836, 'A'],
  'dialect-b-python-2026-02.jsonl': [704, 'B'],
  'dialect-b-single.jsonl': [1, 'B'],
};

const TABLES = ['issues', 'dependencies', 'labels', 'comments', 'events', 'config'] as const;
function readBackup(): Parameters<typeof parseBackupTables>[0] {
  return Object.fromEntries(TABLES.map((t) => [t, { file: `backup-2026-03/${t}.jsonl`, text: read(`backup-2026-03/${t}.jsonl`) }]));
}


describe('fixtures: every file parses, counts match, export round-trips', () => {
  for (const [name, [count, dialect]] of Object.entries(FILES)) {
    it(name, () => {
      const text = read(name);
      expect(lines(text)).toHaveLength(count);
      const parsed = parseJsonl(text, name);
      expect(parsed.dialect).toBe(dialect);
      expect(parsed.issues.length + parsed.duplicates).toBe(count);
      expect(new Set(parsed.issues.map((i) => i.id)).size).toBe(parsed.issues.length);
      const out = exportJsonl(parsed.issues);
      const again = parseJsonl(out, `${name} (re-export)`);
      expect(byId(again.issues)).toEqual(byId(parsed.issues));
      expect(exportJsonl(again.issues)).toBe(out);
    });
  }

  it('dialect-a-2026-01.jsonl is reproduced byte for byte', () => {
    const text = read('dialect-a-2026-01.jsonl');
    expect(exportJsonl(parseJsonl(text, 'a').issues)).toBe(text);
  });

  it('dialect-a-2025-12.jsonl is reproduced byte for byte after dropping "description":"" (normalization 1)', () => {
    const text = read('dialect-a-2025-12.jsonl');
    expect(text.split('"description":"",').length - 1).toBe(24);
    expect(exportJsonl(parseJsonl(text, 'a').issues)).toBe(text.replaceAll('"description":"",', ''));
  });

  it('dialect-a-missing-priority.jsonl differs only by line order, explicit "priority":0 and the dropped duplicate', () => {
    const text = read('dialect-a-missing-priority.jsonl');
    const parsed = parseJsonl(text, 'mp.jsonl');
    expect(parsed.duplicates).toBe(1);
    const dropped = parsed.warnings.filter((w) => w.message.startsWith('duplicate id'));
    expect(dropped).toEqual([expect.objectContaining({ line: 97 })]);
    const original = text.split('\n').slice(0, -1);
    let added = 0;
    const expected = original
      .filter((_, i) => i + 1 !== 97)
      .map((l) => {
        if (l.includes('"priority":')) return l;
        added++;
        return l.replace(/("status":"[a-z_]+",)/, '$1"priority":0,');
      })
      .sort((a, b) => {
        const [x, y] = [JSON.parse(a).id as string, JSON.parse(b).id as string];
        return x < y ? -1 : x > y ? 1 : 0;
      });
    expect(added).toBe(89);
    expect(exportJsonl(parsed.issues)).toBe(`${expected.join('\n')}\n`);
    expect(parsed.issues.filter((i) => i.priority === 0).length).toBeGreaterThanOrEqual(89);
  });

  it('the Python-written file re-exports in Go style', () => {
    const text = read('dialect-b-python-2026-02.jsonl');
    expect(text).toContain('", "');
    expect(/[<>&]/.test(text)).toBe(true);
    const parsed = parseJsonl(text, 'py.jsonl');
    const out = exportJsonl(parsed.issues);
    expect(/[<>&]/.test(out)).toBe(false);
    expect(out).toContain('\\u003c');
    for (const line of lines(out)) {
      expect(goJson(JSON.parse(line))).toBe(line); // compact: no ", " or ": " separators
      expect(line).not.toMatch(/"(parent|dependency_count|dependent_count|comment_count|_type)":/);
    }
    expect(byId(parseJsonl(out, 'out').issues)).toEqual(byId(parsed.issues));
    const dep = parsed.issues.flatMap((i) => i.dependencies ?? []).find((d) => d.depends_on_id.startsWith('external:'));
    expect(dep).toBeDefined();
    expect(parsed.issues.flatMap((i) => i.dependencies ?? []).every((d) => d.metadata === '{}')).toBe(true);
  });

  it('backup-2026-03 (dialect C) through parseBackupTables', () => {
    const tables = readBackup();
    expect(lines(tables.issues!.text)).toHaveLength(298);
    const p = parseBackupTables(tables);
    expect(p.dialect).toBe('C');
    expect(p.issues.length + p.duplicates).toBe(298);
    expect(p.events).toHaveLength(2123);
    expect(p.events[0]).toMatchObject({ id: 1, issue_id: 'bd-xm5l', event_type: 'status_changed', comment: null });
    expect(p.config.length + p.memories.length).toBe(18);
    expect(p.memories.map((m) => m.key)).toContain('architecture-overview');
    expect(p.config).toContainEqual({ key: 'issue_prefix', value: 'bd' });
    const deps = p.issues.flatMap((i) => i.dependencies ?? []);
    const labels = p.issues.flatMap((i) => i.labels ?? []);
    const comments = p.issues.flatMap((i) => i.comments ?? []);
    // 244 dependency rows (3 for absent issues), 165 label rows (4 for absent issues), 2 comments.
    expect([deps.length, labels.length, comments.length]).toEqual([241, 161, 2]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      '3 row(s) refer to issues absent from the issues table; not imported',
      '4 row(s) refer to issues absent from the issues table; not imported',
    ]);
    for (const issue of p.issues) {
      expect(issue.metadata).toBeUndefined(); // "{}" dropped
      expect(issue.extra?.content_hash).toBeUndefined();
      expect(issue.extra?.source_repo).toBeUndefined();
      expect(issue.assignee).not.toBeNull();
      expect(issue.timeout).toBeUndefined();
      expect(issue.waiters).toBeUndefined();
    }
    expect(p.issues.some((i) => i.ephemeral === true)).toBe(true);
    expect(p.issues.some((i) => i.pinned === true)).toBe(true);
    expect(p.issues.some((i) => typeof i.extra?.agent_state === 'string')).toBe(true);
    const out = exportJsonl(p.issues);
    expect(byId(parseJsonl(out, 'out').issues)).toEqual(byId(p.issues));
    // The issues table alone is recognised as dialect C line by line.
    const alone = parseJsonl(tables.issues!.text, 'issues.jsonl');
    expect(alone.dialect).toBe('C');
    expect(alone.issues).toHaveLength(p.issues.length);
  });
});

describe('bad input fails the whole parse with JSONL_PARSE', () => {
  const good = '{"id":"x-1","title":"a","priority":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}';

  it('malformed JSON on line 3', () => {
    const e = parseError(() => parseJsonl(`${good}\n\n{"id":"x-2",\n${good}\n`, 'bad.jsonl'));
    expect(e.code).toBe('JSONL_PARSE');
    expect(e.details).toMatchObject({ file: 'bad.jsonl', line: 3 });
    expect(e.message).toMatch(/^bad\.jsonl:3: invalid JSON/);
    expect(e.message).toContain('{"id":"x-2",');
    expect(e.fix).toContain('nothing was imported');
  });

  it('a line that is not an object', () => {
    const e = parseError(() => parseJsonl(`${good}\n[1,2]\n`, 'arr.jsonl'));
    expect(e.code).toBe('JSONL_PARSE');
    expect(e.message).toMatch(/^arr\.jsonl:2: expected a JSON object, got an array/);
  });

  it.each([7, -1, 2.5, '2'])('priority %j lists the allowed values 0-4', (priority) => {
    const e = parseError(() => parseJsonl(JSON.stringify({ id: 'x-1', title: 't', priority }), 'p.jsonl'));
    expect(e.code).toBe('JSONL_PARSE');
    expect(e.message).toMatch(/^p\.jsonl:1: priority .* allowed values are integers 0-4/);
  });

  it.each([{ title: 'no id' }, { id: 42, title: 'numeric id' }, { id: '', title: 'empty id' }])('a line without a string id: %j', (rec) => {
    const e = parseError(() => parseJsonl(`${good}\n${JSON.stringify(rec)}\n`, 'id.jsonl'));
    expect(e.code).toBe('JSONL_PARSE');
    expect(e.details.line).toBe(2);
    expect(e.message).toContain('id.jsonl:2: missing "id"');
  });

  it('a bad row in a backup table names that table', () => {
    const e = parseError(() => parseBackupTables({ issues: { file: 'issues.jsonl', text: good }, labels: { file: 'labels.jsonl', text: '{"label":"x"}' } }));
    expect(e.message).toMatch(/^labels\.jsonl:1: /);
  });
});

describe('normalizeIssue', () => {
  const at = { file: 'f', line: 1 };
  const norm = (raw: Record<string, unknown>): [Issue, ParseWarning[]] => {
    const w: ParseWarning[] = [];
    return [normalizeIssue(raw, at, w), w];
  };

  it('applies the defaults of §9 Accept 4', () => {
    const [i, w] = norm({ id: 'x-1', title: 't' });
    expect(i).toMatchObject({ status: 'open', issue_type: 'task', priority: 0 });
    expect(isTime(i.created_at) && i.created_at === i.updated_at).toBe(true);
    expect(w).toEqual([]);
    expect(norm({ id: 'x', title: 't', updated_at: '2026-01-01T00:00:00Z' })[0].created_at).toBe('2026-01-01T00:00:00Z');
    expect(norm({ id: 'x', title: 't', created_at: '2025-12-23T04:39:16.619755-08:00' })[0].updated_at).toBe('2025-12-23T04:39:16.619755-08:00');
    expect(norm({ id: 'x', title: 't', wisp: true })[0].ephemeral).toBe(true);
    expect(norm({ id: 'x', title: 't', status: 'deleted' })[0].status).toBe('tombstone');
    expect(norm({ id: 'x', title: 't', status: 'frozen', issue_type: 'saga' })[0]).toMatchObject({ status: 'frozen', issue_type: 'saga' });
  });

  it('repairs closed_at/status mismatches and titles with a warning', () => {
    const t = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z' };
    const [closed, w1] = norm({ id: 'x', title: 't', status: 'closed', ...t });
    expect(closed.closed_at).toBe('2026-01-02T00:00:00Z');
    expect(w1).toHaveLength(1);
    const [open, w2] = norm({ id: 'x', title: 't', status: 'open', closed_at: '2026-01-02T00:00:00Z', ...t });
    expect(open.closed_at).toBeUndefined();
    expect(w2[0]!.message).toContain('dropped closed_at');
    expect(norm({ id: 'x', title: 't', status: 'tombstone', closed_at: '2026-01-02T00:00:00Z', ...t })[0].closed_at).toBeDefined();
    const [untitled, w3] = norm({ id: 'x', title: '', ...t });
    expect([untitled.title, w3.length]).toEqual(['(untitled)', 1]);
    const [long, w4] = norm({ id: 'x', title: 'a'.repeat(501), ...t });
    expect([long.title.length, w4[0]!.message]).toEqual([501, expect.stringContaining('501 characters')]);
  });

  it('drops derived keys, keeps unknown keys in extra in read order, normalizes edges/comments/labels', () => {
    const [i] = norm({
      _type: 'issue', id: 'x-1', zeta: 1, title: 't', parent: 'x', dependency_count: 1, deleted_at: '2026-01-01T00:00:00Z',
      hook_bead: '', labels: ['b', 'a', 'b'], comments: [{ id: 'uuid-1', author: 'me', text: 'hi', created_at: '2026-01-01T00:00:00Z' }],
      dependencies: [{ depends_on_id: 'x-2', type: 'blocks', metadata: { gate: 'any' }, weird: true }, { issue_id: 'x-1' }],
    });
    expect(Object.keys(i.extra!)).toEqual(['zeta', 'deleted_at', 'hook_bead']);
    expect(i.labels).toEqual(['a', 'b']);
    expect(i.dependencies).toEqual([{ issue_id: 'x-1', depends_on_id: 'x-2', type: 'blocks', metadata: '{"gate":"any"}', extra: { weird: true } }]);
    expect(i.comments).toEqual([{ id: 'uuid-1', issue_id: 'x-1', author: 'me', text: 'hi', created_at: '2026-01-01T00:00:00Z' }]);
    expect(serializeIssue(i)).toContain('"dependencies":[{"issue_id":"x-1","depends_on_id":"x-2","type":"blocks","metadata":"{\\"gate\\":\\"any\\"}","weird":true}]');
  });

  it('reads dialect C rows', () => {
    const [i] = norm({
      id: 'c-1', title: 't', content_hash: 'ab', source_repo: '.', assignee: null, ephemeral: 1, pinned: 0, crystallizes: 1,
      quality_score: null, rig: '', metadata: '{"a":1}', waiters: 'a@x, b@y', timeout_ns: 1800000000000, compaction_level: 0,
      estimated_minutes: 0, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
    });
    expect(i).toMatchObject({ ephemeral: true, metadata: { a: 1 }, waiters: ['a@x', 'b@y'], timeout: 1800000000000, estimated_minutes: 0 });
    expect(i.extra).toEqual({ crystallizes: true });
    for (const k of ['assignee', 'pinned', 'compaction_level'] as const) expect(i[k]).toBeUndefined();
    expect(norm({ id: 'c', title: 't', timeout_ns: 0, waiters: '["q@x"]', metadata: '{}' })[0]).toMatchObject({ waiters: ['q@x'] });
  });
});

describe('parseJsonl: records, dedupe, dialects', () => {
  const rec = (o: Record<string, unknown>): string => JSON.stringify({ title: 't', created_at: '2026-01-01T00:00:00Z', ...o });

  it('keeps the newest updated_at among duplicates (a tie goes to the later line)', () => {
    const text = [
      rec({ id: 'a', title: 'old', updated_at: '2026-01-02T00:00:00Z' }),
      rec({ id: 'a', title: 'new', updated_at: '2026-01-01T20:00:00-08:00' }),
      rec({ id: 'a', title: 'older', updated_at: '2026-01-01T00:00:00Z' }),
      rec({ id: 'b', title: 'first', updated_at: '2026-01-01T00:00:00Z' }),
      rec({ id: 'b', title: 'second', updated_at: '2026-01-01T00:00:00.000Z' }),
    ].join('\n');
    const p = parseJsonl(text, 'd.jsonl');
    expect(p.issues.map((i) => i.title)).toEqual(['new', 'second']);
    expect(p.duplicates).toBe(3);
    expect(p.warnings.map((w) => w.line).sort()).toEqual([1, 3, 4]);
  });

  it('memories, headers and dialect detection', () => {
    const b = parseJsonl(`{"_schema":"beads-jsonl/1"}\n${rec({ _type: 'issue', id: 'a' })}\n{"_type":"memory","key":"k","value":"v"}\n`, 'b');
    expect([b.dialect, b.issues.length, b.memories]).toEqual(['B', 1, [{ key: 'k', value: 'v' }]]);
    expect(parseJsonl(rec({ id: 'a', comment_count: 0 }), 'b').dialect).toBe('B');
    expect(parseJsonl(rec({ id: 'a' }), 'a').dialect).toBe('A');
    expect(parseJsonl(`${rec({ id: 'a' })}\n${rec({ id: 'c', timeout_ns: 0 })}`, 'c').dialect).toBe('C');
    expect(parseJsonl('', 'e')).toMatchObject({ dialect: 'A', issues: [], duplicates: 0 });
    expect(parseJsonl(` \r\n  ${rec({ id: 'a' })}  \r\n\n`, 'ws').issues).toHaveLength(1);
  });
});

describe('export', () => {
  it('goJson escapes like Go encoding/json', () => {
    expect(goJson('a<b>&c\u2028\u2029')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028\\u2029"');
    expect(goJson('\u0001\b\f\n\r\t"\\é')).toBe('"\\u0001\\b\\f\\n\\r\\t\\"\\\\é"');
    expect(goJson({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('serializeIssue: struct order, omitempty, extras last', () => {
    const issue: Issue = {
      extra: { zz: 1, aa: '' }, payload: '', labels: ['z', 'a'], updated_at: '2026-01-02T00:00:00Z', created_at: '2026-01-01T00:00:00Z',
      issue_type: 'task', priority: 0, status: 'open', title: 'T', id: 'x-1', description: '', ephemeral: false, pinned: true,
      compaction_level: 0, original_size: 0, timeout: 0, estimated_minutes: 0, metadata: {}, dependencies: [], waiters: [],
      comments: [{ id: 3, issue_id: 'x-1', author: 'a', text: '', created_at: '2026-01-01T00:00:00Z' }],
    };
    expect(serializeIssue(issue)).toBe(
      '{"id":"x-1","title":"T","status":"open","priority":0,"issue_type":"task","estimated_minutes":0,"created_at":"2026-01-01T00:00:00Z",' +
        '"updated_at":"2026-01-02T00:00:00Z","metadata":{},"labels":["a","z"],' +
        '"comments":[{"id":3,"issue_id":"x-1","author":"a","text":"","created_at":"2026-01-01T00:00:00Z"}],"pinned":true,"zz":1,"aa":""}',
    );
  });

  it('exportJsonl sorts by code unit, ends with LF, and is empty for no issues', () => {
    const mk = (id: string): Issue => ({ id, title: id, status: 'open', priority: 2, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' });
    const out = exportJsonl([mk('b-1'), mk('B-2'), mk('a-10'), mk('a-9')]);
    expect(lines(out).map((l) => JSON.parse(l).id)).toEqual(['B-2', 'a-10', 'a-9', 'b-1']);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).not.toContain('\r');
    expect(exportJsonl([])).toBe('');
  });
});
