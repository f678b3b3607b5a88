// Sessions through the daemon: re-attach sees the same screen, nudges wait for idle and land
// once, stuck detection, and `gt attach` in a real terminal with the leave chord.
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import type { NudgeRow } from '../../src/daemon/nudge-service.js';
import { createHeadlessTerminal, screenState, writeAndWait } from '../../src/sessions/screen.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, runBin, scriptedBead, sling, waitFor, waitStatus } from './helpers.js';

describe('sessions through the daemon', () => {
  const tmp = tempDir('gt-sess-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir, { stuckMs: 1500 }));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('a client that re-attaches sees the same screen as one that saw every byte', async () => {
    const bead = await scriptedBead(env, 'chatty', ['output 150', 'ask continue?', 'done --no-changes ok']);
    const early = await client(root);
    const s = await sling(env, bead);
    expect(s.code, s.err).toBe(0);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    // the early client subscribes right away and collects every byte after its snapshot
    const first = await early.request<{ data: string; cols: number; rows: number; generation: number }>('session.subscribe', { address });
    let streamed = first.data;
    early.on('event', (name: string, p: { address: string; data: string }) => {
      if (name === 'session.data' && p.address === address) streamed += p.data;
    });
    const c = await client(root);
    try {
      await waitStatus(c, address, 'waiting', 20_000);
      // a late client: one snapshot
      const late = await c.request<{ data: string; cols: number; rows: number }>('session.snapshot', { address });
      const a = createHeadlessTerminal(first.cols, first.rows);
      const b = createHeadlessTerminal(late.cols, late.rows);
      await writeAndWait(a.term, streamed);
      await writeAndWait(b.term, late.data);
      expect(screenState(b.term)).toEqual(screenState(a.term));
      expect(screenState(b.term).lines.join('\n')).toContain('question: continue?');
    } finally {
      early.close();
      c.close();
    }
  });

  it('a nudge to a busy agent waits and is typed once, at its next idle', async () => {
    const bead = await scriptedBead(env, 'busy then idle', ['output 20', 'sleep 1200', 'done --no-changes busy work']);
    const s = await sling(env, bead);
    const address = s.json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 60 })).lines.some((l) => l.includes('working line 19')), 10_000, 'output');
      const sent = await c.request<NudgeRow>('nudge.send', { address, text: 'check your mail please' });
      expect(sent.state).toBe('queued'); // busy: not typed yet
      const delivered = await waitFor(async () => {
        const n = await c.request<NudgeRow>('nudge.status', { id: sent.id });
        return n.state === 'delivered' ? n : undefined;
      }, 15_000, 'delivery');
      expect(delivered.attempts).toBe(1);
      const lines = (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 200 })).lines;
      expect(lines.filter((l) => l.includes('received: check your mail please')).length).toBe(1);
      // typed after the work finished, at the idle prompt
      const doneAt = lines.findIndex((l) => l.includes('gt done ok'));
      const gotAt = lines.findIndex((l) => l.includes('received: check your mail please'));
      expect(doneAt).toBeGreaterThanOrEqual(0);
      expect(gotAt).toBeGreaterThan(doneAt);
    } finally {
      c.close();
    }
  });

  it('an agent silent past the stuck threshold is stuck, and --explain says why', async () => {
    const bead = await scriptedBead(env, 'goes silent', ['output 3', 'silent 60000']);
    const address = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      await waitStatus(c, address, 'stuck', 15_000);
    } finally {
      c.close();
    }
    const explain = await runBin(GT_BIN, ['agents', '--explain', address], { env });
    expect(explain.code, explain.err).toBe(0);
    expect(explain.out).toContain('stuck');
  });

  it('gt attach passes keys through in a real terminal and leaves on Ctrl-Q, resetting modes; the agent keeps running', async () => {
    const bead = await scriptedBead(env, 'talk to me', ['done --no-changes nothing']);
    const address = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent.address;
    const c = await client(root);
    try {
      await waitStatus(c, address, 'idle', 15_000);
    } finally {
      c.close();
    }
    const term = pty.spawn(process.execPath, [GT_BIN, 'attach', address], { cols: 100, rows: 30, cwd: tmp.dir, env: { ...process.env, ...env } as Record<string, string> });
    let out = '';
    term.onData((d) => { out += d; });
    const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
    try {
      await waitFor(() => out.includes('fake>'), 10_000, 'the replayed prompt');
      term.write('hello from attach\r');
      await waitFor(() => out.includes('received: hello from attach'), 10_000, 'the echo');
      term.write('\x11'); // Ctrl-Q
      expect(await exited).toBe(0);
    } finally {
      term.kill();
    }
    expect(out).toContain('Detached from');
    expect(out).toContain('\x1b[?1049l'); // modes reset on leave
    const c2 = await client(root);
    try {
      const a = (await c2.request<AgentInfo[]>('agent.list', {})).find((x) => x.address === address);
      expect(a?.session?.status).not.toBe('exited');
    } finally {
      c2.close();
    }
  });
});
