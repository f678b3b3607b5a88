import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

let base: string;
let src: string;
let town: string;
let env: NodeJS.ProcessEnv;

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'gt-cli-')));
  writeFileSync(join(base, 'gitconfig'), '');
  const gitEnv = {
    GIT_CONFIG_GLOBAL: join(base, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  Object.assign(process.env, gitEnv); // git subprocesses inherit the process env
  src = join(base, 'src');
  mkdirSync(src);
  sh(src, 'init', '-q', '-b', 'main');
  writeFileSync(join(src, 'README.md'), 'hi\n');
  sh(src, 'add', '.');
  sh(src, 'commit', '-q', '-m', 'first');
  town = join(base, 'town');
  env = { ...gitEnv, HOME: join(base, 'home'), USER: 'tester', PATH: process.env.PATH, GT_TOWN: town };
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Run `gt <argv>` in-process with captured output. Every call names a command group first. */
async function gt(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    cwd: opts.cwd ?? base,
    env: opts.env ?? env,
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
  });
  return { code, out, err };
}

describe('gt install, rig, crew, config', () => {
  it('installs a town and is idempotent', async () => {
    const first = await gt(['install', town, '--name', 'cli', '--json']);
    expect(first.code).toBe(0);
    const json = JSON.parse(first.out);
    expect(json).toMatchObject({ root: town, created: true });
    expect(json.filled).toContain('town.json');
    const again = await gt(['install']); // GT_TOWN is the default path
    expect(again.code).toBe(0);
    expect(again.out).toContain(`Gas Town at ${town} is already installed; nothing to do`);
    expect(again.out).toContain('gt rig add <name> <git-url-or-path>');
  });

  it('refuses a nested install with exit 1', async () => {
    const r = await gt(['install', join(town, 'inner')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*inside the town at .* — install somewhere outside/);
  });

  it('adds, lists and shows a rig', async () => {
    const add = await gt(['rig', 'add', 'app', 'src']); // a path relative to cwd
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain(`Added rig "app" (prefix app-, branch main) from ${src}`);
    expect(add.out).toContain('gt crew add <your-name> --rig app');
    const list = await gt(['rig', 'list', '--json']);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'app', prefix: 'app', default_branch: 'main', git_url: src })]);
    const text = await gt(['rig', 'list']);
    expect(text.out.split('\n')[0]).toMatch(/^NAME\s+PREFIX\s+BRANCH\s+URL$/);
    const show = await gt(['rig', 'show', 'app', '--json']);
    expect(JSON.parse(show.out)).toMatchObject({ name: 'app', refinery: join(town, 'app', 'refinery', 'rig'), crew: [] });
  });

  it('reports rig errors with exit 1 and usage errors with exit 2', async () => {
    const bad = await gt(['rig', 'add', 'my-app', src]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('error: rig name "my-app" contains "-"');
    expect(bad.err).toContain('"my_app"');
    const dup = await gt(['rig', 'add', 'app', src, '--json']);
    expect(dup.code).toBe(1);
    expect(JSON.parse(dup.err).error.code).toBe('RIG_EXISTS');
    const badUrl = await gt(['rig', 'add', 'ghost', join(base, 'nowhere')]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.err).toContain('error: git clone');
    expect(existsSync(join(town, 'ghost'))).toBe(false);
    const missing = await gt(['rig', 'add', 'onlyname']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing required argument/);
    const near = await gt(['rig', 'show', 'ap']);
    expect(near.code).toBe(1);
    expect(near.err).toContain('error: no rig "ap" — did you mean "app"?');
  });

  it('adds crew with --rig or from inside the rig', async () => {
    const add = await gt(['crew', 'add', 'alice', '--rig', 'app', '--json']);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ rig: 'app', name: 'alice', branch: 'main', path: join(town, 'app', 'crew', 'alice') });
    const inside = await gt(['crew', 'add', 'bob'], { cwd: join(town, 'app', 'refinery', 'rig') });
    expect(inside.code).toBe(0);
    expect(inside.out).toContain('Added crew "bob" to rig "app"');
    const which = await gt(['crew', 'add', 'carol'], { cwd: town });
    expect(which.code).toBe(2);
    expect(which.err).toContain('error: which rig? — pass --rig <rig>');
    const dup = await gt(['crew', 'add', 'alice', '--rig', 'app']);
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('already exists');
    const list = await gt(['crew', 'list', '--rig', 'app', '--json']);
    expect(JSON.parse(list.out).map((c: { name: string }) => c.name)).toEqual(['alice', 'bob']);
    const listText = await gt(['crew', 'list']);
    expect(listText.out).toContain('app/alice');
  });

  it('gets, sets, unsets and lists town settings', async () => {
    expect((await gt(['config', 'get', 'theme'])).out).toBe('dark\n');
    const set = await gt(['config', 'set', 'ledger.export_debounce_ms', '2500']);
    expect(set.code).toBe(0);
    expect(set.out).toBe('ledger.export_debounce_ms = 2500\n');
    expect((await gt(['config', 'get', 'ledger.export_debounce_ms', '--json'])).out).toContain('"value": 2500');
    const typo = await gt(['config', 'set', 'ledger.export_debounc', '1']);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain('error: unknown setting "ledger.export_debounc" — did you mean "ledger.export_debounce_ms"');
    const bad = await gt(['config', 'set', 'ledger.export_debounce_ms', 'soon', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.err).error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await gt(['config', 'get', 'ledger.export_debounce_ms'])).out).toBe('2500\n'); // unchanged
    const unset = await gt(['config', 'unset', 'ledger.export_debounce_ms']);
    expect(unset.out).toBe('ledger.export_debounce_ms = 1500 (default)\n');
    const list = await gt(['config', 'list']);
    expect(list.out).toContain('default_agent = claude\n');
    expect(JSON.parse((await gt(['config', 'list', '--json'])).out).ledger.export_debounce_ms).toBe(1500);
    expect((await gt(['config', 'set', 'theme'])).code).toBe(2);
  });

  it('sets, shows and unsets rig settings', async () => {
    expect((await gt(['rig', 'config', 'set', 'app', 'merge_queue.batch_size', '8'])).out).toBe('app: merge_queue.batch_size = 8\n');
    const gate = await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates.test', '{"cmd":"npm test"}']);
    expect(gate.code).toBe(0);
    const show = JSON.parse((await gt(['rig', 'config', 'show', 'app', '--json'])).out);
    expect(show.merge_queue).toEqual({ enabled: true, batch_size: 8, gates: { test: { cmd: 'npm test', timeout_ms: 600000, phase: 'test' } }, push_remote: '', retry_flaky: 1, poll_ms: 2000, delete_merged_branches: true });
    expect((await gt(['rig', 'config', 'show', 'app'])).out).toContain('merge_queue.gates.test.cmd = npm test');
    expect((await gt(['rig', 'config', 'unset', 'app', 'merge_queue.batch_size'])).out).toBe('app: merge_queue.batch_size = 4 (default)\n');
    const bad = await gt(['rig', 'config', 'set', 'app', 'merge_queue.gates.test.phase', 'deploy']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('merge_queue.gates.test.phase');
    expect((await gt(['rig', 'config', 'show', 'nope'])).code).toBe(1);
  });

  it('removes a rig, refusing first when crew work is unsaved', async () => {
    writeFileSync(join(town, 'app', 'crew', 'alice', 'wip.txt'), 'wip');
    const refused = await gt(['rig', 'remove', 'app']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('crew/alice (1 uncommitted change)');
    const forced = await gt(['rig', 'remove', 'app', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toBe('Removed rig "app"\n');
    expect(existsSync(join(town, 'app'))).toBe(false);
    expect((await gt(['rig', 'list'])).out).toContain('no rigs yet');
  });

  it('says there is no town, with the fix', async () => {
    const noTown = { ...env, GT_TOWN: undefined, HOME: join(base, 'nohome') };
    const r = await gt(['rig', 'list'], { env: noTown });
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: no Gas Town here');
    expect(r.err).toContain('run `gt install <dir>` or set GT_TOWN');
    const j = await gt(['config', 'list', '--json'], { env: noTown });
    expect(JSON.parse(j.err).error.code).toBe('TOWN_NOT_FOUND');
  });
});
