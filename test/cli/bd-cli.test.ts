// The gt/bd command line end to end on a real town: real SQLite, real git, the built bins.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BD_BIN, GT_BIN, gt, runBin, sourceRepo, tempDir } from './helpers.js';
import { createDemoTown } from '../../src/store/town/demo.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/beads');

describe('issue #2 walkthrough: install, rig, a blocks chain', () => {
  const tmp = tempDir('gt-cli-');
  const root = join(tmp.dir, 'town');
  const env = { GT_TOWN: root, BD_ACTOR: 'overseer' };
  beforeAll(() => {
    sourceRepo(join(tmp.dir, 'src'));
  });
  afterAll(() => tmp.cleanup());

  it('gt install <dir> && gt rig add demo <repo>; ready shows only the head of the chain', async () => {
    expect((await runBin(GT_BIN, ['install', root], { env })).code).toBe(0);
    expect((await runBin(GT_BIN, ['rig', 'add', 'demo', join(tmp.dir, 'src')], { env })).code).toBe(0);
    const ids: string[] = [];
    for (const title of ['first', 'second', 'third']) {
      const args = ['create', title, '--rig', 'demo', '--json', ...(ids.length ? ['--deps', ids[ids.length - 1]!] : [])];
      const r = await runBin(BD_BIN, args, { env });
      expect(r.code, r.err).toBe(0);
      ids.push(r.json<{ id: string }>().id);
    }
    expect(ids.every((i) => i.startsWith('demo-'))).toBe(true);
    const ready = await runBin(GT_BIN, ['bd', 'ready', '--json'], { env });
    expect(ready.json<Array<{ id: string }>>().map((i) => i.id)).toEqual([ids[0]]);
    expect((await runBin(BD_BIN, ['close', ids[0]!, '--reason', 'done'], { env })).code).toBe(0);
    const after = await runBin(BD_BIN, ['ready', '--json'], { env });
    expect(after.json<Array<{ id: string }>>().map((i) => i.id)).toEqual([ids[1]]);
  });

  it('gives a town bead the hq prefix and a bead created inside a rig folder the rig prefix', async () => {
    const town = await gt(['bd', 'create', 'town level', '--json'], { env });
    expect(town.json<{ id: string }>().id).toMatch(/^hq-/);
    const inRig = await gt(['bd', 'create', 'from the refinery', '--json'], { env: { BD_ACTOR: 'x' }, cwd: join(root, 'demo/refinery/rig') });
    expect(inRig.code, inRig.err).toBe(0);
    expect(inRig.json<{ id: string }>().id).toMatch(/^demo-/);
  });

  it('answers in beads JSON shapes and exit codes', async () => {
    const created = await gt(['bd', 'create', 'shape check', '-p', 'P1', '-t', 'feat', '-l', 'a,b', '--json'], { env });
    const issue = created.json<Record<string, unknown>>();
    expect(issue).toMatchObject({ title: 'shape check', priority: 1, issue_type: 'feature', labels: ['a', 'b'], schema_version: 1, dependency_count: 0 });
    const show = await gt(['bd', 'show', String(issue.id), '--json'], { env });
    expect(Array.isArray(show.json())).toBe(true);
    const env2 = await gt(['bd', 'list', '--json'], { env: { ...env, BD_JSON_ENVELOPE: '1' } });
    expect(env2.json<{ schema_version: number; data: unknown[] }>()).toMatchObject({ schema_version: 1, data: expect.any(Array) });
    const missing = await gt(['bd', 'show', 'hq-zzzzz', '--json'], { env });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.err)).toMatchObject({ code: 'not_found', schema_version: 1 });
    expect((await gt(['bd', 'frobnicate'], { env })).code).toBe(2);
  });

  it('labels, comments, dependency tree, search, stats and update work from the CLI', async () => {
    const a = (await gt(['bd', 'create', 'alpha', '--json'], { env })).json<{ id: string }>().id;
    const b = (await gt(['bd', 'create', 'beta', '--json'], { env })).json<{ id: string }>().id;
    expect((await gt(['bd', 'dep', 'add', b, a], { env })).code).toBe(0);
    expect((await gt(['bd', 'label', 'add', a, 'area:cli'], { env })).code).toBe(0);
    expect((await gt(['bd', 'comment', a, 'looked', 'into', 'it'], { env })).code).toBe(0);
    const tree = await gt(['bd', 'dep', 'tree', b], { env });
    expect(tree.out).toContain(`└── ${a}: alpha`);
    const shown = (await gt(['bd', 'show', a, '--json'], { env })).json<Array<Record<string, unknown>>>()[0]!;
    expect(shown).toMatchObject({ labels: ['area:cli'], comment_count: 1, dependent_count: 1 });
    expect((await gt(['bd', 'search', 'alph', '--json'], { env })).json<Array<{ id: string }>>().map((i) => i.id)).toContain(a);
    const upd = await gt(['bd', 'update', a, '--status', 'in_progress', '--assignee', 'nux', '--json'], { env });
    expect(upd.json<Array<Record<string, unknown>>>()[0]).toMatchObject({ status: 'in_progress', assignee: 'nux' });
    expect((await gt(['bd', 'stats', '--json'], { env })).json<Record<string, number>>().in_progress_issues).toBeGreaterThan(0);
    expect((await gt(['bd', 'dep', 'remove', b, a], { env })).code).toBe(0);
    expect((await gt(['bd', 'label', 'remove', a, 'nope'], { env })).code).toBe(1);
  });

  it('reports bad input with what, where and how to fix', async () => {
    const prio = await gt(['bd', 'create', 'x', '-p', '7'], { env });
    expect(prio.code).toBe(1);
    expect(prio.err).toMatch(/invalid priority "7" — use 0-4 or P0-P4/);
    const a = (await gt(['bd', 'create', 'status check', '--json'], { env })).json<{ id: string }>().id;
    const status = await gt(['bd', 'update', a, '--status', 'doing'], { env });
    expect(status.err).toMatch(/invalid status "doing" — use one of: open, in_progress, blocked, deferred, closed, pinned, hooked/);
    const unknown = await gt(['bd', 'show', `${a.slice(0, -1)}${a.endsWith('z') ? 'y' : 'z'}`], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(`did you mean ${a}`);
    const cycle1 = (await gt(['bd', 'create', 'c1', '--json'], { env })).json<{ id: string }>().id;
    const cycle2 = (await gt(['bd', 'create', 'c2', '--deps', cycle1, '--json'], { env })).json<{ id: string }>().id;
    const cyc = await gt(['bd', 'dep', 'add', cycle1, cycle2], { env });
    expect(cyc.code).toBe(1);
    expect(cyc.err).toContain(`${cycle1} → ${cycle2} → ${cycle1}`);
    expect((await gt(['bd', 'create'], { env })).code).toBe(2);
  });

  it('a malformed JSONL line is reported with file and line, and nothing is imported', async () => {
    const before = (await gt(['bd', 'stats', '--json'], { env })).json<{ total_issues: number }>().total_issues;
    const bad = join(tmp.dir, 'bad.jsonl');
    writeFileSync(bad, [
      '{"id":"zz-aaa","title":"fine","status":"open","priority":1,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}',
      '{"id":"zz-bbb","title":"also fine","status":"open","priority":1,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}',
      '{"id":"zz-ccc","title": broken',
    ].join('\n'));
    const r = await gt(['bd', 'import', bad], { env });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3`);
    expect((await gt(['bd', 'stats', '--json'], { env })).json<{ total_issues: number }>().total_issues).toBe(before);
    expect((await gt(['bd', 'show', 'zz-aaa'], { env })).code).toBe(1);
  });

  it('exports to the town repo in the background and commits once per burst', async () => {
    const { waitFor } = await import('./helpers.js');
    const log = async () => (await import('node:child_process')).execFileSync('git', ['log', '--format=%an|%s', '--', '.beads/issues.jsonl'], { cwd: root, encoding: 'utf8' });
    await waitFor(async () => (await log()).includes('overseer|bd:'), 20_000, 'a ledger commit by overseer');
    const text = readFileSync(join(root, '.beads/issues.jsonl'), 'utf8');
    expect(text).toContain('"title":"shape check"');
  });
});

describe('beads fixtures through the CLI and SQLite', () => {
  const tmp = tempDir('gt-fix-');
  const root = join(tmp.dir, 'town');
  const env = { GT_TOWN: root, BD_ACTOR: 'importer' };
  beforeAll(async () => {
    expect((await gt(['install', root])).code).toBe(0);
    expect((await gt(['config', 'set', 'ledger.auto_export', 'false'], { env })).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'));
  it.each([...files, 'backup-2026-03'])('imports %s, and export → import into a fresh town gives the same ledger', async (name) => {
    const r = await gt(['bd', 'import', join(FIXTURES, name), '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const result = r.json<{ created: number; updated: number; skipped: number }>();
    expect(result.created + result.updated + result.skipped).toBeGreaterThan(0);
    const out = join(tmp.dir, `${name}.export.jsonl`);
    expect((await gt(['bd', 'export', '-o', out], { env })).code).toBe(0);
    // a second town imports the export and exports again: byte-identical
    const second = join(tmp.dir, `second-${name}`);
    expect((await gt(['install', second])).code).toBe(0);
    const env2 = { GT_TOWN: second, BD_ACTOR: 'importer' };
    expect((await gt(['config', 'set', 'ledger.auto_export', 'false'], { env: env2 })).code).toBe(0);
    expect((await gt(['bd', 'import', out], { env: env2 })).code).toBe(0);
    const out2 = join(tmp.dir, `${name}.export2.jsonl`);
    expect((await gt(['bd', 'export', '-o', out2], { env: env2 })).code).toBe(0);
    expect(readFileSync(out2, 'utf8')).toBe(readFileSync(out, 'utf8'));
    // importing the same file again changes nothing
    const again = (await gt(['bd', 'import', out, '--json'], { env: env2 })).json<{ created: number; updated: number }>();
    expect(again).toMatchObject({ created: 0, updated: 0 });
  });

  it('re-exports dialect-a-2026-01.jsonl byte for byte after importing it alone', async () => {
    const solo = join(tmp.dir, 'solo');
    expect((await gt(['install', solo])).code).toBe(0);
    const envS = { GT_TOWN: solo, BD_ACTOR: 'importer' };
    expect((await gt(['bd', 'import', join(FIXTURES, 'dialect-a-2026-01.jsonl')], { env: envS })).code).toBe(0);
    const out = await gt(['bd', 'export'], { env: envS });
    expect(out.out).toBe(readFileSync(join(FIXTURES, 'dialect-a-2026-01.jsonl'), 'utf8'));
    expect(existsSync(join(solo, 'town.db'))).toBe(true);
  });
});

// gt demo itself (its agents, merges, mail and refusals) is tested in test/demo/demo.test.ts.
describe('gt status on the demo town', () => {
  const tmp = tempDir('gt-demo-');
  afterAll(() => tmp.cleanup());

  it('gt status --json describes the town', async () => {
    const demo = await createDemoTown(join(tmp.dir, 'demo2'), GT_BIN); // the town only: no agents started
    const s = await gt(['status', '--json'], { env: { GT_TOWN: demo.root } });
    expect(s.json()).toMatchObject({ town: { name: 'demo', prefix: 'hq' }, rigs: [{ name: 'hello', prefix: 'he', default_branch: 'main' }] });
    const text = await gt(['status'], { env: { GT_TOWN: demo.root } });
    expect(text.out).toContain('hello  [he-]  main');
  });
});
