/**
 * `npm run bench -- sessions` (issue #3): 30 sessions in the daemon, each writing 50 KB/s of
 * coloured output for 30 s. Prints the daemon's CPU (% of one core, from /proc) and RSS, bytes
 * lost (bytes the programs wrote minus bytes the sessions received; must be 0), nudge delivery
 * latency (median, p95) and `gt sling` wall time (worktree + session) median.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectDaemon, readDaemonPid, type DaemonClient } from '../src/daemon/client.js';
import type { AgentInfo } from '../src/daemon/agent-service.js';
import type { NudgeRow } from '../src/daemon/nudge-service.js';
import { writeTx } from '../src/store/sqlite/db.js';
import { upsertAgent } from '../src/store/work/agents.js';
import { installTown, openTown } from '../src/store/town/town.js';
import { fmtMs, printTable, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const GT_BIN = join(ROOT, 'bin/gt.js');
const SESSIONS = 30;
const RATE = 50 * 1024;
const SECONDS = Number(process.env.BENCH_SESSIONS_SECONDS ?? '30');
const CLK_TCK = 100;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function gt(root: string, args: string[]): string {
  return execFileSync(process.execPath, [GT_BIN, ...args], { env: { ...process.env, GT_TOWN: root, BD_ACTOR: 'bench' }, encoding: 'utf8' });
}

/** Run the sessions benchmark. */
export async function benchSessions(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-sessions-'));
  const root = join(dir, 'town');
  let client: DaemonClient | undefined;
  try {
    process.stdout.write(`\n== sessions benchmark ==\nmachine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} · node ${process.version}\n`);
    process.stdout.write(`load: ${SESSIONS} sessions × ${RATE / 1024} KB/s coloured output × ${SECONDS} s\n`);
    await installTown(root, { name: 'bench' });
    gt(root, ['config', 'set', 'ledger.auto_export', 'false']);
    gt(root, ['config', 'set', 'sessions.record', 'false']);
    gt(root, ['config', 'agent', 'set', 'spew', `node ${join(ROOT, 'bench/fixtures/spew.mjs')} ${RATE} ${SECONDS}`, '--prompt', 'none', '--rules', 'generic']);
    gt(root, ['config', 'agent', 'set', 'fake', `node ${join(ROOT, 'test/fixtures/fake-agent.mjs')}`, '--prompt', 'arg', '--rules', 'fake']);
    gt(root, ['config', 'set', 'agent_status.quiet_ms', '300']);
    const town = openTown(root);
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    writeTx(town.db, () => {
      for (let i = 1; i <= SESSIONS; i++) upsertAgent(town.db, { address: `load/crew/s${i}`, role: 'crew', rig: 'load', name: `s${i}`, worktree: work, runtime: 'spew' });
    });
    client = await connectDaemon(root, { gtBin: GT_BIN });
    const pid = readDaemonPid(root)!;

    // 1. load
    for (let i = 1; i <= SESSIONS; i++) await client.request('agent.start', { address: `load/crew/s${i}`, reason: 'bench', prompt: '' });
    const t0 = cpuTicks(pid);
    const w0 = Date.now();
    let rssPeak = rssMb(pid);
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMb(pid)); }, 500);
    const doneInfo = await waitFor(async () => {
      const list = await client!.request<Array<AgentInfo & { session: AgentInfo['session'] & { bytes_out?: number } }>>('agent.list', {});
      const spew = list.filter((a) => a.address.startsWith('load/'));
      return spew.every((a) => a.session?.status === 'exited') ? spew : undefined;
    }, (SECONDS + 60) * 1000);
    clearInterval(sampler);
    const cpuPct = ((cpuTicks(pid) - t0) / CLK_TCK) / ((Date.now() - w0) / 1000) * 100;
    let lost = 0;
    let received = 0;
    for (const a of doneInfo) {
      const peek = await client.request<{ lines: string[] }>('agent.peek', { address: a.address, lines: 5 });
      const m = /SPEW-DONE (\d+) (\d+)/.exec(peek.lines.join('\n'));
      const [bytes, newlines] = [Number(m?.[1] ?? Number.NaN), Number(m?.[2] ?? Number.NaN)];
      const tail = `SPEW-DONE ${bytes} ${newlines}\r\n`;
      const expected = bytes + newlines + Buffer.byteLength(tail) + 1; // ONLCR adds a \r per \n
      const got = (a.session as { bytes_out?: number }).bytes_out ?? Number.NaN;
      received += got;
      lost += expected - got;
    }

    // 2. nudge latency into idle fake agents
    gt(root, ['rig', 'add', 'app', makeRepo(join(dir, 'src'))]);
    const nudgeAgents: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const address = `app/crew/n${i}`;
      writeTx(town.db, () => upsertAgent(town.db, { address, role: 'crew', rig: 'app', name: `n${i}`, worktree: work, runtime: 'fake' }));
      await client.request('agent.start', { address, reason: 'bench', prompt: '' });
      nudgeAgents.push(address);
    }
    await waitFor(async () => {
      const list = await client!.request<AgentInfo[]>('agent.list', {});
      return nudgeAgents.every((a) => list.find((x) => x.address === a)?.session?.status === 'idle') ? true : undefined;
    }, 30_000);
    const latencies: number[] = [];
    for (let k = 0; k < 30; k++) {
      const address = nudgeAgents[k % nudgeAgents.length]!;
      const start = performance.now();
      const row = await client.request<NudgeRow>('nudge.send', { address, text: `ping ${k}` });
      await waitFor(async () => ((await client!.request<NudgeRow>('nudge.status', { id: row.id })).state === 'delivered' ? true : undefined), 20_000);
      latencies.push(performance.now() - start);
      await waitFor(async () => ((await client!.request<AgentInfo[]>('agent.list', {})).find((x) => x.address === address)?.session?.status === 'idle' ? true : undefined), 20_000);
    }

    // 3. gt sling wall time (allocate, worktree, hook, session)
    const slings: number[] = [];
    for (let k = 0; k < 5; k++) {
      const id = gt(root, ['bd', 'create', `sling ${k}`, '--rig', 'app', '-d', 'script:\ndone --no-changes bench', '--silent']).trim();
      const start = performance.now();
      const r = spawnSync(process.execPath, [GT_BIN, 'sling', id, 'app', '--agent', 'fake'], { env: { ...process.env, GT_TOWN: root, BD_ACTOR: 'bench' }, encoding: 'utf8' });
      slings.push(performance.now() - start);
      if (r.status !== 0) process.stderr.write(`sling failed: ${r.stderr}\n`);
    }
    town.close();

    const nudge = summarize(latencies);
    const sling = summarize(slings);
    printTable('Sessions in the daemon', ['measure', 'value', 'goal'], [
      ['daemon CPU during the load (% of one core)', cpuPct.toFixed(1), '≤ 30'],
      ['daemon RSS peak (MB)', rssPeak.toFixed(0), ''],
      ['bytes received by the sessions', String(received), ''],
      ['bytes lost', String(lost), '0'],
      ['nudge delivery, median ms (idle agent, screen change confirmed)', fmtMs(nudge.median), ''],
      ['nudge delivery, p95 ms', fmtMs(nudge.p95), ''],
      ['gt sling wall, median ms (worktree + hook + session)', fmtMs(sling.median), '≤ 1000'],
      ['gt sling wall, p95 ms', fmtMs(sling.p95), ''],
    ]);
  } finally {
    client?.close();
    spawnSync(process.execPath, [GT_BIN, 'daemon', 'stop'], { env: { ...process.env, GT_TOWN: root } });
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}
