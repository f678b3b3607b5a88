// Shared set-up of the work tests: real git (isolated from the machine's config, fixed
// identity), a real town with its SQLite database, and a rig cloned from a temp source repo.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import type { Issue } from '../../src/core/ledger/types.js';
import { rigSettingsFile, settingsFile } from '../../src/core/town/layout.js';
import { RigSettingsSchema, TownSettingsSchema } from '../../src/core/town/settings.js';
import { Ledger, type CreateInput } from '../../src/store/sqlite/ledger.js';
import { addRig, type Rig } from '../../src/store/town/rigs.js';
import { installTown, openTown, updateSettingsFile, type Town } from '../../src/store/town/town.js';

/** Identity every test commit is made with. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer', GIT_COMMITTER_EMAIL: 'committer@example.com',
};

/** Make a temp base dir, isolate git from the machine and set a fixed identity in process.env. */
export function isolateGit(): { base: string; cleanup: () => void } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'gt-work-')));
  writeFileSync(join(base, 'gitconfig'), '');
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: join(base, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', ...GIT_IDENTITY });
  delete process.env.BD_ACTOR;
  delete process.env.GT_TOWN;
  return { base, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Run git and return trimmed stdout. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let counter = 0;

/** A source repo on `main` with a README, a .gitignore for `.env` and a `.worktreeinclude`. */
export function sourceRepo(base: string): string {
  const dir = join(base, `src-${++counter}`);
  mkdirSync(dir, { recursive: true });
  sh(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# project\n');
  writeFileSync(join(dir, '.gitignore'), '.env\nsecrets/\nnode_modules/\n');
  writeFileSync(join(dir, '.worktreeinclude'), '# gitignored files polecats need\n.env\nsecrets/*.key\n../escape\n');
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A test world: a town (ledger auto-export off, so no flusher is spawned) with one rig. */
export interface World {
  town: Town;
  rig: Rig;
  root: string;
  ledger: Ledger;
  /** Create a bead in the rig (or with another prefix). */
  bead(title: string, extra?: Partial<CreateInput>): Issue;
  close(): void;
}

/** Install a town and add rig `name` (prefix `prefix`) from a fresh source repo. */
export async function makeWorld(base: string, name = 'demo', prefix = 'dm'): Promise<World> {
  const { root } = await installTown(join(base, `town-${++counter}`), { name: 'test', owner: 'me@example.com' });
  updateSettingsFile(settingsFile(root), TownSettingsSchema, 'ledger.auto_export', 'false');
  const town = openTown(root);
  const rig = await addRig(town, { name, url: sourceRepo(base), prefix });
  const ledger = new Ledger(town.db, { actor: 'tester', prefix });
  return {
    town, rig, root, ledger,
    bead: (title, extra = {}) => ledger.create({ title, description: `do ${title}`, ...extra }),
    close: () => town.close(),
  };
}

/** Add another rig to a world's town. */
export async function addAnotherRig(world: World, base: string, name: string, prefix: string): Promise<Rig> {
  return addRig(world.town, { name, url: sourceRepo(base), prefix });
}

/** Set a rig setting (JSON value). */
export function setRig(world: World, key: string, value: string): void {
  updateSettingsFile(rigSettingsFile(world.root, world.rig.name), RigSettingsSchema, key, value);
}

/** Await a rejection (or catch a throw) and return the GtError. */
export async function gtError(p: Promise<unknown> | (() => unknown)): Promise<GtError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(GtError);
    return e as GtError;
  }
  throw new Error('expected a GtError');
}

/**
 * A World for a whole test file, in an isolated git environment: registers `beforeAll` (make)
 * and `afterAll` (close, clean up). Read `t.w` and `t.env` inside tests and hooks.
 */
export function useWorld(): { w: World; env: ReturnType<typeof isolateGit> } {
  const t = {} as { w: World; env: ReturnType<typeof isolateGit> };
  beforeAll(async () => {
    t.env = isolateGit();
    t.w = await makeWorld(t.env.base);
  });
  afterAll(() => {
    t.w?.close();
    t.env?.cleanup();
  });
  return t;
}
