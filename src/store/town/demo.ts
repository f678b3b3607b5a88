/**
 * A throwaway demo town (`gt demo`, `npm start`): a small real git repository with its own test
 * suite as the rig `hello`, the shipped scripted agent (runtime `scripted`, no LLM, no API key)
 * as the town's default agent, and beads whose descriptions are scripts that really change the
 * repository, commit and run `gt done`, so the refinery tests them with `node --test` and merges
 * them onto main (and pushes main back to the sample repository).
 *
 * Two beads form the convoy the demo starts with ({@link DemoTown.work}): one adds a `--name`
 * flag and mails the overseer, one fixes the empty-name bug after escalating a question. The
 * others stay ready for the user to sling; each touches its own files, so they merge in any order.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../../core/errors.js';
import { settingsFile } from '../../core/town/layout.js';
import { TownSettingsSchema } from '../../core/town/settings.js';
import { createConvoy } from '../convoys.js';
import { commitPaths, initRepo, setConfig, DEFAULT_IDENTITY } from '../git/git.js';
import { flushLedger, registerMergeDriver } from '../ledger-sync.js';
import { writeTx } from '../sqlite/db.js';
import { Ledger } from '../sqlite/ledger.js';
import { addRig, setRigSetting } from './rigs.js';
import { installTown, openTown, updateSettingsFile } from './town.js';

/** Marker file that says a folder is a demo we may wipe. */
export const DEMO_MARKER = '.gt-demo';

/** The demo's rig. */
export const DEMO_RIG = 'hello';

/** The demo's beads by what they are for. */
export interface DemoBeads {
  /** Epic "Ship hello v1" (ready; its script writes ROADMAP.md). */
  epic: string;
  /** "Add a --name flag to hello" (in the convoy; writes cli.js and its test, mails the overseer). */
  nameFlag: string;
  /** "Document the --name flag in the README" (blocked by {@link nameFlag}). */
  docs: string;
  /** "Tag and announce v1" (blocked by {@link docs}; writes CHANGELOG.md, mails the overseer). */
  release: string;
  /** The empty-name bug (in the convoy; escalates a question, fixes hello.js and its test). */
  emptyName: string;
  /** "Set up the repository" (ready; writes .gitignore and .editorconfig). */
  setup: string;
  /** "Say hello in French" (ready; writes bonjour.js and its test). */
  french: string;
  /** "Triage open questions for v2" (deferred a week; closes without changes). */
  triage: string;
  /** "Write the first test" (closed already). */
  firstTest: string;
}

/** What {@link createDemoTown} made. */
export interface DemoTown {
  /** The folder holding the demo (town and sample repo). */
  dir: string;
  /** The town root (`<dir>/town`). */
  root: string;
  /** The sample repository (`<dir>/src/hello`); the refinery pushes merged work back to its main. */
  repo: string;
  /** The rig's name ({@link DEMO_RIG}). */
  rig: string;
  /** Every bead made, by purpose. */
  beads: DemoBeads;
  /** The convoy tracking {@link work}. */
  convoy: string;
  /** The beads the demo slings at start, in order (the convoy's beads). */
  work: string[];
  /** Beads left ready for the user to sling (each scripted), highest priority first. */
  spare: string[];
}

const SAMPLE_FILES: Record<string, string> = {
  'README.md': '# hello\n\nA tiny project for the Gas Town demo. Run `node --test` to test it.\n',
  'package.json': `${JSON.stringify({ name: 'hello', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'hello.js': "/** Greet someone. */\nexport function hello(name = 'world') {\n  return `hello, ${name}`;\n}\n",
  'hello.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { hello } from './hello.js';\n\ntest('greets the world', () => assert.equal(hello(), 'hello, world'));\n",
};

const TEST_HEADER = ["import { test } from 'node:test';", "import assert from 'node:assert/strict';"];

/**
 * A `write` step of the scripted agent: the file's lines joined with `\n` escapes (the agent
 * turns them back into newlines), so the whole file fits on one script line.
 */
function write(path: string, lines: string[]): string {
  const text = lines.join('\n');
  if (text.includes('\\n')) throw new Error(`demo file ${path} must not contain a literal \\n`);
  return `write ${path} ${text.replace(/\n/g, '\\n')}`;
}

/** A bead description: what it is about, then the scripted agent's steps. */
function scripted(about: string, steps: string[]): string {
  return `${about}\n\nThe scripted agent (runtime \`scripted\`) follows the steps below.\n\nscript:\n${steps.join('\n')}\n`;
}

const NAME_FLAG = scripted('hello(name) exists; expose it on the command line as `node cli.js --name <name>`.', [
  'think 4000 reading hello.js and hello.test.js',
  'stream 8 4',
  write('cli.js', [
    '#!/usr/bin/env node',
    "import { hello } from './hello.js';",
    '',
    '/** `node cli.js [--name <name>]`: the greeting for these arguments. */',
    'export function main(argv) {',
    "  const at = argv.indexOf('--name');",
    '  return hello(at >= 0 ? argv[at + 1] : undefined);',
    '}',
    '',
    "if (process.argv[1]?.endsWith('cli.js')) console.log(main(process.argv.slice(2)));",
  ]),
  write('cli.test.js', [
    ...TEST_HEADER,
    "import { main } from './cli.js';",
    '',
    "test('--name picks who to greet', () => assert.equal(main(['--name', 'Ada']), 'hello, Ada'));",
    "test('no --name greets the world', () => assert.equal(main([]), 'hello, world'));",
  ]),
  'run node --test --test-reporter=spec',
  'commit hello: a --name flag (cli.js)',
  'mail overseer hello v1: ready for review',
  'think 2500 handing the branch to the refinery',
  'done',
]);

const EMPTY_NAME = scripted('hello("") returns "hello, " — an empty name should not make a broken greeting.', [
  'think 4000 reproducing: hello(\'\') says "hello, "',
  'escalate medium:decision Should --name accept an empty string?',
  'think 3000 meanwhile: an empty name greets the world',
  'stream 6 3',
  write('hello.js', [
    '/** Greet someone; a missing or empty name greets the world. */',
    'export function hello(name) {',
    "  return `hello, ${name || 'world'}`;",
    '}',
  ]),
  write('hello.test.js', [
    ...TEST_HEADER,
    "import { hello } from './hello.js';",
    '',
    "test('greets the world', () => assert.equal(hello(), 'hello, world'));",
    "test('an empty name greets the world', () => assert.equal(hello(''), 'hello, world'));",
  ]),
  'run node --test --test-reporter=spec',
  'commit hello: an empty name greets the world',
  'done',
]);

const EPIC = scripted('Everything for the first release of hello. Slung on its own, the agent writes the release plan.', [
  'think 2500 collecting the v1 work',
  write('ROADMAP.md', ['# hello roadmap', '', '## v1', '', '- a `--name` flag', '- an empty name greets the world', '- the README documents the flag', '- tag and announce v1']),
  'commit hello: the v1 roadmap',
  'done',
]);

const DOCS = scripted('Show `node cli.js --name <name>` in the README.', [
  'think 2000 reading cli.js',
  'stream 6 2',
  write('README.md', [
    '# hello', '', 'A tiny project for the Gas Town demo. Run `node --test` to test it.', '', '## Usage', '',
    '    node cli.js              # hello, world', '    node cli.js --name Ada   # hello, Ada',
  ]),
  'commit hello: document --name in the README',
  'done',
]);

const RELEASE = scripted('Write the changelog for v1 and tell the overseer.', [
  'think 2000 reading the log since the first version',
  write('CHANGELOG.md', ['# Changelog', '', '## 1.0.0', '', '- `node cli.js --name <name>` greets someone', '- an empty name greets the world']),
  'commit hello: changelog for v1',
  'mail overseer hello v1 is out',
  'done',
]);

const SETUP = scripted('Ignore what should not be committed; agree on formatting.', [
  'think 2000 looking at the repository',
  write('.gitignore', ['node_modules/', '*.log']),
  write('.editorconfig', ['root = true', '', '[*]', 'indent_style = space', 'indent_size = 2', 'insert_final_newline = true']),
  'commit hello: .gitignore and .editorconfig',
  'done',
]);

const FRENCH = scripted('Add bonjour(name), the French greeting, with a test.', [
  'think 2500 reading hello.js',
  'stream 8 2',
  write('bonjour.js', ['/** Greet someone in French. */', 'export function bonjour(name) {', "  return `bonjour, ${name || 'le monde'}`;", '}']),
  write('bonjour.test.js', [
    ...TEST_HEADER,
    "import { bonjour } from './bonjour.js';",
    '',
    "test('greets the world in French', () => assert.equal(bonjour(), 'bonjour, le monde'));",
    "test('greets Ada in French', () => assert.equal(bonjour('Ada'), 'bonjour, Ada'));",
  ]),
  'run node --test --test-reporter=spec',
  'commit hello: bonjour()',
  'done',
]);

const TRIAGE = scripted('Look through the open questions once v1 ships.', [
  'think 1500 reading the open questions',
  'done --no-changes nothing to triage before v1 ships',
]);

async function sampleRepo(repo: string): Promise<void> {
  await initRepo(repo, 'main');
  for (const [name, text] of Object.entries(SAMPLE_FILES)) writeFileSync(join(repo, name), text);
  await commitPaths(repo, Object.keys(SAMPLE_FILES), 'hello: first version with a test', DEFAULT_IDENTITY);
  // The refinery pushes merged work back here; a push updates the checked-out main and its files.
  await setConfig(repo, 'receive.denyCurrentBranch', 'updateInstead');
}

/**
 * Create (or re-create) a demo town in `dir`: the sample repository, the town with its default
 * agent `scripted` and medium escalations routed to the overseer, the rig `hello` with its test
 * command as the merge gate and `origin` as push remote, and the beads and convoy (one write
 * transaction). An existing `dir` is wiped only when it holds the demo marker; stop a daemon
 * still running there first.
 *
 * @param gtBin path of the `gt` bin (for the ledger merge driver).
 * @throws GtError INVALID_VALUE when `dir` exists and is not a demo.
 */
export async function createDemoTown(dir: string, gtBin: string): Promise<DemoTown> {
  if (existsSync(dir)) {
    if (!isDemoDir(dir)) {
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
  const townSettings = settingsFile(root);
  updateSettingsFile(townSettings, TownSettingsSchema, 'default_agent', 'scripted');
  updateSettingsFile(townSettings, TownSettingsSchema, 'escalation.routes.medium', JSON.stringify(['overseer']));
  const town = openTown(root);
  try {
    const rig = await addRig(town, { name: DEMO_RIG, url: repo, prefix: 'he' });
    setRigSetting(town, rig.name, 'merge_queue.gates.test', JSON.stringify({ cmd: 'node --test', timeout_ms: 60_000, phase: 'test' }));
    setRigSetting(town, rig.name, 'merge_queue.push_remote', 'origin');
    setRigSetting(town, rig.name, 'merge_queue.poll_ms', '1000');
    const ledger = new Ledger(town.db, { actor: 'mayor', prefix: rig.prefix });
    const made = writeTx(town.db, () => {
      const epic = ledger.create({ title: 'Ship hello v1', issue_type: 'epic', priority: 1, description: EPIC });
      const nameFlag = ledger.create({ title: 'Add a --name flag to hello', issue_type: 'feature', priority: 1, parent: epic.id, labels: ['cli'], description: NAME_FLAG });
      const docs = ledger.create({ title: 'Document the --name flag in the README', priority: 2, parent: epic.id, labels: ['docs'], deps: [{ type: 'blocks', id: nameFlag.id }], description: DOCS });
      const release = ledger.create({ title: 'Tag and announce v1', priority: 2, parent: epic.id, deps: [{ type: 'blocks', id: docs.id }], description: RELEASE });
      const emptyName = ledger.create({ title: 'hello() with an empty string says "hello, "', issue_type: 'bug', priority: 0, labels: ['bug'], description: EMPTY_NAME });
      const setup = ledger.create({ title: 'Set up the repository', issue_type: 'chore', priority: 3, description: SETUP });
      const french = ledger.create({ title: 'Say hello in French', issue_type: 'feature', priority: 2, labels: ['i18n'], description: FRENCH });
      const firstTest = ledger.create({ title: 'Write the first test', priority: 2 });
      ledger.close(firstTest.id, { reason: 'hello.test.js exists' });
      const triage = ledger.create({
        title: 'Triage open questions for v2', priority: 4, issue_type: 'chore', description: TRIAGE,
        defer_until: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      });
      const beads: DemoBeads = {
        epic: epic.id, nameFlag: nameFlag.id, docs: docs.id, release: release.id, emptyName: emptyName.id,
        setup: setup.id, french: french.id, triage: triage.id, firstTest: firstTest.id,
      };
      const work = [beads.nameFlag, beads.emptyName];
      const convoy = createConvoy(town, { title: 'hello v1: --name and the empty-name fix', beads: work, owner: 'overseer', actor: 'mayor' });
      return { beads, work, convoy: convoy.id, spare: [beads.epic, beads.french, beads.setup] };
    });
    await flushLedger(town);
    return { dir, root, repo, rig: rig.name, ...made };
  } finally {
    town.close();
  }
}

/** Whether `dir` holds a demo made by {@link createDemoTown} (its marker file). */
export function isDemoDir(dir: string): boolean {
  return existsSync(join(dir, DEMO_MARKER));
}
