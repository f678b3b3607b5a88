import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import { crewDir, refineryWorktree, rigBareRepo, rigDir, rigSettingsFile, settingsFile } from '../../src/core/town/layout.js';
import { addCrew, listCrew } from '../../src/store/town/crew.js';
import {
  addRig, getRig, getRigSetting, listRigs, removeRig, rigForPath, rigSettings, setRigSetting, unsetRigSetting,
} from '../../src/store/town/rigs.js';
import { findTownRoot, installTown, openTown, resolveTown, updateSettingsFile, type Town } from '../../src/store/town/town.js';
import { TownSettingsSchema } from '../../src/core/town/settings.js';
import {
  DEFAULT_IDENTITY, commitPaths, fetch, getConfig, hasRemote, identityOf, initRepo, isInsideWorkTree, pull,
  push, setConfig, setRemoteUrl,
} from '../../src/store/git/git.js';

let base: string;

// Real git, isolated from the machine's config, with a fixed identity.
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'gt-town-')));
  writeFileSync(join(base, 'gitconfig'), '');
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: join(base, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer', GIT_COMMITTER_EMAIL: 'committer@example.com',
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let counter = 0;
function fresh(label: string): string {
  const dir = join(base, `${label}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A source repository with one commit on main (and optionally a `dev` branch). */
function sourceRepo(opts: { dev?: boolean; empty?: boolean } = {}): string {
  const dir = fresh('src');
  sh(dir, 'init', '-q', '-b', 'main');
  if (opts.empty) return dir;
  writeFileSync(join(dir, 'README.md'), '# hello\n');
  sh(dir, 'add', '.');
  sh(dir, 'commit', '-q', '-m', 'first');
  if (opts.dev) {
    sh(dir, 'checkout', '-q', '-b', 'dev');
    writeFileSync(join(dir, 'dev.txt'), 'dev\n');
    sh(dir, 'add', '.');
    sh(dir, 'commit', '-q', '-m', 'dev work');
    sh(dir, 'checkout', '-q', 'main');
  }
  return dir;
}

async function newTown(): Promise<Town> {
  const { root } = await installTown(join(fresh('t'), 'gt'), { name: 'test', owner: 'me@example.com' });
  return openTown(root);
}

async function rejects(p: Promise<unknown>): Promise<GtError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GtError);
    return e as GtError;
  }
  throw new Error('expected a rejection');
}

describe('installTown', () => {
  it('creates the town layout, a git repo with a whitelist .gitignore and one commit', async () => {
    const root = join(fresh('t'), 'gt');
    const r = await installTown(root, { env: { USER: 'tester' } });
    expect(r).toMatchObject({ root, created: true });
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    const json = JSON.parse(readFileSync(join(root, 'town.json'), 'utf8'));
    expect(json).toMatchObject({ type: 'town', version: 1, name: 'gt', owner: 'tester', prefix: 'hq' });
    expect(JSON.parse(readFileSync(settingsFile(root), 'utf8'))).toMatchObject({ type: 'town-settings', default_agent: 'claude' });
    for (const f of ['town.db', '.beads/issues.jsonl', 'logs', '.git']) expect(existsSync(join(root, f))).toBe(true);
    expect(readFileSync(join(root, '.beads/issues.jsonl'), 'utf8')).toBe('');
    expect(readFileSync(join(root, '.gitattributes'), 'utf8')).toContain('.beads/issues.jsonl merge=beads');
    expect(sh(root, 'ls-files').split('\n').sort()).toEqual(['.beads/issues.jsonl', '.gitattributes', '.gitignore', 'settings/config.json', 'town.json']);
    expect(sh(root, 'status', '--porcelain')).toBe(''); // town.db, logs are ignored
    expect(sh(root, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(sh(root, 'log', '-1', '--format=%an <%ae>')).toBe('Test Committer <committer@example.com>');
    expect(sh(root, 'branch', '--show-current')).toBe('main');
    // A rig directory would be ignored too.
    mkdirSync(join(root, 'somerig'));
    writeFileSync(join(root, 'somerig', 'x'), 'x');
    expect(sh(root, 'status', '--porcelain')).toBe('');
  });

  it('is idempotent: keeps files and settings, fills missing pieces', async () => {
    const root = join(fresh('t'), 'gt');
    await installTown(root, { name: 'first', owner: 'a@b.c' });
    updateSettingsFile(settingsFile(root), TownSettingsSchema, 'theme', 'light');
    const town1 = readFileSync(join(root, 'town.json'), 'utf8');
    const again = await installTown(root, { name: 'second', owner: 'x@y.z' });
    expect(again).toMatchObject({ created: false, filled: [], commit: undefined });
    expect(readFileSync(join(root, 'town.json'), 'utf8')).toBe(town1);
    expect(JSON.parse(readFileSync(settingsFile(root), 'utf8')).theme).toBe('light');
    rmSync(join(root, '.beads'), { recursive: true });
    writeFileSync(join(root, '.gitattributes'), '*.png binary');
    const fill = await installTown(root);
    expect(fill.filled).toEqual(['.beads/issues.jsonl', '.gitattributes (.beads/issues.jsonl merge=beads)']);
    expect(readFileSync(join(root, '.gitattributes'), 'utf8')).toBe('*.png binary\n.beads/issues.jsonl merge=beads\n');
    expect(fill.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses to nest inside another town', async () => {
    const town = await newTown();
    try {
      for (const inner of [join(town.root, 'inner'), join(town.root, 'a', 'b')]) {
        const e = await rejects(installTown(inner));
        expect(e.code).toBe('TOWN_NESTED');
        expect(e.message).toContain(town.root);
        expect(existsSync(inner)).toBe(false);
      }
    } finally {
      town.close();
    }
  });

  it('refuses a broken town.json with the file named', async () => {
    const root = join(fresh('t'), 'gt');
    await installTown(root);
    writeFileSync(join(root, 'town.json'), '{"type": "town",');
    const e = await rejects(installTown(root));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(join(root, 'town.json'));
  });
});

describe('finding a town', () => {
  it('GT_TOWN wins, then walking up, then ~/gt', async () => {
    const town = await newTown();
    const home = fresh('home');
    const homeTown = (await installTown(join(home, 'gt'))).root;
    const deep = join(town.root, 'x', 'y');
    mkdirSync(deep, { recursive: true });
    const elsewhere = fresh('elsewhere');
    expect(findTownRoot(deep, { HOME: home })).toBe(town.root);
    expect(findTownRoot(deep, { HOME: home, GT_TOWN: homeTown })).toBe(homeTown);
    expect(findTownRoot(elsewhere, { HOME: home })).toBe(homeTown);
    expect(findTownRoot(elsewhere, { HOME: fresh('nohome') })).toBeUndefined();
    expect(findTownRoot(deep, { GT_TOWN: elsewhere })).toBeUndefined();
    expect(() => resolveTown(elsewhere, { HOME: fresh('nohome') })).toThrow(/no Gas Town here/);
    try {
      resolveTown(elsewhere, { GT_TOWN: elsewhere });
    } catch (e) {
      expect((e as GtError).code).toBe('TOWN_NOT_FOUND');
      expect((e as GtError).fix).toContain('gt install');
    }
    town.close();
  });
});

describe('rigs', () => {
  it('adds a rig: bare repo, refinery worktree on the default branch, dirs, settings, row', async () => {
    const town = await newTown();
    const src = sourceRepo();
    const rig = await addRig(town, { name: 'gastown', url: src });
    expect(rig).toMatchObject({ name: 'gastown', prefix: 'ga', git_url: src, default_branch: 'main' });
    const bare = rigBareRepo(town.root, 'gastown');
    expect(sh(bare, 'rev-parse', '--is-bare-repository')).toBe('true');
    const wt = refineryWorktree(town.root, 'gastown');
    expect(sh(wt, 'branch', '--show-current')).toBe('main');
    expect(sh(wt, 'rev-parse', 'HEAD')).toBe(sh(src, 'rev-parse', 'HEAD'));
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('# hello\n');
    expect(sh(bare, 'rev-parse', 'refs/remotes/origin/main')).toBe(sh(src, 'rev-parse', 'HEAD'));
    for (const d of ['polecats', 'crew']) expect(existsSync(join(rigDir(town.root, 'gastown'), d))).toBe(true);
    expect(JSON.parse(readFileSync(rigSettingsFile(town.root, 'gastown'), 'utf8'))).toMatchObject({ type: 'rig-settings', merge_queue: { batch_size: 4 } });
    expect(listRigs(town)).toEqual([rig]);
    expect(getRig(town, 'gastown')).toEqual(rig);
    expect(rigForPath(town, join(wt, 'src'))).toBe('gastown');
    expect(rigForPath(town, town.root)).toBeUndefined();
    expect(rigForPath(town, join(town.root, 'settings'))).toBeUndefined();
    expect(rigForPath(town, base)).toBeUndefined();
    town.close();
  });

  it('uses --branch, and refuses a branch that does not exist, leaving nothing behind', async () => {
    const town = await newTown();
    const src = sourceRepo({ dev: true });
    const rig = await addRig(town, { name: 'app', url: src, prefix: 'ap', branch: 'dev' });
    expect(rig.default_branch).toBe('dev');
    expect(sh(refineryWorktree(town.root, 'app'), 'branch', '--show-current')).toBe('dev');
    expect(existsSync(join(refineryWorktree(town.root, 'app'), 'dev.txt'))).toBe(true);
    const e = await rejects(addRig(town, { name: 'app2', url: src, branch: 'deve' }));
    expect(e.code).toBe('RIG_INVALID');
    expect(e.message).toContain('branch "deve" does not exist');
    expect(e.fix).toContain('did you mean --branch dev?');
    expect(existsSync(rigDir(town.root, 'app2'))).toBe(false);
    expect(listRigs(town).map((r) => r.name)).toEqual(['app']);
    town.close();
  });

  it('a bad URL or an empty repository leaves no directory and no row', async () => {
    const town = await newTown();
    const e = await rejects(addRig(town, { name: 'nope', url: join(base, 'does-not-exist') }));
    expect(e.code).toBe('GIT_FAILED');
    expect(e.message).toContain('git clone');
    expect(e.fix).toMatch(/git ls-remote/);
    expect(existsSync(rigDir(town.root, 'nope'))).toBe(false);
    const empty = await rejects(addRig(town, { name: 'empty', url: sourceRepo({ empty: true }) }));
    expect(empty.code).toBe('RIG_INVALID');
    expect(empty.message).toMatch(/has no commits/);
    expect(existsSync(rigDir(town.root, 'empty'))).toBe(false);
    expect(listRigs(town)).toEqual([]);
    town.close();
  });

  it('refuses duplicate names, duplicate prefixes, bad names and a stray directory', async () => {
    const town = await newTown();
    const src = sourceRepo();
    await addRig(town, { name: 'gastown', url: src, prefix: 'gt' });
    const dup = await rejects(addRig(town, { name: 'gastown', url: src }));
    expect(dup.code).toBe('RIG_EXISTS');
    const pre = await rejects(addRig(town, { name: 'other', url: src, prefix: 'gt' }));
    expect(pre.code).toBe('RIG_INVALID');
    expect(pre.message).toBe('prefix "gt" is already used by rig "gastown"');
    expect(pre.fix).toContain('--prefix gt2');
    const derived = await rejects(addRig(town, { name: 'gasTown', url: src })); // derives "gt"
    expect(derived.message).toContain('prefix "gt"');
    expect((await rejects(addRig(town, { name: 'x', url: src, prefix: 'hq' }))).code).toBe('RIG_INVALID');
    expect((await rejects(addRig(town, { name: 'my-app', url: src }))).message).toContain('"-"');
    expect((await rejects(addRig(town, { name: 'logs', url: src }))).message).toContain('reserved');
    mkdirSync(join(town.root, 'stray'));
    const stray = await rejects(addRig(town, { name: 'stray', url: src }));
    expect(stray.code).toBe('RIG_EXISTS');
    expect(existsSync(join(town.root, 'stray'))).toBe(true); // not ours: left alone
    expect(listRigs(town).map((r) => r.name)).toEqual(['gastown']);
    const nf = (() => {
      try {
        getRig(town, 'gastwn');
      } catch (e) {
        return e as GtError;
      }
      throw new Error('expected RIG_NOT_FOUND');
    })();
    expect(nf.code).toBe('RIG_NOT_FOUND');
    expect(nf.fix).toContain('"gastown"');
    town.close();
  });

  it('reads and writes rig settings atomically with validation', async () => {
    const town = await newTown();
    await addRig(town, { name: 'app', url: sourceRepo() });
    expect(setRigSetting(town, 'app', 'merge_queue.batch_size', '8').merge_queue.batch_size).toBe(8);
    setRigSetting(town, 'app', 'merge_queue.gates.test', '{"cmd":"npm test","phase":"test"}');
    expect(getRigSetting(town, 'app', 'merge_queue.gates.test.cmd')).toBe('npm test');
    expect(rigSettings(town, 'app').merge_queue.batch_size).toBe(8);
    expect(() => setRigSetting(town, 'app', 'merge_queue.batch_size', 'lots')).toThrow(/batch_size/);
    expect(() => setRigSetting(town, 'app', 'merge_queue.batchsize', '2')).toThrow(/unknown setting "merge_queue.batchsize"/);
    expect(unsetRigSetting(town, 'app', 'merge_queue.batch_size').merge_queue.batch_size).toBe(4);
    const onDisk = JSON.parse(readFileSync(rigSettingsFile(town.root, 'app'), 'utf8'));
    expect(onDisk.merge_queue).toMatchObject({ batch_size: 4, gates: { test: { cmd: 'npm test' } } });
    expect(() => rigSettings(town, 'nope')).toThrow(/no rig "nope"/);
    town.close();
  });
});

describe('crew and rig removal', () => {
  it('adds crew as full clones with origin at the rig url, and refuses duplicates', async () => {
    const town = await newTown();
    const src = sourceRepo();
    await addRig(town, { name: 'app', url: src });
    const alice = await addCrew(town, 'app', 'alice');
    expect(alice).toMatchObject({ rig: 'app', name: 'alice', branch: 'main', path: crewDir(town.root, 'app', 'alice') });
    expect(sh(alice.path, 'branch', '--show-current')).toBe('main');
    expect(sh(alice.path, 'remote', 'get-url', 'origin')).toBe(src);
    expect(sh(alice.path, 'rev-parse', '--is-shallow-repository')).toBe('false');
    expect(existsSync(join(alice.path, '.git'))).toBe(true); // a full clone, not a worktree
    const dup = await rejects(addCrew(town, 'app', 'alice'));
    expect(dup.code).toBe('CREW_EXISTS');
    expect(existsSync(alice.path)).toBe(true);
    expect((await rejects(addCrew(town, 'nope', 'bob'))).code).toBe('RIG_NOT_FOUND');
    expect((await rejects(addCrew(town, 'app', 'b-ob'))).code).toBe('USAGE');
    await addCrew(town, 'app', 'bob');
    expect(listCrew(town).map((c) => c.name)).toEqual(['alice', 'bob']);
    expect(listCrew(town, 'app')).toHaveLength(2);
    expect(rigForPath(town, alice.path)).toBe('app');
    town.close();
  });

  it('refuses to remove a rig whose crew has unsaved work unless forced', async () => {
    const town = await newTown();
    const src = sourceRepo();
    await addRig(town, { name: 'app', url: src });
    const alice = await addCrew(town, 'app', 'alice');
    writeFileSync(join(alice.path, 'wip.txt'), 'wip\n');
    let e = await rejects(removeRig(town, 'app'));
    expect(e.code).toBe('RIG_INVALID');
    expect(e.message).toContain('crew/alice (1 uncommitted change)');
    expect(e.fix).toContain('--force');
    sh(alice.path, 'add', '.');
    sh(alice.path, 'commit', '-q', '-m', 'wip');
    e = await rejects(removeRig(town, 'app'));
    expect(e.message).toContain('crew/alice (1 unpushed commit)');
    expect(existsSync(rigDir(town.root, 'app'))).toBe(true);
    await removeRig(town, 'app', { force: true });
    expect(existsSync(rigDir(town.root, 'app'))).toBe(false);
    expect(listRigs(town)).toEqual([]);
    expect(listCrew(town)).toEqual([]);
    // The name and prefix are free again.
    await addRig(town, { name: 'app', url: src });
    await removeRig(town, 'app');
    expect((await rejects(removeRig(town, 'app'))).code).toBe('RIG_NOT_FOUND');
    town.close();
  });
});

describe('git helpers', () => {
  it('commits only changed paths, falls back to the default identity, and never prompts', async () => {
    const dir = fresh('g');
    await initRepo(dir);
    await initRepo(dir); // harmless again
    expect(await isInsideWorkTree(dir)).toBe(true);
    expect(await isInsideWorkTree(base)).toBe(false);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    writeFileSync(join(dir, 'b.txt'), 'b\n');
    const saved = { ...process.env };
    for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete process.env[k];
    try {
      expect(await identityOf(dir)).toEqual(DEFAULT_IDENTITY);
      const sha = await commitPaths(dir, ['a.txt'], 'add a', { name: 'Ann', email: 'ann@example.com' });
      expect(sha).toBe(sh(dir, 'rev-parse', 'HEAD'));
      expect(sh(dir, 'log', '-1', '--format=%an <%ae> / %cn <%ce>')).toBe('Ann <ann@example.com> / Gas Town <gt@gastown.local>');
      expect(sh(dir, 'status', '--porcelain')).toBe('?? b.txt'); // only the given path
      expect(await commitPaths(dir, ['a.txt'], 'again', DEFAULT_IDENTITY)).toBeUndefined();
      rmSync(join(dir, 'a.txt'));
      expect(await commitPaths(dir, ['a.txt', 'gone.txt'], 'remove a', DEFAULT_IDENTITY)).toMatch(/^[0-9a-f]{40}$/);
      expect(sh(dir, 'ls-files')).toBe('');
    } finally {
      Object.assign(process.env, saved);
    }
    await setConfig(dir, 'merge.beads.driver', 'gt merge-driver %O %A %B');
    expect(await getConfig(dir, 'merge.beads.driver')).toBe('gt merge-driver %O %A %B');
    // An https remote that would ask for a password fails at once instead of prompting.
    await setRemoteUrl(dir, 'origin', 'https://127.0.0.1:9/none.git');
    expect(await hasRemote(dir)).toBe(true);
    const e = await rejects(fetch(dir, 'origin', 'main'));
    expect(e.code).toBe('GIT_FAILED');
    expect(e.message).toMatch(/^git fetch --quiet origin main failed in /);
    expect(e.fix).toContain('remote "origin"');
  });

  it('pushes and pulls a branch', async () => {
    const remote = fresh('remote');
    sh(remote, 'init', '-q', '--bare', '-b', 'main');
    const a = fresh('a');
    await initRepo(a);
    await setRemoteUrl(a, 'origin', remote);
    writeFileSync(join(a, 'f'), '1');
    await commitPaths(a, ['f'], 'one', DEFAULT_IDENTITY);
    await push(a, 'origin', 'main', { setUpstream: true });
    const b = join(fresh('b'), 'clone');
    sh(base, 'clone', '-q', remote, b);
    writeFileSync(join(a, 'f'), '2');
    await commitPaths(a, ['f'], 'two', DEFAULT_IDENTITY);
    await push(a, 'origin', 'main');
    await pull(b, 'origin', 'main');
    expect(readFileSync(join(b, 'f'), 'utf8')).toBe('2');
    writeFileSync(join(b, 'f'), '3');
    sh(b, 'commit', '-qam', 'three');
    writeFileSync(join(a, 'f'), '4');
    await commitPaths(a, ['f'], 'four', DEFAULT_IDENTITY);
    await push(a, 'origin', 'main');
    expect((await rejects(push(b, 'origin', 'main'))).code).toBe('GIT_FAILED');
    expect((await rejects(pull(b, 'origin', 'main'))).fix).toContain('diverged');
    await fetch(b);
  });
});
