/**
 * The real agent CLIs (test/agent-clis: Claude Code, Codex, Gemini CLI), slung to a rig through
 * the real daemon with no key and no network: their first-run dialogs read `waiting` with the
 * dialog named within 5 s of being drawn, and their hooks, installed in the polecat's worktree
 * and fed the JSON the runtimes' docs give, move the status as the events say.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import type { DaemonClient } from '../../src/daemon/client.js';
import { AGENT_CLIS_BIN } from '../agent-clis/paths.js';
import { reapProcessesUnder } from '../agent-clis/reap.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, client, fakeTown, git, runBin, sling, townDb, waitFor, waitStatus } from './helpers.js';

const CLIS = AGENT_CLIS_BIN;

/** Run `gt` as an agent's hook runs it: in the worktree, with the session's env, the event JSON on stdin. */
const hook = (env: Record<string, string>, cwd: string, args: string[], input: string) => runBin(GT_BIN, args, { cwd, env, input });

describe('the real agent CLIs', () => {
  const tmp = tempDir('gt-real-');
  let env: Record<string, string> = {};
  let root = '';
  let c: DaemonClient;

  beforeAll(async () => {
    expect(existsSync(join(CLIS, 'codex')), 'run node test/agent-clis/ensure.mjs').toBe(true);
    const town = await fakeTown(tmp.dir);
    root = town.root;
    const home = join(tmp.dir, 'home');
    mkdirSync(home);
    // A fresh HOME: every CLI shows its first-run screens. Claude Code on Bedrock with fake keys
    // skips its network check, and the AWS SDK never asks the EC2 metadata address.
    env = {
      ...town.env, HOME: home, PATH: `${CLIS}:${process.env.PATH}`, IS_SANDBOX: '1', CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTESTS0000', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
    };
    // The daemon's environment is what its sessions get: start it with this one.
    await runBin(GT_BIN, ['daemon', 'stop'], { env: town.env });
    const started = await runBin(GT_BIN, ['daemon', 'start'], { env });
    expect(started.code, started.err).toBe(0);
    c = await client(root);
  });
  afterAll(async () => {
    c?.close();
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    reapProcessesUnder(tmp.dir); // Codex's detached app-server daemon, started from this HOME
    tmp.cleanup();
  });

  const slingTo = async (runtime: string, title: string): Promise<AgentInfo> => {
    const bead = (await runBin(GT_BIN, ['bd', 'create', title, '--rig', 'app', '--silent'], { env })).out.trim();
    const s = await sling(env, bead, 'app', ['--agent', runtime]);
    expect(s.code, s.err).toBe(0);
    return s.json<{ agent: AgentInfo }>().agent;
  };
  const drawn = (address: string, text: string) => waitFor(async () => {
    const p = await c.request<{ lines: string[] }>('agent.peek', { address, lines: 60 });
    return p.lines.join('\n').includes(text);
  }, 60_000, `${address} to draw "${text}"`);
  const named = (address: string, status: string, why: string) => waitStatus(c, address, (a) => a.session?.status === status && (a.session.why ?? '').includes(why), 5_000);

  it('Codex: its sign-in menu reads waiting, named, within 5 s of being drawn; its notify hook is on the command line', async () => {
    const agent = await slingTo('codex', 'codex first run');
    await drawn(agent.address, 'Sign in with ChatGPT');
    const a = await named(agent.address, 'waiting', 'codex: sign-in menu');
    expect(a.runtime).toBe('codex');
    const argv = JSON.parse(sqlValue(root, 'SELECT argv FROM sessions WHERE agent = ? ORDER BY generation DESC LIMIT 1', agent.address)) as string[];
    expect(argv).toContain('-c');
    expect(argv.find((x) => x.startsWith('notify='))).toBe('notify=["gt","agents","hook","codex","notify"]');
    // Codex runs the notify program with the event JSON as its last argument.
    const ev = JSON.stringify({ type: 'agent-turn-complete', 'thread-id': 't1', 'turn-id': '1', cwd: worktreeOf(root, agent.address), 'input-messages': ['hi'], 'last-assistant-message': 'Done.' });
    const r = await hook({ ...env, BD_ACTOR: agent.address, GT_GENERATION: String(a.generation) }, root, ['agents', 'hook', 'codex', 'notify', ev], '');
    expect(r.code, r.err).toBe(0);
    await waitStatus(c, agent.address, (x) => x.session?.status === 'idle' && (x.session.why ?? '').includes('codex hook reported the turn ended'), 5_000);
  });

  it('Gemini CLI: its trust dialog reads waiting, named, within 5 s; its hooks are in .gemini/settings.json and drive the status', async () => {
    const agent = await slingTo('gemini', 'gemini first run');
    await drawn(agent.address, 'Do you trust the files in this folder');
    const a = await named(agent.address, 'waiting', 'gemini: trust folder?');
    const wt = worktreeOf(root, agent.address);
    const settings = JSON.parse(readFileSync(join(wt, '.gemini', 'settings.json'), 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
    expect(settings.hooks.BeforeAgent![0]!.hooks[0]!.command).toBe('gt agents hook gemini BeforeAgent');
    expect(git(wt, 'status', '--porcelain')).toBe(''); // never committed by an agent's git add -A
    const henv = { ...env, BD_ACTOR: agent.address, GT_GENERATION: String(a.generation), GT_AGENT: 'gemini' };
    const base = { session_id: 's1', transcript_path: join(tmp.dir, 't.json'), cwd: wt, timestamp: new Date().toISOString() };
    const start = await hook(henv, wt, ['agents', 'hook', 'gemini', 'SessionStart'], JSON.stringify({ ...base, hook_event_name: 'SessionStart', source: 'startup' }));
    expect(start.code, start.err).toBe(0);
    const ctx = JSON.parse(start.out) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
    expect(ctx.hookSpecificOutput.hookEventName).toBe('SessionStart');
    expect(ctx.hookSpecificOutput.additionalContext).toContain(agent.address);
    await hook(henv, wt, ['agents', 'hook', 'gemini', 'BeforeAgent'], JSON.stringify({ ...base, hook_event_name: 'BeforeAgent', prompt: 'go' }));
    await waitStatus(c, agent.address, (x) => x.session?.status === 'working' && (x.session.why ?? '').includes('gemini hook'), 5_000);
    await hook(henv, wt, ['agents', 'hook', 'gemini', 'Notification'], JSON.stringify({ ...base, hook_event_name: 'Notification', notification_type: 'ToolPermission', message: 'Tool run_shell_command requires confirmation', details: {} }));
    await waitStatus(c, agent.address, (x) => x.session?.status === 'waiting' && (x.session.why ?? '').includes('Tool run_shell_command requires confirmation'), 5_000);
    await hook(henv, wt, ['agents', 'hook', 'gemini', 'AfterAgent'], JSON.stringify({ ...base, hook_event_name: 'AfterAgent', prompt: 'go', prompt_response: 'ok', stop_hook_active: false }));
    await waitStatus(c, agent.address, (x) => x.session?.status === 'idle' && (x.session.why ?? '').includes('gemini hook reported the turn ended'), 5_000);
  });

  it('Claude Code: the worktree has the hooks; the documented events move it working → idle → waiting', async () => {
    const agent = await slingTo('claude', 'claude hooks');
    await drawn(agent.address, 'Choose the text style');
    const a = await named(agent.address, 'waiting', 'claude: select a theme');
    const wt = worktreeOf(root, agent.address);
    const settings = JSON.parse(readFileSync(join(wt, '.claude', 'settings.local.json'), 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
    for (const ev of ['SessionStart', 'UserPromptSubmit', 'Stop', 'Notification', 'PreCompact']) {
      expect(settings.hooks[ev]![0]!.hooks[0]!.command, ev).toBe(`gt agents hook claude ${ev}`);
    }
    expect(git(wt, 'status', '--porcelain')).toBe('');
    const henv = { ...env, BD_ACTOR: agent.address, GT_GENERATION: String(a.generation), GT_AGENT: 'claude' };
    const base = { session_id: 'abc', transcript_path: join(tmp.dir, 'abc.jsonl'), cwd: wt, permission_mode: 'bypassPermissions' };
    const start = await hook(henv, wt, ['agents', 'hook', 'claude', 'SessionStart'], JSON.stringify({ ...base, hook_event_name: 'SessionStart', source: 'startup' }));
    expect(start.out).toContain(agent.address); // the prime, as plain text for Claude Code's context
    await hook(henv, wt, ['agents', 'hook', 'claude', 'UserPromptSubmit'], JSON.stringify({ ...base, hook_event_name: 'UserPromptSubmit', prompt: 'go' }));
    await waitStatus(c, agent.address, (x) => x.session?.status === 'working' && (x.session.why ?? '').includes('claude hook reported working'), 5_000);
    await hook(henv, wt, ['agents', 'hook', 'claude', 'Stop'], JSON.stringify({ ...base, hook_event_name: 'Stop', stop_hook_active: false }));
    await waitStatus(c, agent.address, (x) => x.session?.status === 'idle', 5_000);
    await hook(henv, wt, ['agents', 'hook', 'claude', 'Notification'], JSON.stringify({ ...base, hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash' }));
    const w = await waitStatus(c, agent.address, (x) => x.session?.status === 'waiting' && (x.session.why ?? '').includes('Claude needs your permission to use Bash'), 5_000);
    expect(w.session?.why).toContain('claude hook reported waiting');
    // A hook with no daemon session to report to still exits 0 (it must never stop the agent).
    const stale = await hook({ ...henv, GT_GENERATION: '999' }, wt, ['agents', 'hook', 'claude', 'Stop'], '{"hook_event_name":"Stop"}');
    expect(stale.code).toBe(0);
    expect(stale.err).toContain('generation');
  });
});

/** One value from town.db, read through the project's own store. */
function sqlValue(root: string, sql: string, ...params: string[]): string {
  const db = townDb(root);
  try {
    return db.prepare(sql).pluck().get(...params) as string;
  } finally {
    db.close();
  }
}

function worktreeOf(root: string, address: string): string {
  const wt = sqlValue(root, 'SELECT worktree FROM agents WHERE address = ?', address);
  expect(existsSync(wt)).toBe(true);
  return wt;
}
