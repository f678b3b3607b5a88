import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refineryWorktree, rigBareRepo } from '../../src/core/town/layout.js';
import { getAgent, listHistory } from '../../src/store/work/agents.js';
import { hookBead } from '../../src/store/work/hook.js';
import { listEvents } from '../../src/store/events.js';
import {
  allocatePolecat, listPolecats, nukePolecat, polecatStatus, preparePolecatSandbox, releasePolecat, resolveAgentAddress,
} from '../../src/store/work/polecats.js';
import { gtError, isolateGit, makeWorld, setRig, sh, type World } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
let env: ReturnType<typeof isolateGit>;
beforeAll(() => { env = isolateGit(); });
afterAll(() => env.cleanup());

function allocateInWorker(town: string, rig: string, startAt: number): Promise<{ address: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/work/allocate-worker.ts'), rig, String(startAt)], {
      cwd: ROOT, env: { ...process.env, GT_TOWN: town }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(JSON.parse(out) as { address: string }) : rej(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('allocatePolecat', () => {
  let w: World;
  beforeAll(async () => { w = await makeWorld(env.base); });
  afterAll(() => w.close());

  it('never hands out one name twice to 10 concurrent allocations with sandboxes', async () => {
    setRig(w, 'namepool', '{"style":"minerals"}');
    const beads = Array.from({ length: 10 }, (_, i) => w.bead(`task ${i}`));
    const got = await Promise.all(beads.map((b) => allocatePolecat(w.town, 'demo', { beadId: b.id })));
    const names = got.map((a) => a.name);
    expect(new Set(names).size).toBe(10);
    expect(names.sort()).toEqual(['agate', 'beryl', 'garnet', 'jasper', 'onyx', 'opal', 'pyrite', 'quartz', 'topaz', 'galena'].sort());
    for (const a of got) {
      expect(a.reused).toBe(false);
      expect(sh(a.worktree, 'symbolic-ref', '--short', 'HEAD')).toMatch(new RegExp(`^polecat/${a.name}/dm-`));
      expect(getAgent(w.town.db, a.address)).toMatchObject({ role: 'polecat', rig: 'demo', state: 'working', worktree: a.worktree });
    }
  });

  it('never hands out one name twice to 10 concurrent processes', async () => {
    const startAt = Date.now() + 3000; // after every worker has loaded
    const results = await Promise.all(Array.from({ length: 10 }, () => allocateInWorker(w.root, 'demo', startAt)));
    const addresses = results.map((r) => r.address);
    expect(new Set(addresses).size).toBe(10);
    const all = (await listPolecats(w.town, 'demo')).map((p) => p.address);
    expect(new Set(all).size).toBe(20);
  });
});

describe('sandboxes', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(env.base);
    // gitignored files the refinery worktree has and polecats need
    writeFileSync(join(refineryWorktree(w.root, 'demo'), '.env'), 'TOKEN=abc\n');
    mkdirSync(join(refineryWorktree(w.root, 'demo'), 'secrets'));
    writeFileSync(join(refineryWorktree(w.root, 'demo'), 'secrets', 'api.key'), 'k\n');
    writeFileSync(join(refineryWorktree(w.root, 'demo'), 'secrets', 'notes.txt'), 'n\n');
  });
  afterAll(() => w.close());

  it('makes a worktree on polecat/<name>/<bead> from the default branch, copies .worktreeinclude files, runs setup_command', async () => {
    setRig(w, 'setup_command', 'mkdir -p node_modules && echo "setup in $GT_POLECAT for $BD_ACTOR" > node_modules/setup.log && echo ok');
    const bead = w.bead('first');
    const a = await allocatePolecat(w.town, 'demo', { beadId: bead.id });
    const wt = join(w.root, 'demo', 'polecats', a.name);
    expect(a.worktree).toBe(wt);
    expect(a.sandbox).toMatchObject({ worktree: wt, branch: `polecat/${a.name}/${bead.id}`, base: 'main', reused: false });
    expect(sh(wt, 'symbolic-ref', '--short', 'HEAD')).toBe(`polecat/${a.name}/${bead.id}`);
    expect(sh(wt, 'rev-parse', 'HEAD')).toBe(sh(rigBareRepo(w.root, 'demo'), 'rev-parse', 'main'));
    expect(readFileSync(join(wt, '.env'), 'utf8')).toBe('TOKEN=abc\n');
    expect(readFileSync(join(wt, 'secrets', 'api.key'), 'utf8')).toBe('k\n');
    expect(existsSync(join(wt, 'secrets', 'notes.txt'))).toBe(false);
    expect(a.sandbox!.copied.sort()).toEqual(['.env', 'secrets/api.key']);
    expect(readFileSync(join(wt, 'node_modules', 'setup.log'), 'utf8')).toBe(`setup in ${a.name} for demo/polecats/${a.name}\n`);
    expect(a.sandbox!.setup).toMatchObject({ exitCode: 0, output: 'ok' });
    expect(getAgent(w.town.db, a.address)?.branch).toBe(`polecat/${a.name}/${bead.id}`);
    expect(resolveAgentAddress(w.town, {}, join(wt, 'secrets'))?.address).toBe(a.address);
    expect(resolveAgentAddress(w.town, { BD_ACTOR: 'demo/polecats/zz' }, w.root)?.address).toBe('demo/polecats/zz');
    expect(resolveAgentAddress(w.town, { BD_ACTOR: 'alice' }, w.root)).toBeUndefined();
    releasePolecat(w.town, a.address);
  });

  it('a failing setup_command undoes a new allocation and shows the output tail', async () => {
    setRig(w, 'setup_command', 'echo preparing; echo "npm ERR! missing thing" >&2; exit 3');
    const before = (await listPolecats(w.town, 'demo')).map((p) => p.address);
    const bead = w.bead('second');
    // the idle polecat from the previous test is reused: it goes back to idle on failure
    const e1 = await gtError(allocatePolecat(w.town, 'demo', { beadId: bead.id }));
    expect(e1.code).toBe('CONFIG_INVALID');
    expect(e1.message).toContain('exited with code 3');
    expect(e1.message).toContain('npm ERR! missing thing');
    expect((await listPolecats(w.town, 'demo')).map((p) => [p.address, p.state])).toEqual(before.map((a) => [a, 'idle']));
    // a new polecat's row and worktree are removed again
    await allocatePolecat(w.town, 'demo'); // occupy the idle one
    const e2 = await gtError(allocatePolecat(w.town, 'demo', { beadId: bead.id }));
    expect(e2.code).toBe('CONFIG_INVALID');
    const after = await listPolecats(w.town, 'demo');
    expect(after.length).toBe(before.length);
    setRig(w, 'setup_command', 'true');
  });

  it('reuses an idle polecat on a fresh branch; refuses to reset unsaved work unless preserved', async () => {
    const [first] = await listPolecats(w.town, 'demo');
    releasePolecat(w.town, first!.address);
    const bead = w.bead('third');
    const a = await allocatePolecat(w.town, 'demo');
    expect(a).toMatchObject({ address: first!.address, reused: true });
    const sb = await preparePolecatSandbox(w.town, 'demo', a.name, bead.id);
    expect(sb.reused).toBe(true);
    expect(sh(a.worktree, 'symbolic-ref', '--short', 'HEAD')).toBe(`polecat/${a.name}/${bead.id}`);
    // leave unsaved work: a commit and an uncommitted file
    writeFileSync(join(a.worktree, 'work.txt'), 'w\n');
    sh(a.worktree, 'add', 'work.txt');
    sh(a.worktree, 'commit', '-q', '-m', 'work');
    const sha = sh(a.worktree, 'rev-parse', 'HEAD');
    writeFileSync(join(a.worktree, 'more.txt'), 'm\n');
    const next = w.bead('fourth');
    const e = await gtError(preparePolecatSandbox(w.town, 'demo', a.name, next.id));
    expect(e.code).toBe('INVALID_STATUS');
    expect(e.message).toContain('1 uncommitted change');
    expect(e.message).toContain(`1 commit on polecat/${a.name}/${bead.id} not on main`);
    const kept = await preparePolecatSandbox(w.town, 'demo', a.name, next.id, { preserve: true });
    expect(kept.preserved).toBe(`keep/polecat/${a.name}/${bead.id}`);
    const bare = rigBareRepo(w.root, 'demo');
    sh(bare, 'merge-base', '--is-ancestor', sha, kept.preserved!);
    expect(sh(bare, 'show', `${kept.preserved!}:more.txt`)).toBe('m');
    expect(sh(bare, 'branch', '--list', `polecat/${a.name}/${bead.id}`)).toBe(''); // deleted: it is kept
    expect(sh(a.worktree, 'status', '--porcelain')).toBe('');
    expect(listHistory(w.town.db, a.address).map((h) => h.outcome)).toContain('kept');
  });
  it('skips an idle polecat whose sandbox still holds unsaved work', async () => {
    const [dirty] = (await listPolecats(w.town, 'demo')).filter((p) => p.exists);
    releasePolecat(w.town, dirty!.address);
    writeFileSync(join(dirty!.worktree, 'unsaved.txt'), 'u\n');
    const a = await allocatePolecat(w.town, 'demo', { beadId: w.bead('fifth').id });
    expect(a.address).not.toBe(dirty!.address);
    expect(getAgent(w.town.db, dirty!.address)?.state).toBe('idle');
    expect(readFileSync(join(dirty!.worktree, 'unsaved.txt'), 'utf8')).toBe('u\n');
  });
});

describe('polecat status and nuke', () => {
  let w: World;
  beforeAll(async () => { w = await makeWorld(env.base); });
  afterAll(() => w.close());

  it('refuses to nuke unmerged commits, says how many; --force keeps them on a keep/ branch', async () => {
    const bead = w.bead('nukeable');
    const a = await allocatePolecat(w.town, 'demo', { beadId: bead.id });
    hookBead(w.town, bead.id, a.address);
    writeFileSync(join(a.worktree, 'a.txt'), 'a\n');
    sh(a.worktree, 'add', 'a.txt');
    sh(a.worktree, 'commit', '-q', '-m', 'one');
    writeFileSync(join(a.worktree, 'b.txt'), 'b\n');
    sh(a.worktree, 'add', 'b.txt');
    sh(a.worktree, 'commit', '-q', '-m', 'two');
    const sha = sh(a.worktree, 'rev-parse', 'HEAD');
    writeFileSync(join(a.worktree, 'c.txt'), 'c\n');

    const [info] = await listPolecats(w.town, 'demo');
    expect(info).toMatchObject({ address: a.address, state: 'working', hook: bead.id, branch: `polecat/${a.name}/${bead.id}`, ahead: 2, dirty: 1, exists: true });
    const status = await polecatStatus(w.town, a.address);
    expect(status.history.map((h) => h.outcome)).toEqual(['slung']);

    const e = await gtError(nukePolecat(w.town, a.address));
    expect(e.code).toBe('INVALID_STATUS');
    expect(e.message).toContain(`${bead.id} is on its hook`);
    expect(e.message).toContain('1 uncommitted change');
    expect(e.message).toContain('2 commits on');
    expect(existsSync(a.worktree)).toBe(true);

    const r = await nukePolecat(w.town, a.address, { force: true });
    expect(r).toMatchObject({ address: a.address, kept: `keep/polecat/${a.name}/${bead.id}`, unhooked: bead.id, deletedBranch: `polecat/${a.name}/${bead.id}` });
    const bare = rigBareRepo(w.root, 'demo');
    sh(bare, 'merge-base', '--is-ancestor', sha, r.kept!); // throws unless reachable
    expect(sh(bare, 'show', `${r.kept!}:c.txt`)).toBe('c'); // the uncommitted file was committed first
    expect(existsSync(a.worktree)).toBe(false);
    expect(getAgent(w.town.db, a.address)).toMatchObject({ state: 'nuked', hook_bead: '', worktree: '' });
    expect(w.ledger.get(bead.id)).toMatchObject({ status: 'open' });
    expect(w.ledger.get(bead.id).assignee).toBeUndefined();
    expect(listHistory(w.town.db, a.address).map((h) => h.outcome)).toEqual(['slung', 'unslung', 'kept', 'nuked']);
    expect(listEvents(w.town, { type: 'polecat.nuked' }).map((e) => [e.subject, e.payload])).toEqual([[a.address, { kept: r.kept, unhooked: bead.id }]]);
    expect(await listPolecats(w.town, 'demo')).toEqual([]);
    expect((await listPolecats(w.town, 'demo', { includeNuked: true })).map((p) => p.state)).toEqual(['nuked']);
    expect((await nukePolecat(w.town, a.address)).alreadyNuked).toBe(true);
  });

  it('revives a nuked name at the next allocation (identity kept), and nukes a clean polecat without force', async () => {
    const nuked = (await listPolecats(w.town, 'demo', { includeNuked: true })).find((p) => p.state === 'nuked')!;
    const bead = w.bead('clean');
    const a = await allocatePolecat(w.town, 'demo', { beadId: bead.id });
    expect(a.address).toBe(nuked.address); // the first name of the pool is free again
    expect(listHistory(w.town.db, a.address).map((h) => h.outcome)).toContain('nuked');
    releasePolecat(w.town, a.address);
    const r = await nukePolecat(w.town, a.address);
    expect(r.kept).toBeUndefined();
    expect(r.deletedBranch).toBe(`polecat/${a.name}/${bead.id}`);
    expect(sh(rigBareRepo(w.root, 'demo'), 'branch', '--list', 'polecat/*')).toBe('');
  });
});
