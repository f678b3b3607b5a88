/**
 * `npm run bench -- refinery` (issue #4): K ∈ {4, 8, 16, 32} merge requests with 0, 1 and 2 bad
 * ones, on a real repository whose gate takes a fixed time; gate runs and wall time of our
 * batch-then-bisect queue versus merging one at a time (Gas Town's running strategy), measured
 * in the same run, with the ratio. Goal: one bad MR in 16 costs ≤ 9 gate runs (one at a time: 16).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rigBareRepo } from '../src/core/town/layout.js';
import { runRefineryOnce } from '../src/store/refinery/refinery.js';
import { writeTx } from '../src/store/sqlite/db.js';
import { Ledger } from '../src/store/sqlite/ledger.js';
import { createMergeRequest, upsertAgent } from '../src/store/work/agents.js';
import { installTown, openTown, type Town } from '../src/store/town/town.js';
import { addRig } from '../src/store/town/rigs.js';
import { fmtMs, printTable } from './stats.js';

const GATE_MS = Number(process.env.BENCH_GATE_MS ?? '150');
const GIT_ENV = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function setup(dir: string, k: number, bad: readonly number[]): Promise<{ town: Town; cleanup: () => void }> {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  git(src, 'init', '-q', '-b', 'main');
  writeFileSync(join(src, 'README.md'), '# bench\n');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'init');
  const { root } = await installTown(join(dir, 'town'), { name: 'bench' });
  const town = openTown(root);
  await addRig(town, { name: 'app', url: src, prefix: 'app' });
  // the gate: a fixed time, failing when a "broken" file is present
  const seconds = (GATE_MS / 1000).toFixed(3);
  writeFileSync(join(root, 'app/settings/config.json'), JSON.stringify({
    type: 'rig-settings', version: 1,
    merge_queue: { batch_size: k, retry_flaky: 0, gates: { test: { cmd: `sleep ${seconds} && ! ls broken-* >/dev/null 2>&1`, timeout_ms: 60_000, phase: 'test' } } },
  }));
  const bare = rigBareRepo(root, 'app');
  const clone = join(dir, 'clone');
  git(dir, 'clone', '-q', bare, clone);
  const ledger = new Ledger(town.db, { actor: 'bench', prefix: 'app' });
  for (let i = 0; i < k; i++) {
    const bead = ledger.create({ title: `change ${i}`, prefix: 'app' });
    const branch = `polecat/p${i}/${bead.id}`;
    git(clone, 'checkout', '-q', '-B', branch, 'origin/main');
    writeFileSync(join(clone, bad.includes(i) ? `broken-${i}.txt` : `file-${i}.txt`), `${i}\n`);
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', `change ${i}`);
    git(clone, 'push', '-q', 'origin', branch);
    const sha = git(clone, 'rev-parse', 'HEAD');
    writeTx(town.db, () => {
      upsertAgent(town.db, { address: `app/polecats/p${i}`, role: 'polecat', rig: 'app', name: `p${i}` });
      createMergeRequest(town.db, { rig: 'app', branch, target: 'main', bead_id: bead.id, polecat: `app/polecats/p${i}`, commit_sha: sha });
    });
  }
  return { town, cleanup: () => { town.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function measure(k: number, bad: readonly number[], strategy: 'bisect' | 'one-at-a-time'): Promise<{ runs: number; ms: number; merged: number }> {
  const { town, cleanup } = await setup(mkdtempSync(join(tmpdir(), 'gt-bench-mq-')), k, bad);
  try {
    const start = performance.now();
    let runs = 0;
    let merged = 0;
    for (;;) {
      const r = await runRefineryOnce(town, 'app', { strategy });
      runs += r.runs;
      merged += r.merged.length;
      if (r.skipped) break;
    }
    return { runs, ms: performance.now() - start, merged };
  } finally {
    cleanup();
  }
}

/** Run the refinery benchmark. */
export async function benchRefinery(): Promise<void> {
  process.stdout.write(`\n== refinery benchmark ==\nmachine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} · node ${process.version} · gate ${GATE_MS} ms\n`);
  const rows: string[][] = [];
  for (const k of [4, 8, 16, 32]) {
    for (const badCount of [0, 1, 2]) {
      // bad MRs at fixed positions: the middle, then the last
      const bad = [Math.floor(k / 2), k - 1].slice(0, badCount);
      process.stderr.write(`  … K=${k}, ${badCount} bad\n`);
      const ours = await measure(k, bad, 'bisect');
      const single = await measure(k, bad, 'one-at-a-time');
      rows.push([
        String(k), String(badCount), String(ours.merged), String(ours.runs), String(single.runs), (ours.runs / single.runs).toFixed(2),
        fmtMs(ours.ms), fmtMs(single.ms), (ours.ms / single.ms).toFixed(2), k === 16 && badCount === 1 ? '≤ 9 runs' : '',
      ]);
    }
  }
  printTable('Merge queue: batch-then-bisect vs one at a time (same repo, same gate, same run)',
    ['K', 'bad', 'merged', 'runs (ours)', 'runs (1-at-a-time)', 'runs ratio', 'wall ms (ours)', 'wall ms (1-at-a-time)', 'wall ratio', 'goal'], rows);
}

