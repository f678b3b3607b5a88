/**
 * A throwaway demo town (`gt demo`, `npm start`): a small real git repository with its own
 * test suite as the rig `hello`, and a few beads in a blocks chain, so a newcomer can try the
 * ledger commands without an API key.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../../core/errors.js';
import { commitPaths, initRepo, DEFAULT_IDENTITY } from '../git/git.js';
import { flushLedger, registerMergeDriver } from '../ledger-sync.js';
import { Ledger } from '../sqlite/ledger.js';
import { addRig } from './rigs.js';
import { installTown, openTown } from './town.js';

/** Marker file that says a folder is a demo we may wipe. */
export const DEMO_MARKER = '.gt-demo';

/** What {@link createDemoTown} made. */
export interface DemoTown {
  /** The folder holding the demo (town and sample repo). */
  dir: string;
  /** The town root (`<dir>/town`). */
  root: string;
  /** The sample repository (`<dir>/src/hello`). */
  repo: string;
  /** Ids of the beads created, in chain order. */
  beads: string[];
}

const SAMPLE_FILES: Record<string, string> = {
  'README.md': '# hello\n\nA tiny project for the Gas Town demo. Run `node --test` to test it.\n',
  'package.json': `${JSON.stringify({ name: 'hello', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'hello.js': "/** Greet someone. */\nexport function hello(name = 'world') {\n  return `hello, ${name}`;\n}\n",
  'hello.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { hello } from './hello.js';\n\ntest('greets the world', () => assert.equal(hello(), 'hello, world'));\n",
};

async function sampleRepo(repo: string): Promise<void> {
  await initRepo(repo, 'main');
  for (const [name, text] of Object.entries(SAMPLE_FILES)) writeFileSync(join(repo, name), text);
  await commitPaths(repo, Object.keys(SAMPLE_FILES), 'hello: first version with a test', DEFAULT_IDENTITY);
}

/**
 * Create (or re-create) a demo town in `dir`. An existing `dir` is wiped only when it holds the
 * demo marker.
 *
 * @param gtBin path of the `gt` bin (for the ledger merge driver).
 * @throws GtError INVALID_VALUE when `dir` exists and is not a demo.
 */
export async function createDemoTown(dir: string, gtBin: string): Promise<DemoTown> {
  if (existsSync(dir)) {
    if (!existsSync(join(dir, DEMO_MARKER))) {
      throw new GtError('INVALID_VALUE', `${dir} exists and is not a Gas Town demo`, { fix: 'pick another folder with --dir, or remove that one yourself' });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, DEMO_MARKER), 'made by gt demo; safe to delete\n');
  const repo = join(dir, 'src', 'hello');
  await sampleRepo(repo);
  const { root } = await installTown(join(dir, 'town'), { name: 'demo' });
  await registerMergeDriver(root, gtBin);
  const town = openTown(root);
  try {
    const rig = await addRig(town, { name: 'hello', url: repo, prefix: 'he' });
    const ledger = new Ledger(town.db, { actor: 'mayor', prefix: rig.prefix });
    const epic = ledger.create({ title: 'Ship hello v1', issue_type: 'epic', priority: 1, description: 'Everything for the first release of hello.' });
    const a = ledger.create({ title: 'Add a --name flag to hello', priority: 1, parent: epic.id, labels: ['cli'], description: 'hello(name) exists; expose it on the command line.' });
    const b = ledger.create({ title: 'Document the --name flag in the README', priority: 2, parent: epic.id, deps: [{ type: 'blocks', id: a.id }] });
    const c = ledger.create({ title: 'Tag and announce v1', priority: 2, parent: epic.id, deps: [{ type: 'blocks', id: b.id }] });
    const bug = ledger.create({ title: 'hello() with an empty string says "hello, "', issue_type: 'bug', priority: 0, labels: ['bug'] });
    ledger.create({ title: 'Set up the repository', priority: 3 });
    const done = ledger.create({ title: 'Write the first test', priority: 2 });
    ledger.close(done.id, { reason: 'hello.test.js exists' });
    ledger.create({ title: 'Triage open questions for v2', priority: 4, issue_type: 'chore', defer_until: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    await flushLedger(town);
    return { dir, root, repo, beads: [epic.id, a.id, b.id, c.id, bug.id] };
  } finally {
    town.close();
  }
}
