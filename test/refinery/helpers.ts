import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rigBareRepo } from '../../src/core/town/layout.js';
import { writeTx } from '../../src/store/sqlite/db.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';
import { createMergeRequest, upsertAgent, type MergeRequestRow } from '../../src/store/work/agents.js';
import { openTown, type Town } from '../../src/store/town/town.js';
import { GIT_ENV, gt, sourceRepo } from '../cli/helpers.js';

/** Run git and return trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The sample project: an add function and a node test suite. */
export const APP_FILES: Record<string, string> = {
  'package.json': '{"name":"app","type":"module","scripts":{"test":"node --test"}}\n',
  'app.js': 'export const add = (a, b) => a + b;\n',
  'app.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from './app.js';\ntest('adds', () => assert.equal(add(1, 2), 3));\n",
};

/** A town with rig `app` whose gate is its own test suite (`node --test`). */
export async function refineryTown(dir: string, gates: Record<string, { cmd: string; timeout_ms?: number; phase?: string }> = { test: { cmd: 'node --test', phase: 'test' } }): Promise<{ root: string; env: Record<string, string>; bare: string; town: Town }> {
  const repo = sourceRepo(join(dir, 'src'), APP_FILES);
  const root = join(dir, 'town');
  const env = { GT_TOWN: root, BD_ACTOR: 'overseer' };
  for (const args of [
    ['install', root], ['config', 'set', 'ledger.auto_export', 'false'], ['rig', 'add', 'app', repo],
    ['rig', 'config', 'set', 'app', 'merge_queue.gates', JSON.stringify(Object.fromEntries(Object.entries(gates).map(([k, g]) => [k, { timeout_ms: 60_000, phase: 'test', ...g }])))],
    ['rig', 'config', 'set', 'app', 'merge_queue.batch_size', '32'],
  ]) {
    const r = await gt(args, { env });
    if (r.code !== 0) throw new Error(`gt ${args.join(' ')}: ${r.err}`);
  }
  return { root, env, bare: rigBareRepo(root, 'app'), town: openTown(root) };
}

let counter = 0;

/**
 * A merge request as `gt done` leaves it: a bead, a polecat branch with one commit on top of the
 * target in the bare repo, and the MR row.
 */
export function makeMr(town: Town, bare: string, files: Record<string, string>, options: { title?: string; priority?: number; base?: string } = {}): MergeRequestRow {
  const n = ++counter;
  const name = `cat${n}`;
  const polecat = `app/polecats/${name}`;
  const ledger = new Ledger(town.db, { actor: 'overseer', prefix: 'app' });
  const bead = ledger.create({ title: options.title ?? `change ${n}`, prefix: 'app', priority: options.priority ?? 2 });
  const branch = `polecat/${name}/${bead.id}`;
  const clone = join(bare, '..', 'clones', name);
  mkdirSync(join(clone, '..'), { recursive: true });
  git(join(clone, '..'), 'clone', '-q', bare, clone);
  git(clone, 'checkout', '-q', '-b', branch, options.base ?? 'origin/main');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(clone, f, '..'), { recursive: true });
    writeFileSync(join(clone, f), text);
  }
  git(clone, 'add', '-A');
  execFileSync('git', ['commit', '-q', '-m', `change ${n}`], { cwd: clone, env: { ...process.env, ...GIT_ENV, GIT_AUTHOR_NAME: polecat, GIT_AUTHOR_EMAIL: `${name}@gastown.local` } });
  git(clone, 'push', '-q', 'origin', branch);
  const sha = git(clone, 'rev-parse', 'HEAD');
  return writeTx(town.db, () => {
    upsertAgent(town.db, { address: polecat, role: 'polecat', rig: 'app', name, state: 'idle' });
    ledger.update(bead.id, { set: { status: 'in_progress', assignee: polecat } });
    return createMergeRequest(town.db, { rig: 'app', branch, target: 'main', bead_id: bead.id, polecat, commit_sha: sha, priority: options.priority ?? 2 }).mr;
  });
}

/** A test file that passes. */
export const passingTest = (n: number): Record<string, string> => ({
  [`feature${n}.js`]: `export const f${n} = () => ${n};\n`,
  [`feature${n}.test.js`]: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { f${n} } from './feature${n}.js';\ntest('feature ${n}', () => assert.equal(f${n}(), ${n}));\n`,
});

/** A test file that fails. */
export const failingTest = (n: number): Record<string, string> => ({
  [`broken${n}.test.js`]: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('broken ${n} breaks', () => assert.equal(1 + 1, 3));\n`,
});
