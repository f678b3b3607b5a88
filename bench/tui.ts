/**
 * `npm run bench -- tui`: what the full-screen TUI costs next to tmux showing the same screen.
 *
 * 1. Reference: a tmux server on a private socket, one 200x50 window split into 4 panes, each
 *    running bench/fixtures/streamer.mjs at 20 lines/s, with an attached client (`tmux attach`
 *    in a node-pty PTY of 200x50 whose output is drained). CPU of the server + the client.
 * 2. A temp town (`gt install`, `gt rig add`, the streamer as default agent) with 16 polecats
 *    slung (`gt sling`), all streaming in the daemon: 4 shown in the TUI's grid, 12 behind.
 * 3. `node bin/gt.js tui` in a node-pty PTY of 200x50 (CI unset, GT_TOWN, NODE_ENV=production),
 *    its output fed to an @xterm/headless terminal: CPU of the TUI process alone over the same
 *    window, the daemon's CPU beside it (not the TUI's), then keypress-to-screen latency: `?`
 *    until "Gas Town keys" is on the emulated screen, `?` again until it is gone, ~40 times.
 *
 * CPU is utime+stime from /proc/<pid>/stat over the window, as % of one core. The window is
 * 30 s (BENCH_TUI_SECONDS), presses 40 (BENCH_TUI_PRESSES). Goals: TUI ≤ 4× tmux, p95 ≤ 50 ms.
 * Without `gt tui` the TUI rows say "not available: <reason>"; BENCH_TUI_COMMAND (a JSON argv)
 * runs a stand-in honouring the same contract instead. Everything (PTYs, tmux server, daemon,
 * temp dirs) is cleaned up on success, failure and Ctrl-C.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as pty from 'node-pty';
import xterm from '@xterm/headless';
import { connectDaemon, readDaemonPid, type DaemonClient } from '../src/daemon/client.js';
import type { AgentInfo } from '../src/daemon/agent-service.js';
import { fmtMs, fmtRatio, printTable, summarize } from './stats.js';

const { Terminal } = xterm;
type HeadlessTerminal = InstanceType<typeof Terminal>;

const ROOT = resolve(import.meta.dirname, '..');
const GT_BIN = join(ROOT, 'bin/gt.js');
const STREAMER = join(ROOT, 'bench/fixtures/streamer.mjs');
const COLS = 200;
const ROWS = 50;
const RATE = 20;
const AGENTS = 16;
const VISIBLE = 4;
const SECONDS = Number(process.env.BENCH_TUI_SECONDS ?? '30');
const PRESSES = Number(process.env.BENCH_TUI_PRESSES ?? '40');
const HELP_TEXT = 'Gas Town keys';
const GOAL_RATIO = 4;
const GOAL_P95_MS = 50;

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (utime + stime, this process only, all its threads) of a pid. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** All descendants of a pid (from /proc/<pid>/task/<tid>/children), depth first. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let kids = '';
    try { kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { /* gone */ }
    for (const k of kids.split(' ').filter(Boolean).map(Number)) out.push(k, ...descendants(k));
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * CPU % of one core of each pid over a window of `seconds` of wall time.
 *
 * @returns percentages in the order of `pids`.
 */
async function measureCpu(pids: readonly number[], seconds: number): Promise<number[]> {
  const read = (pid: number) => { try { return cpuSeconds(pid); } catch { return Number.NaN; } };
  const before = pids.map(read);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  // a process gone by the end (a short-lived child) counts as 0
  return pids.map((pid, i) => { const d = read(pid) - before[i]!; return Number.isFinite(d) ? (d / wall) * 100 : 0; });
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** This process's environment minus CI (Ink renders nothing when it is set) and an enclosing tmux. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.CI;
  delete env.TMUX;
  delete env.TMUX_PANE;
  return { ...env, TERM: 'xterm-256color', ...extra };
}

/** Synchronous clean-up steps, run in reverse order in `finally` and on SIGINT/SIGTERM. */
class Cleanup {
  private readonly steps: Array<{ what: string; fn: () => void }> = [];
  add(what: string, fn: () => void): void {
    this.steps.push({ what, fn });
  }
  run(): void {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        step.fn();
      } catch (e) {
        process.stderr.write(`clean-up (${step.what}) failed: ${(e as Error).message}\n`);
      }
    }
  }
}

function killPty(p: pty.IPty): void {
  try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ }
  try { p.kill('SIGKILL'); } catch { /* gone */ }
}

/** A PTY with its output drained (counted) and, optionally, fed to a headless terminal with flow control. */
interface DrainedPty {
  p: pty.IPty;
  bytes: () => number;
  exited: () => { exitCode: number; signal?: number } | undefined;
  term?: HeadlessTerminal;
  /**
   * Called when a burst of output is complete on `term`: all of it parsed and nothing more for
   * {@link QUIET_MS} (or, for output that never pauses, every {@link MAX_BURST_MS}), with the
   * arrival time of the burst's last chunk. A frame written at once may reach us in several
   * chunks (a clear, then the rows): the screen is judged between frames, not inside one.
   */
  onFrame?: (lastArrivedAt: number) => void;
}

/** Output gap that ends a burst (one frame). */
const QUIET_MS = 5;
/** Longest burst before the screen is judged anyway. */
const MAX_BURST_MS = 100;

function spawnDrained(file: string, args: string[], options: { cwd: string; env: Record<string, string>; emulate: boolean }): DrainedPty {
  const p = pty.spawn(file, args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: options.cwd, env: options.env });
  let bytes = 0;
  let exit: { exitCode: number; signal?: number } | undefined;
  const d: DrainedPty = { p, bytes: () => bytes, exited: () => exit };
  if (options.emulate) {
    const term = new Terminal({ cols: COLS, rows: ROWS, scrollback: 0, allowProposedApi: true });
    d.term = term;
    let pending = 0;
    let paused = false;
    let lastAt = 0;
    let burstStart = 0;
    let quietDue = false;
    let quiet: NodeJS.Timeout | undefined;
    const frame = () => {
      quietDue = false;
      burstStart = 0;
      d.onFrame?.(lastAt);
    };
    p.onData((data) => {
      const at = performance.now();
      bytes += data.length;
      pending += data.length;
      lastAt = at;
      burstStart ||= at;
      quietDue = false;
      clearTimeout(quiet);
      quiet = setTimeout(() => { if (pending === 0) frame(); else quietDue = true; }, QUIET_MS);
      if (!paused && pending > 1 << 20) { paused = true; p.pause(); }
      term.write(data, () => {
        pending -= data.length;
        if (paused && pending < 256 << 10) { paused = false; p.resume(); }
        if (pending === 0 && (quietDue || (burstStart && performance.now() - burstStart >= MAX_BURST_MS))) frame();
      });
    });
    p.onExit(() => clearTimeout(quiet));
  } else {
    p.onData((data) => { bytes += data.length; });
  }
  p.onExit((e) => { exit = e; });
  return d;
}

/** The visible screen of a headless terminal, one string per row. */
function screenLines(term: HeadlessTerminal): string[] {
  const buf = term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return out;
}

function screenHas(term: HeadlessTerminal, text: string): boolean {
  return screenLines(term).some((l) => l.includes(text));
}

// ---------------------------------------------------------------------------------------------
// 1. the tmux reference

interface CpuResult { pct: number; detail: string }
type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

async function tmuxReference(dir: string, cleanup: Cleanup): Promise<Outcome<{ total: number; server: number; client: number; bytes: number }>> {
  const tmuxV = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (tmuxV.status !== 0) return { ok: false, reason: 'tmux is not installed' };
  const socket = `gt-bench-tui-${process.pid}-${Date.now().toString(36)}`;
  const env = cleanEnv();
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const streamer = (i: number) => [process.execPath, STREAMER, '--rate', String(RATE), '--id', `tmux${i}`];
  let socketPath = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket);
  const killServer = () => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(socketPath, { force: true }); // tmux 3.3 leaves its socket file behind
  };
  cleanup.add('tmux kill-server', killServer);
  // tmux's own defaults (no user config), status line included: what a user would run
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(COLS), '-y', String(ROWS), '-c', dir, '--', ...streamer(1));
  socketPath = tmux('display-message', '-p', '-t', 'bench', '#{socket_path}').trim() || socketPath;
  for (let i = 2; i <= VISIBLE; i++) tmux('split-window', '-t', 'bench:0', '-c', dir, '--', ...streamer(i));
  tmux('select-layout', '-t', 'bench:0', 'tiled');
  const serverPid = Number(tmux('display-message', '-p', '-t', 'bench', '#{pid}').trim());
  const client = spawnDrained('tmux', ['-L', socket, 'attach-session', '-t', 'bench'], { cwd: dir, env, emulate: false });
  cleanup.add('tmux client', () => killPty(client.p));
  await waitFor('the tmux client to attach', () => {
    const clients = tmux('list-clients', '-F', '#{client_pid} #{client_width}x#{client_height}').trim();
    return clients.includes(`${COLS}x${ROWS}`) && client.bytes() > 0 ? clients : undefined;
  }, 10_000);
  const panes = tmux('list-panes', '-t', 'bench:0', '-F', '#{pane_width}x#{pane_height}').trim().split('\n');
  process.stdout.write(`tmux reference: ${tmuxV.stdout.trim()}, ${panes.length} panes (${panes.join(', ')}), client pid ${client.p.pid}, server pid ${serverPid}\n`);
  await sleep(1000); // settle: first full redraw done
  const b0 = client.bytes();
  const [server, clientPct] = await measureCpu([serverPid, client.p.pid], SECONDS);
  const bytes = client.bytes() - b0;
  if (client.exited()) return { ok: false, reason: `the tmux client exited during the window (${JSON.stringify(client.exited())})` };
  killPty(client.p);
  killServer();
  return { ok: true, value: { total: server! + clientPct!, server: server!, client: clientPct!, bytes } };
}

// ---------------------------------------------------------------------------------------------
// 2. the town

function gtEnv(root: string): Record<string, string> {
  return cleanEnv({ GT_TOWN: root, BD_ACTOR: 'bench', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' });
}

function gt(root: string, args: string[]): string {
  const r = spawnSync(process.execPath, [GT_BIN, ...args], { env: gtEnv(root), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gt ${args.join(' ')} failed (${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

function makeRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore', env: gtEnv(dir) });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}

/** A town whose default agent is the streamer, with {@link AGENTS} polecats slung and streaming. */
async function streamingTown(dir: string, cleanup: Cleanup): Promise<{ root: string; client: DaemonClient; daemonPid: number; slingMs: number }> {
  const root = join(dir, 'town');
  cleanup.add('gt daemon stop', () => {
    spawnSync(process.execPath, [GT_BIN, 'daemon', 'stop'], { env: gtEnv(root), stdio: 'ignore', timeout: 30_000 });
  });
  gt(root, ['install', root]);
  gt(root, ['config', 'set', 'ledger.auto_export', 'false']);
  gt(root, ['config', 'set', 'sessions.record', 'false']);
  gt(root, ['rig', 'add', 'app', makeRepo(join(dir, 'src'))]);
  gt(root, ['config', 'agent', 'set', 'streamer', `node ${STREAMER} --rate ${RATE}`, '--prompt', 'arg', '--rules', 'generic']);
  gt(root, ['config', 'default-agent', 'streamer']);
  gt(root, ['mq', 'pause', '--rig', 'app']);
  const t0 = performance.now();
  for (let i = 1; i <= AGENTS; i++) {
    const bead = gt(root, ['bd', 'create', `stream ${i}`, '--rig', 'app', '--silent']).trim();
    gt(root, ['sling', bead, 'app']);
  }
  const slingMs = (performance.now() - t0) / AGENTS;
  const client = await connectDaemon(root, { gtBin: GT_BIN, env: gtEnv(root) });
  cleanup.add('daemon client', () => client.close());
  const daemonPid = readDaemonPid(root);
  if (!daemonPid) throw new Error('no daemon pid after gt sling');
  // all sessions up and writing
  const list = await waitFor('16 streaming sessions', async () => {
    const agents = (await client.request<AgentInfo[]>('agent.list', {})).filter((a) => a.runtime === 'streamer');
    const up = agents.filter((a) => a.session && a.session.pid && !['exited', 'starting'].includes(a.session.status) && (a.session.bytes_out ?? 1) > 0);
    return up.length >= AGENTS ? up : undefined;
  }, 60_000, 200);
  process.stdout.write(`town: ${list.length} polecats streaming (${list.slice(0, 4).map((a) => a.address).join(', ')}, …), daemon pid ${daemonPid}\n`);
  return { root, client, daemonPid, slingMs };
}

// ---------------------------------------------------------------------------------------------
// 3. the TUI

/**
 * The TUI command: `node bin/gt.js tui`, or BENCH_TUI_COMMAND (a JSON array of argv, for trying
 * the benchmark against a stand-in that honours the same contract).
 */
function tuiCommand(): string[] {
  const override = process.env.BENCH_TUI_COMMAND;
  if (override) {
    const argv: unknown = JSON.parse(override);
    if (!Array.isArray(argv) || !argv.length || !argv.every((a) => typeof a === 'string')) throw new Error('BENCH_TUI_COMMAND must be a JSON array of strings');
    return argv as string[];
  }
  return [process.execPath, GT_BIN, 'tui'];
}

/** Why `gt tui` cannot be benchmarked, or undefined when it exists. */
function tuiMissing(): string | undefined {
  if (process.env.BENCH_TUI_COMMAND) return undefined;
  const r = spawnSync(process.execPath, [GT_BIN, 'tui', '--help'], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
  const text = `${r.stdout}${r.stderr}`;
  if (/Usage: gt tui\b/.test(text)) return undefined;
  return `\`gt tui\` is not a command of this build (\`node bin/gt.js tui --help\` ${r.status === 0 ? 'prints the root help' : `exits ${r.status}`})`;
}

interface TuiResult {
  /** CPU % of the TUI process (all its threads). */
  cpu: number;
  daemonCpu: number;
  /** Child processes of the TUI at the start of the window (not the daemon), and their CPU %: not counted as the TUI's. */
  children: number;
  childCpu: number;
  bytesPerSec: number;
  visibleStreams: number;
  open: number[];
  close: number[];
  timeouts: number;
  latencyError?: string;
}

/** Distinct streamer ids visible on the screen (the streamer prints `s<pid> #<counter>`). */
function visibleStreamIds(term: HeadlessTerminal): Set<string> {
  const ids = new Set<string>();
  for (const line of screenLines(term)) for (const m of line.matchAll(/\b(s\d+) #\d{6}\b/g)) ids.add(m[1]!);
  return ids;
}

async function runTui(dir: string, root: string, daemonPid: number, cleanup: Cleanup): Promise<Outcome<TuiResult>> {
  const [file, ...args] = tuiCommand();
  const tui = spawnDrained(file!, args, { cwd: dir, env: cleanEnv({ GT_TOWN: root, NODE_ENV: 'production', BD_ACTOR: 'overseer' }), emulate: true });
  cleanup.add('gt tui', () => killPty(tui.p));
  const term = tui.term!;
  const dump = () => screenLines(term).filter((l) => l.trim()).slice(0, 12).map((l) => `    | ${l.slice(0, 120)}`).join('\n');
  const exitedReason = () => {
    const e = tui.exited();
    return e ? `gt tui exited (code ${e.exitCode}${e.signal ? `, signal ${e.signal}` : ''}); its screen:\n${dump()}` : undefined;
  };

  // ready: live agent output on screen
  let visible = 0;
  try {
    visible = await waitFor('agent output on the TUI screen', () => {
      if (tui.exited()) return -1;
      const n = visibleStreamIds(term).size;
      return n >= VISIBLE ? n : undefined;
    }, 30_000);
  } catch {
    visible = visibleStreamIds(term).size;
    if (visible === 0) return { ok: false, reason: exitedReason() ?? `no agent output on the TUI screen after 30 s; its screen:\n${dump()}` };
  }
  if (visible < 0) return { ok: false, reason: exitedReason()! };
  await sleep(2000); // warm-up: JIT, first frames

  const b0 = tui.bytes();
  const t0 = performance.now();
  const children = descendants(tui.p.pid).filter((pid) => pid !== daemonPid);
  const [cpu, daemonCpu, ...childCpu] = await measureCpu([tui.p.pid, daemonPid, ...children], SECONDS);
  const bytesPerSec = (tui.bytes() - b0) / ((performance.now() - t0) / 1000);
  const gone = exitedReason();
  if (gone) return { ok: false, reason: gone };

  // keypress → screen: from writing `?` to the arrival of the last chunk of the first complete
  // frame (see DrainedPty.onFrame) with the help overlay on the emulated screen; for the second
  // `?`, of the first complete frame without it.
  const open: number[] = [];
  const close: number[] = [];
  let timeouts = 0;
  let latencyError: string | undefined;
  const press = (want: boolean, timeoutMs: number) => new Promise<number | undefined>((res) => {
    const start = performance.now();
    const done = (v: number | undefined) => {
      clearTimeout(timer);
      tui.onFrame = undefined;
      res(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    tui.onFrame = (at) => {
      if (screenHas(term, HELP_TEXT) === want) done(Math.max(0, at - start));
    };
    tui.p.write('?');
  });
  if (screenHas(term, HELP_TEXT)) latencyError = `"${HELP_TEXT}" is on the screen before any key`;
  for (let k = 0; k < PRESSES && !latencyError; k++) {
    await sleep(Math.random() * 100); // land at different points of the frame cycle
    const o = await press(true, 5000);
    if (o === undefined) {
      timeouts++;
      if (timeouts >= 3) latencyError = `"${HELP_TEXT}" did not show within 5 s of \`?\` (3 times); screen:\n${dump()}`;
      // put it back in a known state: overlay closed
      if (screenHas(term, HELP_TEXT)) await press(false, 5000);
      continue;
    }
    open.push(o);
    await sleep(Math.random() * 100);
    const c = await press(false, 5000);
    if (c === undefined) {
      timeouts++;
      latencyError = `"${HELP_TEXT}" stayed on the screen 5 s after the second \`?\`; screen:\n${dump()}`;
      continue;
    }
    close.push(c);
  }

  // quit with q (agents keep running); kill if it does not
  tui.p.write('q');
  try {
    await waitFor('gt tui to quit on q', () => tui.exited(), 5000);
  } catch {
    process.stdout.write('note: gt tui did not exit within 5 s of `q`; killed\n');
    killPty(tui.p);
  }
  return { ok: true, value: { cpu: cpu!, daemonCpu: daemonCpu!, children: children.length, childCpu: childCpu.reduce((a, b) => a + b, 0), bytesPerSec, visibleStreams: visible, open, close, timeouts, ...(latencyError ? { latencyError } : {}) } };
}

// ---------------------------------------------------------------------------------------------

/** Run the TUI benchmark: CPU against tmux on the same 4-pane workload, and keypress latency. */
export async function benchTui(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-tui-'));
  const cleanup = new Cleanup();
  cleanup.add('temp dir', () => rmSync(dir, { recursive: true, force: true }));
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: cleaning up\n`);
    cleanup.run();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    process.stdout.write(`\n== tui benchmark ==\nmachine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} · node ${process.version}\n`);
    process.stdout.write(`load: ${VISIBLE} visible panes at ${COLS}x${ROWS}, ${RATE} coloured lines/s each; TUI side: ${AGENTS} agents streaming (${AGENTS - VISIBLE} in the background); window ${SECONDS} s\n`);

    let ref: Awaited<ReturnType<typeof tmuxReference>>;
    try {
      ref = await tmuxReference(dir, cleanup);
    } catch (e) {
      ref = { ok: false, reason: `tmux reference failed: ${(e as Error).message}` };
    }
    const missing = tuiMissing();
    let town: Awaited<ReturnType<typeof streamingTown>> | undefined;
    let townError: string | undefined;
    try {
      town = await streamingTown(dir, cleanup);
    } catch (e) {
      townError = `town setup failed: ${(e as Error).message}`;
    }
    let tui: Outcome<TuiResult> = { ok: false, reason: missing ?? townError ?? '?' };
    let daemonCpu: number | undefined;
    if (town && !missing) {
      try {
        tui = await runTui(dir, town.root, town.daemonPid, cleanup);
      } catch (e) {
        tui = { ok: false, reason: `gt tui: ${(e as Error).message}` };
      }
      if (tui.ok) daemonCpu = tui.value.daemonCpu;
    }
    if (town && daemonCpu === undefined) {
      process.stdout.write(`measuring the daemon alone for ${SECONDS} s (no TUI attached)\n`);
      [daemonCpu] = await measureCpu([town.daemonPid], SECONDS);
    }

    const tmuxPct = ref.ok ? ref.value.total : Number.NaN;
    const pct = (v: number) => v.toFixed(v < 10 ? 2 : 1);
    const na = (reason: string) => `not available: ${reason.split('\n')[0]}`;
    const tuiCpu: CpuResult | undefined = tui.ok
      ? { pct: tui.value.cpu, detail: `${(tui.value.bytesPerSec / 1024).toFixed(0)} KiB/s to the terminal, ${tui.value.visibleStreams} agent streams on screen` }
      : undefined;
    const ratio = tuiCpu ? tuiCpu.pct / tmuxPct : Number.NaN;
    const verdict = Number.isFinite(ratio) ? (ratio <= GOAL_RATIO ? 'met' : 'NOT met') : 'n/a';
    const cols = ['process', 'CPU % of one core', 'ratio vs tmux', { header: 'note', align: 'left' as const }];
    printTable(`TUI vs tmux: ${VISIBLE} live panes at ${COLS}x${ROWS}, ${RATE} lines/s each, ${SECONDS} s window`, cols, [
      [process.env.BENCH_TUI_COMMAND ? 'TUI (BENCH_TUI_COMMAND)' : 'TUI (gt tui process)', tuiCpu ? pct(tuiCpu.pct) : '-', tuiCpu ? fmtRatio(ratio) : '-', tuiCpu ? tuiCpu.detail : na(tui.ok ? '' : tui.reason)],
      ['tmux (server + attached client)', ref.ok ? pct(tmuxPct) : '-', ref.ok ? fmtRatio(1) : '-',
        ref.ok ? `server ${pct(ref.value.server)} + client ${pct(ref.value.client)}; ${(ref.value.bytes / SECONDS / 1024).toFixed(0)} KiB/s to the client` : na(ref.reason)],
      ...(tui.ok && tui.value.children ? [[`  TUI's ${tui.value.children} child process(es)`, pct(tui.value.childCpu), '', 'not counted in the TUI row']] : []),
      [`daemon (${AGENTS} sessions; not the TUI's)`, daemonCpu !== undefined ? pct(daemonCpu) : '-', daemonCpu !== undefined && ref.ok ? fmtRatio(daemonCpu / tmuxPct) : '-',
        daemonCpu !== undefined ? (tui.ok ? 'same window as the TUI, TUI attached' : 'no TUI attached') : na(townError ?? '?')],
      ['goal', '', '', `TUI ≤ ${GOAL_RATIO}× tmux: ${verdict}`],
    ]);
    if (!tui.ok && tui.reason.includes('\n')) process.stdout.write(`TUI: ${tui.reason}\n`);
    if (town) process.stdout.write(`gt sling (bead create + sling) mean ${fmtMs(town.slingMs)} ms per agent\n`);
    process.stdout.write('\n');

    if (tui.ok) {
      const { open, close, timeouts, latencyError } = tui.value;
      const o = summarize(open);
      const c = summarize(close);
      const all = summarize([...open, ...close]);
      const met = Number.isFinite(all.p95) ? (all.p95 <= GOAL_P95_MS ? 'met' : 'NOT met') : 'n/a';
      printTable(`Keypress to screen through the PTY (\`?\` help overlay, ${AGENTS} agents streaming)`, ['measure', 'presses', 'p50 ms', 'p95 ms', 'max ms', { header: 'goal', align: 'left' }], [
        [`open: \`?\` → "${HELP_TEXT}" on screen`, String(o.runs), fmtMs(o.median), fmtMs(o.p95), fmtMs(o.max), ''],
        ['close: `?` → gone', String(c.runs), fmtMs(c.median), fmtMs(c.p95), fmtMs(c.max), ''],
        ['all presses', String(all.runs), fmtMs(all.median), fmtMs(all.p95), fmtMs(all.max), `p95 ≤ ${GOAL_P95_MS} ms: ${met}`],
      ]);
      if (timeouts) process.stdout.write(`${timeouts} press(es) timed out (5 s)\n`);
      if (latencyError) process.stdout.write(`latency: ${latencyError}\n`);
    } else {
      printTable('Keypress to screen through the PTY', ['measure', 'p50 ms', 'p95 ms', { header: 'goal / note', align: 'left' }], [
        ['`?` → help overlay and back', '-', '-', na(tui.reason)],
        ['goal', '', '', `p95 ≤ ${GOAL_P95_MS} ms`],
      ]);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup.run();
  }
}
