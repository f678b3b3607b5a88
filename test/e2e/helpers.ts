import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connectDaemon, type DaemonClient } from '../../src/daemon/client.js';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { GIT_ENV, GT_BIN, ROOT, gt, runBin, sourceRepo, waitFor } from '../cli/helpers.js';

/** The scripted fake agent. */
export const FAKE_AGENT = join(ROOT, 'test/fixtures/fake-agent.mjs');

/** A town with one rig (a repo with its own node test suite) and the fake agent as default runtime; its refinery is paused unless `refinery` is set. */
export async function fakeTown(dir: string, options: { stuckMs?: number; refinery?: boolean } = {}): Promise<{ root: string; env: Record<string, string>; repo: string }> {
  const repo = sourceRepo(join(dir, 'src'), {
    'package.json': '{"name":"app","type":"module","scripts":{"test":"node --test"}}\n',
    'app.js': 'export const add = (a, b) => a + b;\n',
    'app.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from './app.js';\ntest('adds', () => assert.equal(add(1, 2), 3));\n",
  });
  const root = join(dir, 'town');
  const env = { GT_TOWN: root, BD_ACTOR: 'overseer' };
  const must = async (args: string[]) => {
    const r = await gt(args, { env });
    if (r.code !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.err}`);
    return r;
  };
  await must(['install', root]);
  await must(['config', 'set', 'ledger.auto_export', 'false']);
  await must(['rig', 'add', 'app', repo]);
  await must(['config', 'agent', 'set', 'fake', `node ${FAKE_AGENT}`, '--prompt', 'arg', '--rules', 'fake']);
  await must(['config', 'default-agent', 'fake']);
  await must(['config', 'set', 'agent_status.quiet_ms', '500']);
  if (options.stuckMs) await must(['config', 'set', 'agent_status.stuck_ms', String(options.stuckMs)]);
  // Session tests look at merge requests as gt done leaves them: the refinery waits unless asked.
  if (!options.refinery) await must(['mq', 'pause', '--rig', 'app']);
  return { root, env, repo };
}

/** Create a bead in the rig whose description is a fake-agent script. */
export async function scriptedBead(env: Record<string, string>, title: string, steps: string[]): Promise<string> {
  const r = await gt(['bd', 'create', title, '--rig', 'app', '-d', `script:\n${steps.join('\n')}`, '--silent'], { env });
  if (r.code !== 0) throw new Error(r.err);
  return r.out.trim();
}

/** Sling with the real bin. */
export async function sling(env: Record<string, string>, bead: string, target = 'app', extra: string[] = []) {
  return runBin(GT_BIN, ['sling', bead, target, '--json', ...extra], { env });
}

/** A daemon client (starts the daemon if needed). */
export function client(root: string): Promise<DaemonClient> {
  return connectDaemon(root, { gtBin: GT_BIN, env: { ...process.env, ...GIT_ENV } });
}

/** Wait until an agent's session has a status (polling agent.list). */
export async function waitStatus(c: DaemonClient, address: string, status: string | ((a: AgentInfo) => boolean), timeoutMs = 20_000): Promise<AgentInfo> {
  return waitFor(async () => {
    const a = (await c.request<AgentInfo[]>('agent.list', {})).find((x) => x.address === address);
    if (!a) return undefined;
    return (typeof status === 'string' ? a.session?.status === status : status(a)) ? a : undefined;
  }, timeoutMs, `${address} to be ${typeof status === 'string' ? status : 'as expected'}`);
}

/** Read-only look into town.db. */
export function townDb(root: string): Db {
  return openDb(join(root, 'town.db'));
}

/** Run git in a dir and return stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

export { GT_BIN, gt, runBin, waitFor };
