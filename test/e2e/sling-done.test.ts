// Issue #3 end to end: real daemon, real PTYs, real git, real SQLite; the scripted fake agent
// stands in for the LLM.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { processAlive, readDaemonPid } from '../../src/daemon/client.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, git, gt, runBin, scriptedBead, sling, townDb, waitFor, waitStatus } from './helpers.js';

describe('sling → scripted agents → gt done', () => {
  const tmp = tempDir('gt-e2e-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('three beads slung to the rig: three polecats, worktrees and branches; three merge requests; polecats idle', async () => {
    const beads: string[] = [];
    for (const n of [1, 2, 3]) beads.push(await scriptedBead(env, `feature ${n}`, [`write feature${n}.txt feature ${n}`, `commit add feature ${n}`, 'done']));
    const slung = await Promise.all(beads.map((b) => sling(env, b)));
    for (const s of slung) expect(s.code, s.err).toBe(0);
    const agents = slung.map((s) => s.json<{ agent: AgentInfo }>().agent.address);
    expect(new Set(agents).size).toBe(3);

    const db = townDb(root);
    try {
      await waitFor(() => (db.prepare('SELECT count(*) FROM merge_requests').pluck().get() as number) === 3, 30_000, 'three merge requests');
      const mrs = db.prepare('SELECT bead_id, branch, polecat, commit_sha, state FROM merge_requests ORDER BY bead_id').all() as Array<{ bead_id: string; branch: string; polecat: string; commit_sha: string; state: string }>;
      expect(mrs.map((m) => m.bead_id).sort()).toEqual([...beads].sort());
      for (const mr of mrs) {
        expect(mr.state).toBe('queued');
        expect(mr.branch).toBe(`polecat/${mr.polecat.split('/').pop()}/${mr.bead_id}`);
        const wt = join(root, 'app/polecats', mr.polecat.split('/').pop()!);
        expect(git(wt, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(mr.branch);
        expect(git(wt, 'rev-parse', 'HEAD').trim()).toBe(mr.commit_sha);
        expect(git(wt, 'log', '-1', '--format=%an').trim()).toBe(mr.polecat); // the agent's identity
      }
      await waitFor(() => (db.prepare("SELECT count(*) FROM agents WHERE role = 'polecat' AND state = 'idle' AND hook_bead = ''").pluck().get() as number) === 3, 10_000, 'idle polecats');
      for (const b of beads) {
        const show = (await gt(['bd', 'show', b, '--json'], { env })).json<Array<{ status: string }>>()[0]!;
        expect(show.status).toBe('in_progress'); // done, awaiting merge: not ready again
      }
    } finally {
      db.close();
    }
  });

  it('kill -9 of the daemon mid-run: the next gt command brings it back, the hooked session restarts and finishes once', async () => {
    const bead = await scriptedBead(env, 'slow work', ['sleep 1500', 'write slow.txt slow', 'commit slow work', 'done']);
    const s = await sling(env, bead);
    expect(s.code, s.err).toBe(0);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    const pid = readDaemonPid(root)!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), 5_000, 'the daemon to die');
    const agents = await runBin(GT_BIN, ['agents', '--json'], { env }); // any command: daemon back
    expect(agents.code, agents.err).toBe(0);
    expect(readDaemonPid(root)).not.toBe(pid);
    const db = townDb(root);
    try {
      await waitFor(() => db.prepare('SELECT count(*) FROM merge_requests WHERE bead_id = ?').pluck().get(bead) === 1, 30_000, 'the merge request after recovery');
      const sessions = db.prepare('SELECT generation, state, exit_reason FROM sessions WHERE agent = ? ORDER BY generation').all(address) as Array<{ generation: number; state: string; exit_reason: string | null }>;
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      expect(sessions.some((x) => x.exit_reason?.includes('daemon'))).toBe(true);
      expect(db.prepare('SELECT count(*) FROM merge_requests WHERE bead_id = ?').pluck().get(bead)).toBe(1);
      expect(db.prepare("SELECT count(*) FROM issues WHERE doc ->> '$.title' = 'slow work'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('status: a question is waiting within 2 s, silence past the threshold is stuck, an exit is exited with its code', async () => {
    const c = await client(root);
    try {
      const ask = await scriptedBead(env, 'asks', ['ask Which database should I use?', 'done --no-changes answered']);
      const askAgent = (await sling(env, ask)).json<{ agent: AgentInfo }>().agent.address;
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address: askAgent })).lines.some((l) => l.includes('question: Which database')), 15_000, 'the question on screen');
      const waiting = await waitStatus(c, askAgent, 'waiting', 2_000);
      expect(waiting.session?.why).toMatch(/question|waiting/i);
      // answer it through a nudge: it continues and finishes
      await c.request('nudge.send', { address: askAgent, text: 'Postgres', urgent: true });
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address: askAgent, lines: 60 })).lines.some((l) => l.includes('answer was Postgres')), 10_000, 'the answer');

      const fail = await scriptedBead(env, 'fails', ['fail 3']);
      const failAgent = (await sling(env, fail)).json<{ agent: AgentInfo }>().agent.address;
      const exited = await waitStatus(c, failAgent, 'exited', 15_000);
      expect(exited.session?.exit_code).toBe(3);
    } finally {
      c.close();
    }
  });

  it('a message for an old generation is refused by the fresh session', async () => {
    const c = await client(root);
    try {
      const list = await c.request<AgentInfo[]>('agent.list', {});
      const running = list.find((a) => a.session && a.session.status !== 'exited');
      expect(running).toBeTruthy();
      const gen = running!.generation;
      await c.request('agent.restart', { address: running!.address, reason: 'test' });
      await expect(c.request('session.input', { address: running!.address, generation: gen, data: 'x' })).rejects.toMatchObject({ code: 'STALE_GENERATION' });
    } finally {
      c.close();
    }
  });

  it('bead text with quotes, $(...) and backticks reaches the agent verbatim and is never run by a shell', async () => {
    const marker = join(tmp.dir, 'pwned');
    const title = `say "hi" $(touch ${marker}) \`touch ${marker}\` 'q'`;
    const r = await gt(['bd', 'create', title, '--rig', 'app', '-d', 'script:\ndone --no-changes nothing to do', '--silent'], { env });
    const bead = r.out.trim();
    const s = await sling(env, bead);
    expect(s.code, s.err).toBe(0);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 80 })).lines.some((l) => l.includes(`hooked ${bead}: ${title}`)), 15_000, 'the title on screen');
    } finally {
      c.close();
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses bad input with the reason', async () => {
    const closed = await scriptedBead(env, 'closed one', ['done']);
    await gt(['bd', 'close', closed, '--reason', 'not needed'], { env });
    const r1 = await runBin(GT_BIN, ['sling', closed, 'app'], { env });
    expect(r1.code).toBe(1);
    expect(r1.err).toContain('it is closed (not needed)');

    const hooked = await scriptedBead(env, 'held', ['sleep 60000']);
    expect((await sling(env, hooked)).code).toBe(0);
    const r2 = await runBin(GT_BIN, ['sling', hooked, 'app'], { env });
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/already on .*'s hook/);

    const other = await scriptedBead(env, 'unknown runtime', ['done']);
    const r3 = await runBin(GT_BIN, ['sling', other, 'app', '--agent', 'claud'], { env });
    expect(r3.code).toBe(1);
    expect(r3.err).toContain('unknown runtime "claud"');
    expect(r3.err).toContain('claude');

    const done = await runBin(GT_BIN, ['done'], { env: { ...env, BD_ACTOR: 'overseer' }, cwd: tmp.dir });
    expect(done.code).toBe(1);
    expect(done.err).toMatch(/polecat/);
  });

  it('a runtime missing from PATH: the error shows in the session, it is exited with the reason, the bead is open again with a comment', async () => {
    expect((await gt(['config', 'agent', 'set', 'ghost', 'no-such-agent-binary-xyz --flag', '--rules', 'generic'], { env })).code).toBe(0);
    const bead = await scriptedBead(env, 'for the ghost', ['done']);
    const s = await sling(env, bead, 'app', ['--agent', 'ghost']);
    expect(s.code, s.err).toBe(0);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      const a = await waitStatus(c, address, 'exited', 10_000);
      expect(a.session?.exit_code).toBe(127);
      expect(a.session?.exit_reason).toContain('no-such-agent-binary-xyz');
      const screen = (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 20 })).lines.join('\n');
      expect(screen).toContain('cannot start no-such-agent-binary-xyz'); // the error is shown in the session
    } finally {
      c.close();
    }
    await waitFor(async () => (await gt(['bd', 'show', bead, '--json'], { env })).json<Array<{ status: string }>>()[0]!.status === 'open', 10_000, 'the bead to be open again');
    const comments = (await gt(['bd', 'comments', bead, '--json'], { env })).json<Array<{ text: string }>>();
    expect(comments.some((x) => x.text.includes('could not start'))).toBe(true);
    const rec = readFileSync(join(root, 'logs/daemon.log'), 'utf8');
    expect(rec).toContain('no-such-agent-binary-xyz');
  });
});
