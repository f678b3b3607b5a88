// The whole loop with the daemon's refinery on: sling → scripted agents commit and gt done →
// the refinery tests the batch with the rig's own test suite and lands it → beads closed. Then
// the daemon is killed mid-gate: the next daemon finishes the batch, nothing merged twice.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { processAlive, readDaemonPid } from '../../src/daemon/client.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, git, gt, runBin, scriptedBead, sling, townDb, waitFor } from './helpers.js';

describe('sling → done → refinery → merged', () => {
  const tmp = tempDir('gt-loop-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir, { refinery: true }));
    const gates = { test: { cmd: 'node --test', timeout_ms: 60_000, phase: 'test' } };
    expect((await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates', JSON.stringify(gates)], { env })).code).toBe(0);
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('three slung beads are implemented, merged by the refinery and closed', async () => {
    const beads: string[] = [];
    for (const n of [1, 2, 3]) {
      beads.push(await scriptedBead(env, `feature ${n}`, [
        `write f${n}.js export const f${n} = () => ${n};`,
        `write f${n}.test.js import { test } from 'node:test'; import assert from 'node:assert/strict'; import { f${n} } from './f${n}.js'; test('f${n}', () => assert.equal(f${n}(), ${n}));`,
        `commit feature ${n}`, 'done',
      ]));
    }
    for (const b of beads) expect((await sling(env, b)).code).toBe(0);
    const db = townDb(root);
    try {
      await waitFor(() => (db.prepare("SELECT count(*) FROM merge_requests WHERE state = 'merged'").pluck().get() as number) === 3, 60_000, 'three merges');
      for (const b of beads) {
        const show = (await gt(['bd', 'show', b, '--json'], { env })).json<Array<{ status: string; close_reason: string }>>()[0]!;
        expect(show.status).toBe('closed');
        expect(show.close_reason).toMatch(/^merged [0-9a-f]{12}$/);
      }
      const files = git(join(root, 'app/.repo.git'), 'ls-tree', '--name-only', 'main');
      for (const n of [1, 2, 3]) expect(files).toContain(`f${n}.test.js`);
      // merged polecat branches are deleted (their sandboxes were detached first), right after the merge
      await waitFor(() => git(join(root, 'app/.repo.git'), 'branch', '--list', 'polecat/*').trim() === '', 10_000, 'merged branches deleted');
    } finally {
      db.close();
    }
  });

  it('a polecat is reused for the next bead after its branch merged', async () => {
    const bead = await scriptedBead(env, 'feature 4', ['write f4.txt four', 'commit feature 4', 'done']);
    const s = await sling(env, bead);
    expect(s.code, s.err).toBe(0);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    expect(['nux', 'slit', 'furiosa'].some((n) => address.endsWith(n)) || address.startsWith('app/polecats/')).toBe(true);
    const db = townDb(root);
    try {
      await waitFor(() => db.prepare("SELECT state FROM merge_requests WHERE bead_id = ?").pluck().get(bead) === 'merged', 60_000, 'the fourth merge');
    } finally {
      db.close();
    }
  });

  it('the daemon killed mid-gate: the next daemon finishes the batch; nothing lost, nothing merged twice', async () => {
    const slow = { test: { cmd: 'sleep 2 && node --test', timeout_ms: 60_000, phase: 'test' } };
    expect((await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates', JSON.stringify(slow)], { env })).code).toBe(0);
    const before = git(join(root, 'app/.repo.git'), 'rev-list', '--count', 'main');
    const beads: string[] = [];
    for (const n of [5, 6]) beads.push(await scriptedBead(env, `feature ${n}`, [`write f${n}.txt ${n}`, `commit feature ${n}`, 'done']));
    for (const b of beads) expect((await sling(env, b)).code).toBe(0);
    const db = townDb(root);
    try {
      await waitFor(() => db.prepare("SELECT count(*) FROM refinery_batches WHERE state = 'testing'").pluck().get() as number > 0, 60_000, 'a batch in its gates');
      const pid = readDaemonPid(root)!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !processAlive(pid), 5_000, 'the daemon to die');
      const c = await client(root); // a new daemon
      const ping = await c.request<{ pid: number }>('daemon.ping');
      c.close();
      expect(ping.pid).not.toBe(pid);
      await waitFor(() => (db.prepare("SELECT count(*) FROM merge_requests WHERE bead_id IN (?, ?) AND state = 'merged'").pluck().get(beads[0], beads[1]) as number) === 2, 90_000, 'both merges after the restart')
        .catch((e: Error) => {
          const log = readFileSync(join(root, 'logs/daemon.log'), 'utf8').split('\n').slice(-40).join('\n') + '\nPS ' + execFileSync('ps', ['-eo', 'pid,ppid,stat,args'], { encoding: 'utf8' }).split('\n').filter((l) => /daemon run|sleep|node --test/.test(l)).join('\n') + '\nPIDFILE ' + String(readDaemonPid(root));
          const mrs = JSON.stringify(db.prepare('SELECT id, state, error FROM merge_requests').all());
          const batches = JSON.stringify(db.prepare('SELECT id, state, mr_ids FROM refinery_batches').all());
          throw new Error(`${e.message}\nMRs ${mrs}\nbatches ${batches}\n${log}`);
        });
      const after = Number(git(join(root, 'app/.repo.git'), 'rev-list', '--count', 'main'));
      expect(after - Number(before)).toBe(2); // each commit once
      expect(db.prepare("SELECT count(*) FROM refinery_batches WHERE state = 'abandoned'").pluck().get()).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  }, 180_000);
});
