// Handoff, the Mayor and crew sessions, and what every session starts with.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { agentEnv, beacon, shimDir } from '../../src/daemon/agent-env.js';
import { resolveRuntime, launchArgv } from '../../src/core/agents/presets.js';
import type { AgentRow } from '../../src/store/work/agents.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, gt, runBin, scriptedBead, sling, waitFor, waitStatus } from './helpers.js';

describe('handoff, mayor, crew', () => {
  const tmp = tempDir('gt-roles-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('gt handoff starts a fresh generation on the same hook, and its prime shows the note', async () => {
    const bead = await scriptedBead(env, 'long task', ['sleep 60000']);
    const s = await sling(env, bead);
    const { address, generation } = s.json<{ agent: AgentInfo }>().agent;
    const h = await runBin(GT_BIN, ['handoff', '--agent', address, '--note', 'continue from step 2', '--json'], { env });
    expect(h.code, h.err).toBe(0);
    expect(h.json<AgentInfo>().generation).toBe(generation + 1);
    const c = await client(root);
    try {
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address, lines: 40 })).lines.some((l) => l.includes('handoff note: continue from step 2')), 15_000, 'the note in the new session');
      const info = (await c.request<AgentInfo[]>('agent.list', {})).find((a) => a.address === address)!;
      expect(info.hook_bead).toBe(bead);
    } finally {
      c.close();
    }
  });

  it('gt mayor start runs the Mayor in the town root; status and stop work', async () => {
    const start = await runBin(GT_BIN, ['mayor', 'start', '--json'], { env });
    expect(start.code, start.err).toBe(0);
    expect(start.json<AgentInfo>()).toMatchObject({ address: 'mayor', role: 'mayor', runtime: 'fake' });
    const c = await client(root);
    try {
      await waitFor(async () => (await c.request<{ lines: string[] }>('agent.peek', { address: 'mayor', lines: 40 })).lines.some((l) => l.includes('I am mayor')), 15_000, 'the mayor priming');
    } finally {
      c.close();
    }
    const again = await runBin(GT_BIN, ['mayor', 'start', '--json'], { env });
    expect(again.json<AgentInfo>().generation).toBe(start.json<AgentInfo>().generation); // already running: kept
    expect((await runBin(GT_BIN, ['mayor', 'status'], { env })).out).toContain('mayor');
    expect((await runBin(GT_BIN, ['mayor', 'stop'], { env })).code).toBe(0);
  });

  it('gt crew start runs a shell or agent in a crew clone', async () => {
    expect((await gt(['crew', 'add', 'alice', '--rig', 'app'], { env })).code).toBe(0);
    const r = await runBin(GT_BIN, ['crew', 'start', 'alice', '--rig', 'app', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const info = r.json<AgentInfo>();
    expect(info).toMatchObject({ address: 'app/crew/alice', role: 'crew' });
    const c = await client(root);
    try {
      await waitStatus(c, 'app/crew/alice', (a) => Boolean(a.session && a.session.status !== 'starting'), 15_000);
    } finally {
      c.close();
    }
    const nudge = await runBin(GT_BIN, ['nudge', 'app/crew/alice', 'hello', 'crew', '--json'], { env });
    expect(nudge.code, nudge.err).toBe(0);
    expect(nudge.json<{ state: string }>().state).toBe('delivered');
    const cast = readdirSync(join(root, 'logs/sessions')).filter((f) => f.startsWith('app-crew-alice-'));
    expect(cast.length).toBeGreaterThan(0); // every session is recorded (asciicast v2)
    expect(readFileSync(join(root, 'logs/sessions', cast[0]!), 'utf8').split('\n')[0]).toContain('"version":2');
    const missing = await runBin(GT_BIN, ['crew', 'start', 'bob', '--rig', 'app'], { env });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('gt crew add bob');
  });
});

describe('runtimes from the command line', () => {
  const tmp = tempDir('gt-rt-');
  afterAll(() => tmp.cleanup());
  it('gt config agent set|list|remove and default-agent', async () => {
    const root = join(tmp.dir, 'town');
    expect((await gt(['install', root])).code).toBe(0);
    const env = { GT_TOWN: root };
    const set = await gt(['config', 'agent', 'set', 'mine', 'my-agent --yolo "two words" $(not-run)'], { env });
    expect(set.code, set.err).toBe(0);
    const list = (await gt(['config', 'agent', 'list', '--json'], { env })).json<{ runtimes: Array<{ name: string; command: string; args: string[] }> }>();
    expect(list.runtimes.find((r) => r.name === 'mine')).toMatchObject({ command: 'my-agent', args: ['--yolo', 'two words', '$(not-run)'] });
    expect(list.runtimes.map((r) => r.name)).toEqual(expect.arrayContaining(['claude', 'codex', 'gemini', 'cursor', 'opencode', 'amp', 'copilot', 'aider']));
    const bad = await gt(['config', 'default-agent', 'claud'], { env });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('unknown runtime "claud"');
    expect((await gt(['config', 'default-agent', 'mine'], { env })).code).toBe(0);
    expect((await gt(['config', 'default-agent'], { env })).out.trim()).toBe('mine');
    expect((await gt(['config', 'agent', 'remove', 'mine'], { env })).code).toBe(0);
    expect((await gt(['config', 'agent', 'remove', 'mine'], { env })).code).toBe(1);
    expect((await gt(['config', 'agent', 'set', 'x', 'cmd "unbalanced'], { env })).code).toBe(1);
  });
});

describe('what a session starts with', () => {
  const tmp = tempDir('gt-env-');
  afterAll(() => tmp.cleanup());
  const agent: AgentRow = {
    address: 'app/polecats/nux', role: 'polecat', rig: 'app', name: 'nux', runtime: 'claude', state: 'working',
    hook_bead: 'app-x1', worktree: '/w', branch: 'polecat/nux/app-x1', generation: 3, created_at: '', updated_at: '',
  };

  it('has the Gas Town variables, the agent identity and gt/bd first on PATH', () => {
    const env = agentEnv({ root: tmp.dir, agent, preset: resolveRuntime('claude'), generation: 3, base: { PATH: '/usr/bin', HOME: '/h', VITEST: '1', CI: 'true', CI_JOB_ID: '7', CONTINUOUS_INTEGRATION: '1' }, emailDomain: 'gastown.local', gtBin: GT_BIN });
    expect(env).toMatchObject({
      GT_ROOT: tmp.dir, GT_RIG: 'app', GT_ROLE: 'polecat', GT_AGENT: 'claude', BD_ACTOR: 'app/polecats/nux',
      GIT_AUTHOR_NAME: 'app/polecats/nux', GIT_AUTHOR_EMAIL: 'app.polecats.nux@gastown.local', TERM: 'xterm-256color', COLORTERM: 'truecolor', HOME: '/h',
    });
    expect(env.VITEST).toBeUndefined();
    // an agent's terminal is interactive: Ink-based CLIs draw nothing while CI is set
    expect([env.CI, env.CI_JOB_ID, env.CONTINUOUS_INTEGRATION]).toEqual([undefined, undefined, undefined]);
    expect(env.PATH!.split(':')[0]).toBe(shimDir(tmp.dir));
    expect(readFileSync(join(shimDir(tmp.dir), 'gt'), 'utf8')).toContain(GT_BIN);
  });

  it('gives Claude Code the beacon as its last argument (its hooks live in the worktree, test/agents/hooks.test.ts)', () => {
    const argv = launchArgv(resolveRuntime('claude'), { prompt: beacon(agent, 'assigned') });
    expect(argv.args[0]).toBe('--dangerously-skip-permissions');
    expect(argv.args[argv.args.length - 1]).toContain('[GAS TOWN] app/polecats/nux');
  });
});
