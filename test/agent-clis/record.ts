/**
 * Records the real-screen corpus: `npx tsx test/agent-clis/record.ts [runtime[/name]…]`.
 *
 * Runs every flow of ./scenarios.ts (or the ones named) with the real CLI installed here
 * (`node test/agent-clis/ensure.mjs` first), at 80x24 and 200x50, each in a fresh HOME and a
 * fresh git repository, through the daemon's own session host (node-pty + headless xterm,
 * asciicast v2 recording with "i" events for every key typed). Writes
 * test/fixtures/screens/<runtime>/<name>-<cols>x<rows>.cast and updates
 * test/fixtures/screens/manifest.json (what each checkpoint must decide). Needs no key and no
 * network: the corpus is what these CLIs draw offline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchArgv, PRESETS } from '../../src/core/agents/presets.js';
import { HostedSession } from '../../src/sessions/hosted-session.js';
import { AGENT_CLIS_BIN } from './paths.js';
import { reapProcessesUnder } from './reap.js';
import { SCENARIOS, type Expectation, type Key, type Scenario } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outDir = join(root, 'test', 'fixtures', 'screens');
const bin = AGENT_CLIS_BIN;
const SIZES: Array<[number, number]> = [[80, 24], [200, 50]];

/**
 * One checkpoint of a recording: the screen after its first `outputs` "o" events, as it stood
 * `quietMs` after the last of them, `ageMs` after the CLI started.
 */
export interface Checkpoint extends Expectation {
  /** How many "o" events of the recording had arrived. */
  outputs: number;
  /** ms since the last output at the checkpoint. */
  quietMs: number;
  /** ms since the session started at the checkpoint. */
  ageMs: number;
}

/** One manifest entry (test/fixtures/screens/manifest.json). */
export interface RecordingEntry {
  /** Path under test/fixtures/screens/. */
  file: string;
  runtime: string;
  scenario: string;
  version: string;
  argv: string[];
  env: Record<string, string>;
  cols: number;
  rows: number;
  about: string;
  checkpoints: Checkpoint[];
  /** For a screen reproduced from the CLI's source instead of recorded: where its text comes from. */
  synthetic?: string;
  /** Set when the CLI exited by itself at the end. */
  exit?: { code: number; status: Expectation['status']; why: string };
}

const KEYS: Record<Exclude<Key, { text: string }>, string> = { Enter: '\r', Down: '\x1b[B', Up: '\x1b[A', Esc: '\x1b' };
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForScreen(s: HostedSession, pattern: string, timeoutMs: number): Promise<void> {
  const re = new RegExp(pattern, 'm');
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (re.test(s.screenText().join('\n'))) return;
    if (s.state !== 'running') break;
    await delay(20);
  }
  throw new Error(`timed out waiting for /${pattern}/; screen:\n${s.screenText().join('\n')}`);
}

/** Wait until the screen has been quiet `quietMs`, or `maxMs` passed (animated screens). */
async function settle(s: HostedSession, quietMs = 1500, maxMs = 4000): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until && Date.now() - s.lastOutputAt < quietMs && s.state === 'running') await delay(100);
}

function version(runtime: string): string {
  const home = mkdtempSync(join(tmpdir(), 'gt-screens-version-'));
  try {
    return execFileSync(join(bin, runtime), ['--version'], { encoding: 'utf8', env: { ...process.env, HOME: home } }).trim();
  } finally {
    reapProcessesUnder(home);
    rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function record(sc: Scenario, cols: number, rows: number, ver: string): Promise<RecordingEntry> {
  const home = mkdtempSync(join(tmpdir(), 'gt-screens-home-'));
  const repo = mkdtempSync(join(tmpdir(), 'gt-screens-repo-'));
  execFileSync('git', ['init', '-q', repo]);
  const preset = PRESETS[sc.runtime];
  const launch = launchArgv(preset, sc.prompt ? { prompt: sc.prompt } : {});
  const file = join(outDir, sc.runtime, `${sc.name}-${cols}x${rows}.cast`);
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  const env = { HOME: home, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, TERM: 'xterm-256color', COLORTERM: 'truecolor', LANG: 'C.UTF-8', ...sc.env };
  const s = new HostedSession({ id: `${sc.runtime}-${sc.name}`, generation: 1, command: launch.command, args: launch.args, cwd: repo, env, cols, rows, recordFile: file });
  const exited = new Promise<{ code: number; reason: string }>((r) => s.once('exit', (e) => r(e)));
  const checkpoints: Checkpoint[] = [];
  let outputs = 0;
  s.on('data', () => outputs++);
  try {
    for (const [i, step] of sc.steps.entries()) {
      await waitForScreen(s, step.waitFor, 90_000);
      if (step.settle !== false) await settle(s);
      const last = i === sc.steps.length - 1;
      const now = Date.now();
      if (!(last && sc.exits)) checkpoints.push({ ...step.expect, outputs, quietMs: now - s.lastOutputAt, ageMs: now - s.startedAt });
      for (const key of step.keys ?? []) {
        s.write(typeof key === 'string' ? KEYS[key] : key.text);
        await delay(400);
      }
    }
    let exit: RecordingEntry['exit'];
    if (sc.exits) {
      const e = await Promise.race([exited, delay(30_000).then(() => undefined)]);
      if (!e) throw new Error(`${sc.runtime}/${sc.name}: expected the CLI to exit`);
      exit = { code: e.code, status: sc.exits.status, why: sc.exits.why };
    } else {
      s.kill('SIGTERM');
      await exited;
    }
    return {
      file: relative(outDir, file), runtime: sc.runtime, scenario: sc.name, version: ver, argv: [launch.command, ...launch.args],
      env: Object.fromEntries(Object.entries(sc.env)), cols, rows, about: sc.about, checkpoints, ...(exit ? { exit } : {}),
    };
  } finally {
    s.dispose();
    reapProcessesUnder(home);
    // A CLI's own children may still write into HOME for a moment after it exits.
    for (const dir of [home, repo]) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch {
        // left in the temp dir; harmless
      }
    }
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const manifestFile = join(outDir, 'manifest.json');
  let entries: RecordingEntry[] = [];
  try {
    entries = JSON.parse(readFileSync(manifestFile, 'utf8')) as RecordingEntry[];
  } catch {
    entries = [];
  }
  const versions = new Map<string, string>();
  for (const sc of SCENARIOS) {
    const id = `${sc.runtime}/${sc.name}`;
    if (wanted.length && !wanted.some((w) => w === sc.runtime || w === id)) continue;
    if (!versions.has(sc.runtime)) versions.set(sc.runtime, version(sc.runtime));
    const runs = SIZES.map(([c, r]) => record(sc, c, r, versions.get(sc.runtime)!));
    for (const entry of await Promise.all(runs)) {
      entries = entries.filter((e) => e.file !== entry.file);
      entries.push(entry);
      console.log(`recorded ${entry.file} (${entry.checkpoints.length} checkpoints${entry.exit ? `, exit ${entry.exit.code}` : ''})`);
    }
  }
  entries.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(manifestFile, `${JSON.stringify(entries, null, 2)}\n`);
}

await main();
