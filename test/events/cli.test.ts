import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/store/events.js';
import { installTown, openTown, type Town } from '../../src/store/town/town.js';
import { insertSession, markSessionExited } from '../../src/store/work/agents.js';
import { AsciicastWriter } from '../../src/sessions/replay.js';
import { gt, waitFor } from '../cli/helpers.js';
import { isolateGit } from '../work/helpers.js';

let env: ReturnType<typeof isolateGit>;
let root: string;
let town: Town;
const run = (args: string[]) => gt(args, { cwd: root, env: { GT_TOWN: root } });

beforeAll(async () => {
  env = isolateGit();
  root = (await installTown(join(env.base, 'town'), { name: 'test', owner: 'me@example.com' })).root;
  town = openTown(root);
});
afterAll(() => {
  town.close();
  env.cleanup();
});

describe('gt feed', () => {
  beforeEach(() => {
    town.db.exec('DELETE FROM town_events');
  });

  it('says so when there are no events', async () => {
    const r = await run(['feed']);
    expect(r).toMatchObject({ code: 0, out: 'No events yet.\n' });
  });

  it('prints events oldest first, as lines or JSON Lines, filtered by rig, type, since and -n', async () => {
    recordEvent(town, { type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'dm-1', payload: { agent: 'demo/polecats/nux' } });
    recordEvent(town, { type: 'mr.merged', actor: 'demo/refinery', rig: 'demo', subject: 'demo-mr-1', payload: { sha: 'b'.repeat(40) } });
    recordEvent(town, { type: 'agent.started', actor: 'deacon', rig: 'other', subject: 'other/polecats/x\u001b[2J', payload: { generation: 1 } });

    const text = await run(['feed']);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d bead\.slung\s+mayor\s+dm-1  agent=demo\/polecats\/nux$/);
    expect(lines[1]).toContain('sha=bbbbbbbbbb');
    expect(lines[2]).toContain('other/polecats/x^[[2J'); // control characters made inert

    const json = await run(['feed', '--json']);
    const rows = json.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; subject: string; payload: unknown });
    expect(rows.map((r) => r.type)).toEqual(['bead.slung', 'mr.merged', 'agent.started']);
    expect(rows[0]).toMatchObject({ subject: 'dm-1', payload: { agent: 'demo/polecats/nux' } });

    const types = async (args: string[]) => (await run(['feed', '--json', ...args])).out.trimEnd().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { type: string }).type);
    expect(await types(['--rig', 'demo'])).toEqual(['bead.slung', 'mr.merged']);
    expect(await types(['--type', 'mr'])).toEqual(['mr.merged']);
    expect(await types(['-n', '1'])).toEqual(['agent.started']);
    expect(await types(['--since', '1h'])).toHaveLength(3);
    expect(await types(['--since', '2099-01-01T00:00:00Z'])).toEqual([]);
  });

  it('--follow prints new events as they come and exits cleanly on SIGINT', async () => {
    recordEvent(town, { type: 'bead.slung', actor: 'mayor', rig: 'demo', subject: 'before' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'feed-worker.ts'), 'feed', '--follow', '--json', '--rig', 'demo'], {
      env: { ...process.env, GT_TOWN: root }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitFor(() => out.includes('"before"'), 20_000, 'the backlog');
      recordEvent(town, { type: 'mr.created', actor: 'x', rig: 'other', subject: 'elsewhere' });
      recordEvent(town, { type: 'mr.created', actor: 'demo/polecats/nux', rig: 'demo', subject: 'live' });
      await waitFor(() => out.includes('"live"'), 20_000, 'the new event');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { subject: string }).subject)).toEqual(['before', 'live']);
  });

  it('reports a bad --since or -n', async () => {
    const since = await run(['feed', '--since', 'soon']);
    expect(since.code).toBe(1);
    expect(since.err).toMatch(/^error: cannot read "soon" as a time — use a duration/);
    const n = await run(['feed', '-n', 'lots']);
    expect(n.code).toBe(2);
    expect(n.err).toContain('-n must be a whole number');
  });
});

describe('gt seance', () => {
  let recording: string;

  beforeAll(async () => {
    recording = join(root, 'logs', 'recordings', 'demo-polecats-nux-1.cast');
    const w = new AsciicastWriter(recording, { width: 40, height: 6 });
    w.event('o', 'hello from nux\r\n');
    w.event('o', '\u001b[31mred\u001b[0m line\r\n');
    w.event('i', 'typed\r');
    w.event('o', 'bye');
    await w.close();
    insertSession(town.db, { agent: 'demo/polecats/nux', generation: 1, runtime: 'claude', argv: ['claude'], cwd: root, recording });
    markSessionExited(town.db, 'demo/polecats/nux#1', { code: 0, reason: 'exited' });
    insertSession(town.db, { agent: 'demo/polecats/nux', generation: 2, runtime: 'codex', argv: ['codex'], cwd: root });
    insertSession(town.db, { agent: 'mayor', generation: 1, runtime: 'claude', argv: ['claude'], cwd: root, recording: join(root, 'gone.cast') });
  });

  it('lists agents with their session counts', async () => {
    const r = await run(['seance']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/demo\/polecats\/nux\s+2 sessions\s+latest #2 .*\(1 recorded\)/);
    expect(r.out).toMatch(/mayor\s+1 session\s+latest #1/);
    const json = (await run(['seance', '--json'])).json<Array<{ agent: string; sessions: number }>>();
    expect(json.map((s) => [s.agent, s.sessions])).toEqual([['demo/polecats/nux', 2], ['mayor', 1]]);
  });

  it("lists an agent's sessions (by full address or unique name)", async () => {
    const r = await run(['seance', 'nux']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Sessions of demo/polecats/nux (2):');
    expect(r.out).toMatch(/#1\s+claude\s+started \S+\s+ended \S+\s+exit 0 \(exited\)/);
    expect(r.out).toContain(`recording ${recording}`);
    expect(r.out).toMatch(/#2\s+codex\s+started \S+\s+running/);
    expect(r.out).toContain('no recording');
    const json = (await run(['seance', 'demo/polecats/nux', '--json'])).json<{ agent: string; sessions: Array<{ id: string; recording: string | null }> }>();
    expect(json.sessions.map((s) => [s.id, s.recording])).toEqual([['demo/polecats/nux#1', recording], ['demo/polecats/nux#2', null]]);
  });

  it('replays a recording: the final screen, or the raw output bytes', async () => {
    const r = await run(['seance', 'nux', '--replay', '1']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual(['── demo/polecats/nux#1 · claude · final screen ──', 'hello from nux', 'red line', 'bye', '']);
    const byId = await run(['seance', 'nux', '--replay', 'demo/polecats/nux#1', '--json']);
    expect(byId.json()).toEqual({ session: 'demo/polecats/nux#1', recording, screen: ['hello from nux', 'red line', 'bye'] });
    const raw = await run(['seance', 'nux', '--replay', '#1', '--raw']);
    expect(raw.out).toBe('hello from nux\r\n\u001b[31mred\u001b[0m line\r\nbye');
  });

  it('names the session when there is no recording, no such session or no such agent', async () => {
    const none = await run(['seance', 'nux', '--replay', '2']);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error: session demo\/polecats\/nux#2 has no recording — /);
    const missing = await run(['seance', 'mayor', '--replay', '1']);
    expect(missing.err).toMatch(/^error: the recording of session mayor#1 is missing/);
    const nope = await run(['seance', 'nux', '--replay', '9', '--json']);
    expect(JSON.parse(nope.err)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND', message: 'demo/polecats/nux has no session "9"', fix: 'its sessions are generations 1, 2' } });
    const nobody = await run(['seance', 'demo/polecats/ghost']);
    expect(nobody.err).toMatch(/no sessions recorded for "demo\/polecats\/ghost"/);
    expect((await run(['seance', '--replay', '1'])).code).toBe(2);
  });
});
