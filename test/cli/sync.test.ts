// Two towns on "different machines" share one ledger through git: push, pull, and the by-id
// merge driver resolving divergent .beads/issues.jsonl (issue #2 §4).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIT_ENV, gt, tempDir } from './helpers.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('gt bd sync between two towns', () => {
  const tmp = tempDir('gt-sync-');
  const remote = join(tmp.dir, 'remote.git');
  const a = join(tmp.dir, 'a');
  const b = join(tmp.dir, 'b');
  const envA = { GT_TOWN: a, BD_ACTOR: 'alice' };
  const envB = { GT_TOWN: b, BD_ACTOR: 'bob' };
  const ids: Record<string, string> = {};
  const create = async (env: NodeJS.ProcessEnv, title: string) => {
    const r = await gt(['bd', 'create', title, '--json'], { env });
    expect(r.code, r.err).toBe(0);
    return r.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    git(tmp.dir, 'init', '-q', '--bare', '-b', 'main', remote);
    expect((await gt(['install', a])).code).toBe(0);
    expect((await gt(['config', 'set', 'ledger.auto_export', 'false'], { env: envA })).code).toBe(0);
    git(a, 'remote', 'add', 'origin', remote);
    ids.x = await create(envA, 'x: shared from the start');
    ids.y = await create(envA, 'y: shared from the start');
    const first = await gt(['bd', 'sync', '--json'], { env: envA });
    expect(first.code, first.err).toBe(0);
    expect(first.json()).toMatchObject({ remote: 'origin', pushed: true });
    // machine B: clone the town repo and install over it (fills town.db, keeps town.json)
    git(tmp.dir, 'clone', '-q', remote, b);
    const inst = await gt(['install', b]);
    expect(inst.code, inst.err).toBe(0);
    expect((await gt(['config', 'set', 'ledger.auto_export', 'false'], { env: envB })).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('a cloned town imports the ledger on first use', async () => {
    const list = (await gt(['bd', 'list', '--json'], { env: envB })).json<Array<{ id: string }>>();
    expect(list.map((i) => i.id).sort()).toEqual([ids.x, ids.y].sort());
  });

  it('divergent changes on both sides merge by id: newest field wins, closed wins, labels union, no duplicates', async () => {
    // A: close x, create z.  B: label x, reprioritize y, create w.
    expect((await gt(['bd', 'close', ids.x!, '--reason', 'done on A'], { env: envA })).code).toBe(0);
    ids.z = await create(envA, 'z: made on A');
    expect((await gt(['bd', 'label', 'add', ids.x!, 'seen-on-b'], { env: envB })).code).toBe(0);
    expect((await gt(['bd', 'update', ids.y!, '-p', '0'], { env: envB })).code).toBe(0);
    ids.w = await create(envB, 'w: made on B');

    expect((await gt(['bd', 'sync'], { env: envA })).code).toBe(0);
    const syncB = await gt(['bd', 'sync', '--json'], { env: envB });
    expect(syncB.code, syncB.err).toBe(0);
    expect(syncB.json()).toMatchObject({ pulled: true, pushed: true });
    const pullA = await gt(['bd', 'sync', '--pull'], { env: envA });
    expect(pullA.code, pullA.err).toBe(0);

    for (const env of [envA, envB]) {
      const shown = (await gt(['bd', 'show', ids.x!, ids.y!, ids.z!, ids.w!, '--json'], { env })).json<Array<Record<string, unknown>>>();
      const byId = Object.fromEntries(shown.map((s) => [s.id, s]));
      expect(byId[ids.x!]).toMatchObject({ status: 'closed', close_reason: 'done on A', labels: ['seen-on-b'] });
      expect(byId[ids.y!]).toMatchObject({ priority: 0 });
      expect(byId[ids.z!]).toBeTruthy();
      expect(byId[ids.w!]).toBeTruthy();
    }
    const fileA = readFileSync(join(a, '.beads/issues.jsonl'), 'utf8');
    const fileB = readFileSync(join(b, '.beads/issues.jsonl'), 'utf8');
    expect(fileA).toBe(fileB);
    const lineIds = fileA.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(lineIds).size).toBe(lineIds.length);
    expect(lineIds.length).toBe(4);
    expect(git(b, 'log', '--oneline').split('\n').some((l) => /Merge/.test(l))).toBe(true);
  });

  it('a town without a remote still exports and commits locally', async () => {
    const solo = join(tmp.dir, 'solo');
    expect((await gt(['install', solo])).code).toBe(0);
    await create({ GT_TOWN: solo, BD_ACTOR: 'carol' }, 'local only');
    const r = await gt(['bd', 'sync', '--json'], { env: { GT_TOWN: solo } });
    expect(r.code, r.err).toBe(0);
    expect(r.json()).toMatchObject({ remote: null, exported: 1 });
    expect(git(solo, 'log', '-1', '--format=%an')).toContain('carol');
  });
});
