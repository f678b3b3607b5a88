// `gt demo`: a throwaway town whose scripted agents (the shipped `scripted` runtime, no LLM) do
// real work: the convoy's two beads are slung at once, one mails the overseer, one escalates,
// the refinery runs the sample repo's own tests and merges both onto main (pushed back to the
// sample repository), and the convoy lands; the beads left ready work when slung too.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSling } from '../../src/cli/commands/demo.js';
import { processAlive, readDaemonPid } from '../../src/daemon/client.js';
import type { DemoTown } from '../../src/store/town/demo.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, git, gt, runBin, townDb, waitFor } from '../e2e/helpers.js';

interface DemoJson {
  demo: DemoTown;
  slung: DemoSling[];
}

/** A readable failure: the daemon log's tail and the merge requests. */
function diagnose(root: string, e: Error): Error {
  const log = existsSync(join(root, 'logs/daemon.log')) ? readFileSync(join(root, 'logs/daemon.log'), 'utf8').split('\n').slice(-40).join('\n') : '(no daemon log)';
  const db = townDb(root);
  try {
    const mrs = JSON.stringify(db.prepare('SELECT id, bead_id, state, error FROM merge_requests').all());
    return new Error(`${e.message}\nMRs ${mrs}\n${log}`);
  } finally {
    db.close();
  }
}

describe('gt demo', () => {
  const tmp = tempDir('gt-demo-');
  const dir = join(tmp.dir, 'demo');
  let demo: DemoTown;
  let slung: DemoSling[] = [];
  let env: Record<string, string> = {};

  beforeAll(async () => {
    const started = Date.now();
    const r = await runBin(GT_BIN, ['demo', '--dir', dir, '--no-tui', '--json'], { env: { GT_TOWN: '' } });
    expect(r.code, r.err).toBe(0);
    ({ demo, slung } = r.json<DemoJson>());
    env = { GT_TOWN: demo.root, BD_ACTOR: 'overseer' };
    console.log(`gt demo took ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    if (demo) await runBin(GT_BIN, ['daemon', 'stop'], { env: { GT_TOWN: demo.root } });
    tmp.cleanup();
  });

  it('slings the convoy: a mail to the overseer, an open escalation, both merged onto main, the convoy landed', async () => {
    const started = Date.now();
    expect(slung.map((s) => s.bead)).toEqual(demo.work);
    expect(demo.work).toEqual([demo.beads.nameFlag, demo.beads.emptyName]);
    for (const s of slung) {
      expect(s.address).toMatch(/^hello\/polecats\//);
      expect(s.convoy).toBe(demo.convoy);
    }
    // the town runs the shipped scripted agent, with nothing configured
    const agents = (await gt(['config', 'agent', 'list', '--json'], { env })).json<{ default_agent: string; runtimes: Array<{ name: string; args: string[] }> }>();
    expect(agents.default_agent).toBe('scripted');
    expect(agents.runtimes.find((p) => p.name === 'scripted')!.args[0]).toMatch(/bin\/gt-scripted-agent\.mjs$/);

    const db = townDb(demo.root);
    try {
      await waitFor(() => db.prepare("SELECT json_extract(doc, '$.close_reason') FROM issues WHERE id = ?").pluck().get(demo.convoy) === 'landed', 90_000, 'the convoy to land')
        .catch((e: Error) => { throw diagnose(demo.root, e); });
      console.log(`the convoy landed ${Date.now() - started} ms after gt demo returned`);
    } finally {
      db.close();
    }
    const convoys = (await gt(['convoy', 'list', '--all', '--json'], { env })).json<Array<{ id: string; landed: boolean; counts: { merged: number; total: number } }>>();
    expect(convoys.find((c) => c.id === demo.convoy)).toMatchObject({ landed: true, counts: { merged: 2, total: 2 } });

    // merged onto main: in the rig's clone and pushed back to the sample repository, files too
    for (const repo of [join(demo.root, 'hello/.repo.git'), demo.repo]) {
      const files = git(repo, 'ls-tree', '--name-only', 'main');
      for (const f of ['cli.js', 'cli.test.js', 'hello.js', 'hello.test.js']) expect(files).toContain(f);
      expect(git(repo, 'show', 'main:hello.js')).toContain("name || 'world'");
      const log = git(repo, 'log', '--format=%s', 'main');
      expect(log).toContain('hello: a --name flag (cli.js)');
      expect(log).toContain('hello: an empty name greets the world');
    }
    expect(readFileSync(join(demo.repo, 'cli.js'), 'utf8')).toContain("argv.indexOf('--name')");
    for (const b of demo.work) {
      const show = (await gt(['bd', 'show', b, '--json'], { env })).json<Array<{ status: string; close_reason: string }>>()[0]!;
      expect(show).toMatchObject({ status: 'closed' });
      expect(show.close_reason).toMatch(/^merged [0-9a-f]{12}$/);
    }

    const inbox = (await gt(['mail', 'inbox', 'overseer', '--json'], { env })).json<Array<{ message: { subject: string; kind: string; from: string } }>>();
    const subjects = inbox.map((m) => m.message.subject);
    expect(subjects).toContain('hello v1: ready for review');
    expect(subjects).toContain('Convoy landed: hello v1: --name and the empty-name fix');
    expect(inbox.find((m) => m.message.subject === 'hello v1: ready for review')!.message.from).toBe(slung[0]!.address);

    const escalations = (await gt(['escalate', 'list', '--json'], { env })).json<Array<{ summary: string; severity: string; state: string; assignee: string; bead_id: string }>>();
    expect(escalations).toEqual([expect.objectContaining({
      summary: 'Should --name accept an empty string?', severity: 'medium', state: 'open', assignee: 'overseer', bead_id: demo.beads.emptyName,
    })]);

    // left for the user: the spare beads, and the README bead now that --name is merged
    const ready = (await gt(['bd', 'ready', '--json'], { env })).json<Array<{ id: string; issue_type: string; description?: string }>>()
      .filter((i) => i.issue_type !== 'convoy'); // open convoys show as ready work (a ledger matter, not the demo's)
    const ids = ready.map((i) => i.id);
    expect(demo.spare.length).toBeGreaterThanOrEqual(3);
    for (const b of [...demo.spare, demo.beads.docs]) expect(ids).toContain(b);
    for (const i of ready) expect(i.description ?? '').toContain('\nscript:\n');
  }, 120_000);

  it('every bead left ready works when slung: each is merged, and the release bead after them', async () => {
    const started = Date.now();
    const ready = (await gt(['bd', 'ready', '--json'], { env })).json<Array<{ id: string; issue_type: string }>>()
      .filter((i) => i.issue_type !== 'convoy').map((i) => i.id);
    expect(ready.sort()).toEqual([...demo.spare, demo.beads.docs].sort());
    for (const b of ready) {
      const r = await runBin(GT_BIN, ['sling', b, 'hello', '--json'], { env });
      expect(r.code, r.err).toBe(0);
    }
    const db = townDb(demo.root);
    const merged = (ids: string[]) => (db.prepare(`SELECT count(DISTINCT bead_id) FROM merge_requests WHERE state = 'merged' AND bead_id IN (${ids.map(() => '?').join(',')})`).pluck().get(...ids) as number) === ids.length;
    try {
      await waitFor(() => merged(ready), 120_000, 'every slung bead merged').catch((e: Error) => { throw diagnose(demo.root, e); });
      // the release bead was blocked by the README bead; now it is ready and works too
      const r = await runBin(GT_BIN, ['sling', demo.beads.release, 'hello', '--json'], { env });
      expect(r.code, r.err).toBe(0);
      await waitFor(() => merged([demo.beads.release]), 60_000, 'the release merged').catch((e: Error) => { throw diagnose(demo.root, e); });
      console.log(`${ready.length + 1} more beads merged in ${Date.now() - started} ms`);
    } finally {
      db.close();
    }
    const files = git(demo.repo, 'ls-tree', '--name-only', 'main');
    for (const f of ['ROADMAP.md', 'bonjour.js', 'bonjour.test.js', '.gitignore', 'CHANGELOG.md']) expect(files).toContain(f);
    expect(git(demo.repo, 'show', 'main:README.md')).toContain('node cli.js --name Ada');
    const inbox = (await gt(['mail', 'inbox', 'overseer', '--json'], { env })).json<Array<{ message: { subject: string } }>>();
    expect(inbox.map((m) => m.message.subject)).toContain('hello v1 is out');
  }, 240_000);

  it('gt demo again replaces the demo: the old daemon is stopped first', async () => {
    const oldPid = readDaemonPid(demo.root)!;
    expect(processAlive(oldPid)).toBe(true);
    const r = await runBin(GT_BIN, ['demo', '--dir', dir, '--no-tui', '--json'], { env: { GT_TOWN: '' } });
    expect(r.code, r.err).toBe(0);
    ({ demo, slung } = r.json<DemoJson>());
    expect(processAlive(oldPid)).toBe(false);
    expect(slung).toHaveLength(2);
    const pid = readDaemonPid(demo.root)!;
    expect(pid).not.toBe(oldPid);
    expect(processAlive(pid)).toBe(true);
    const text = await runBin(GT_BIN, ['bd', 'list', '--json'], { env: { GT_TOWN: demo.root } });
    expect(text.json<Array<{ id: string }>>().map((i) => i.id)).toContain(demo.beads.setup);
  }, 60_000);

  it('refuses a folder that is not a demo and leaves it untouched', async () => {
    const other = join(tmp.dir, 'mine');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'keep me\n');
    const r = await runBin(GT_BIN, ['demo', '--dir', other, '--no-tui'], { env: { GT_TOWN: '' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${other} exists and is not a Gas Town demo`);
    expect(r.err).toContain('--dir');
    expect(readdirSync(other)).toEqual(['notes.txt']);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });
});
