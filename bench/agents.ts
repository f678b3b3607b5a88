/**
 * `npm run bench -- agents` (issue #11): what the real-CLI support costs where it runs often.
 *
 * - Hook commands: Claude Code runs `gt agents hook claude <Event>` on every prompt and every
 *   turn end, so its wall time (spawned as the runtime spawns it, event JSON on stdin, a live
 *   daemon session to report to) is the latency each turn pays; `node -e 0` is the reference,
 *   measured in the same run.
 * - The status decision: the daemon decides every session's status every 200 ms, so the cost of
 *   one decision on each real screen of test/fixtures/screens (µs) bounds the daemon's CPU per
 *   session.
 * - `gt doctor` and `gt costs` wall time on the same town.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isReady, PRESETS, type BuiltInRuntime } from '../src/core/agents/presets.js';
import { getCompiledRules } from '../src/core/agents/screen-rules.js';
import { decideStatus, DEFAULT_THRESHOLDS } from '../src/core/agents/status.js';
import { renderRecording } from '../src/sessions/replay.js';
import { fmtMs, fmtRatio, measure, printTable, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const GT_BIN = join(ROOT, 'bin', 'gt.js');
const SCREENS = join(ROOT, 'test', 'fixtures', 'screens');

function gt(env: NodeJS.ProcessEnv, args: string[], input = '', cwd?: string): string {
  const r = spawnSync(process.execPath, [GT_BIN, ...args], { env, input, encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  if (r.status !== 0 && !args.includes('doctor')) throw new Error(`gt ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Run the agents benchmark and print its tables. */
export async function benchAgents(): Promise<void> {
  console.log('\n== agents benchmark (hooks, status decision, doctor, costs) ==');
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-agents-'));
  const root = join(dir, 'town');
  const env: NodeJS.ProcessEnv = { ...process.env, GT_TOWN: root, BD_ACTOR: 'overseer', NODE_ENV: 'production', HOME: dir, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  try {
    const repo = join(dir, 'src');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    writeFileSync(join(repo, 'README.md'), '# bench\n');
    execFileSync('git', ['-C', repo, 'add', '.'], { env });
    execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'init'], { env });
    gt(env, ['install', root]);
    gt(env, ['config', 'set', 'ledger.auto_export', 'false']);
    gt(env, ['rig', 'add', 'app', repo]);
    gt(env, ['config', 'default-agent', 'scripted']);
    const bead = gt(env, ['bd', 'create', 'wait here', '--rig', 'app', '-d', 'script:\nask continue?', '--silent']).trim();
    const sling = JSON.parse(gt(env, ['sling', bead, 'app', '--json'])) as { agent: { address: string; generation: number; worktree?: string } };
    const address = sling.agent.address;
    const agentEnv = { ...env, BD_ACTOR: address, GT_GENERATION: String(sling.agent.generation), GT_AGENT: 'claude' };
    const base = { session_id: 'bench', transcript_path: join(dir, 't.jsonl'), cwd: root };
    const hook = (event: string, payload: object) => () => { gt(agentEnv, ['agents', 'hook', 'claude', event], JSON.stringify({ ...base, hook_event_name: event, ...payload })); };
    const runs = { runs: 15, warmup: 2 };
    const node = measure(() => { execFileSync(process.execPath, ['-e', '0']); }, runs);
    const rows: Array<[string, number[]]> = [
      ['gt agents hook claude Stop (report idle)', measure(hook('Stop', { stop_hook_active: false }), runs)],
      ['gt agents hook claude UserPromptSubmit (report + mail)', measure(hook('UserPromptSubmit', { prompt: 'go' }), runs)],
      ['gt agents hook claude Notification (report waiting)', measure(hook('Notification', { message: 'Claude needs your permission to use Bash' }), runs)],
      ['gt agents hook claude SessionStart (prime)', measure(hook('SessionStart', { source: 'startup' }), runs)],
      ['gt agents hook codex notify <json>', measure(() => { gt(agentEnv, ['agents', 'hook', 'codex', 'notify', JSON.stringify({ type: 'agent-turn-complete', 'last-assistant-message': 'ok' })]); }, runs)],
      ['gt doctor (daemon up, 1 polecat)', measure(() => { gt(env, ['doctor']); }, { runs: 5, warmup: 1 })],
      ['gt costs (no logs)', measure(() => { gt(env, ['costs']); }, { runs: 10, warmup: 1 })],
    ];
    const ref = summarize(node).median;
    printTable('hook commands and checks, wall time (spawned, event JSON on stdin)', ['command', { header: 'median ms', align: 'right' }, { header: 'p95 ms', align: 'right' }, { header: '× node -e 0', align: 'right' }], [
      ['node -e 0 (reference)', fmtMs(ref), fmtMs(summarize(node).p95), fmtRatio(1)],
      ...rows.map(([name, s]) => { const x = summarize(s); return [name, fmtMs(x.median), fmtMs(x.p95), fmtRatio(x.median / ref)]; }),
    ]);

    const manifest = JSON.parse(readFileSync(join(SCREENS, 'manifest.json'), 'utf8')) as Array<{ file: string; runtime: string }>;
    const decisions: number[] = [];
    for (const e of manifest) {
      const lines = await renderRecording(join(SCREENS, e.file));
      const preset = PRESETS[e.runtime as BuiltInRuntime];
      const rules = getCompiledRules(preset.rules);
      const now = Date.now();
      const signals = { alive: true, startedAt: now - 60_000, lastOutputAt: now - 3000, now, screenLines: lines, title: '', readySeen: isReady(preset, lines, 60_000), thresholds: DEFAULT_THRESHOLDS };
      const s = measure(() => { for (let i = 0; i < 100; i++) decideStatus(rules, signals); }, { runs: 20, warmup: 3 });
      decisions.push(summarize(s).median * 10); // µs per decision (100 per run)
    }
    const d = summarize(decisions);
    printTable(`status decision on the ${manifest.length} real screens (last screen of each recording)`, ['measure', { header: 'median', align: 'right' }, { header: 'p95', align: 'right' }, 'budget'], [
      ['one decision, µs', d.median.toFixed(1), d.p95.toFixed(1), 'every 200 ms per session'],
      ['30 sessions, % of one core', (30 * d.median / 2000).toFixed(3), (30 * d.p95 / 2000).toFixed(3), ''],
    ]);
  } finally {
    spawnSync(process.execPath, [GT_BIN, 'daemon', 'stop'], { env });
    rmSync(dir, { recursive: true, force: true });
  }
}
