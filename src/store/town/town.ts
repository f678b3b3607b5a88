/**
 * Finding, opening and installing a town (gastown-features.md §2.1).
 *
 * A town is a directory with `town.json`. `gt install` makes one: identity, settings, the
 * SQLite database, the `.beads/` ledger directory and a git repository that tracks only the
 * shareable state (town.json, settings, the ledger, formulas). Installing again is safe: it
 * keeps every existing file and fills in what is missing.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import { beadsDir, dbFile, ledgerFile, logsDir, settingsFile, townJson } from '../../core/town/layout.js';
import {
  TownSettingsSchema, formatSettings, parseSettingsText, parseTownJson, setSetting, unsetSetting,
  type TownJson, type TownSettings,
} from '../../core/town/settings.js';
import { commitPaths, getConfig, identityOf, initRepo } from '../git/git.js';
import { writeFileAtomic } from '../atomic-file.js';
import { openDb, type Db } from '../sqlite/db.js';

/** An open town. Close it when done (it holds a database connection). */
export interface Town {
  /** Absolute path of the town root. */
  root: string;
  /** The parsed `town.json`. */
  json: TownJson;
  /** The open `town.db`. */
  db: Db;
  /** Town settings, read fresh from `settings/config.json` (defaults when the file is missing). */
  settings(): TownSettings;
  /** Close the database. */
  close(): void;
}

function isTown(dir: string): boolean {
  return existsSync(townJson(dir));
}

/**
 * The town a command acts on: `GT_TOWN` when set (and a town), else the nearest directory
 * at or above `cwd` holding `town.json`, else `$HOME/gt` when it is a town.
 *
 * @returns the absolute town root, or undefined when there is none.
 */
export function findTownRoot(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.GT_TOWN) {
    const root = resolve(cwd, env.GT_TOWN);
    return isTown(root) ? root : undefined;
  }
  const found = enclosingTown(resolve(cwd));
  if (found) return found;
  const home = env.HOME ? join(env.HOME, 'gt') : undefined;
  return home && isTown(home) ? home : undefined;
}

/** The nearest directory at or above `dir` that holds `town.json`. */
function enclosingTown(dir: string): string | undefined {
  for (let cur = dir; ; cur = dirname(cur)) {
    if (isTown(cur)) return cur;
    if (dirname(cur) === cur) return undefined;
  }
}

/**
 * {@link findTownRoot}, or an error saying how to get a town.
 *
 * @throws GtError TOWN_NOT_FOUND.
 */
export function resolveTown(cwd: string, env: NodeJS.ProcessEnv): string {
  const root = findTownRoot(cwd, env);
  if (root) return root;
  if (env.GT_TOWN) {
    throw new GtError('TOWN_NOT_FOUND', `no Gas Town here: GT_TOWN=${env.GT_TOWN} has no town.json`, {
      fix: `run \`gt install ${env.GT_TOWN}\` or point GT_TOWN at an existing town`,
    });
  }
  throw new GtError('TOWN_NOT_FOUND', `no Gas Town here (looked above ${resolve(cwd)} and in ~/gt)`, {
    fix: 'run `gt install <dir>` or set GT_TOWN',
  });
}

/**
 * Open a town: parse `town.json` and open `town.db` (migrating it when needed).
 *
 * @throws GtError TOWN_NOT_FOUND when `root` has no town.json; CONFIG_INVALID when it is broken.
 */
export function openTown(root: string): Town {
  const abs = resolve(root);
  const file = townJson(abs);
  if (!existsSync(file)) {
    throw new GtError('TOWN_NOT_FOUND', `no Gas Town at ${abs} (no town.json)`, { fix: 'run `gt install <dir>` or set GT_TOWN' });
  }
  const json = parseTownJson(readFileSync(file, 'utf8'), file);
  const db = openDb(dbFile(abs));
  return {
    root: abs,
    json,
    db,
    settings: () => readSettingsFile(settingsFile(abs), TownSettingsSchema),
    close: () => db.close(),
  };
}

/**
 * Find the town for `cwd`/`env`, open it, run `fn`, and close it again (also on error).
 *
 * @throws GtError TOWN_NOT_FOUND, and whatever `fn` throws.
 */
export async function withTown<T>(cwd: string, env: NodeJS.ProcessEnv, fn: (town: Town) => T | Promise<T>): Promise<T> {
  const town = openTown(resolveTown(cwd, env));
  try {
    return await fn(town);
  } finally {
    town.close();
  }
}

/**
 * Write JSON atomically: a temporary file in the same directory, then a rename, so readers
 * never see a half-written config. Parent directories are created.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, formatSettings(value));
}

/**
 * Read and validate a settings file; a missing file gives the schema's defaults.
 *
 * @throws GtError CONFIG_INVALID naming the file and key.
 */
export function readSettingsFile<T>(file: string, schema: z.ZodType<T>): T {
  if (!existsSync(file)) return parseSettingsText(schema, '{}', file);
  return parseSettingsText(schema, readFileSync(file, 'utf8'), file);
}

/**
 * Set (`value` given) or unset (`value` undefined) a dotted key in a settings file, validate the
 * whole result, and write it atomically.
 *
 * @returns the new settings.
 * @throws GtError CONFIG_KEY for an unknown key; CONFIG_INVALID for a bad value or a broken file.
 */
export function updateSettingsFile<T>(file: string, schema: z.ZodType<T>, key: string, value: string | undefined): T {
  const current = readSettingsFile(file, schema);
  const next = value === undefined ? unsetSetting(schema, current, key, file) : setSetting(schema, current, key, value, file);
  writeJsonAtomic(file, next);
  return next;
}

/** Options of {@link installTown}. */
export interface InstallOptions {
  /** Town name for a new town.json (default: the directory name). */
  name?: string;
  /** Owner for a new town.json (default: git `user.email`, else `$USER`). */
  owner?: string;
  /** Environment for the owner fallback (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** What {@link installTown} did. */
export interface InstallResult {
  /** Absolute town root. */
  root: string;
  /** True when the town is new (there was no town.json). */
  created: boolean;
  /** The pieces that were missing and were made (`town.json`, `git repo`, …), in order. */
  filled: string[];
  /** Sha of the commit that recorded new files, if one was made. */
  commit: string | undefined;
}

/** Lines of the town repo's `.gitignore`: ignore everything but the shareable state. */
export const TOWN_GITIGNORE = [
  '# Gas Town: the town repo tracks only shareable state: identity, settings, the ledger, formulas.',
  '# town.db, rigs, logs and daemon files stay on this machine.',
  '/*',
  '!/town.json',
  '!/settings/',
  '!/.beads/',
  '!/.gitattributes',
  '!/.gitignore',
  '!/formulas/',
  '/.beads/*.db*',
  '/.beads/*.lock',
  '',
].join('\n');

/** The `.gitattributes` line that merges the ledger with the beads merge driver (by id). */
export const LEDGER_GITATTRIBUTE = '.beads/issues.jsonl merge=beads';

const TRACKED = ['town.json', 'settings', '.beads', '.gitattributes', '.gitignore'];

/**
 * Install a town at `path`, or complete an existing one (idempotent: existing files and
 * settings are kept; only missing pieces are made).
 *
 * @returns the root, whether the town is new, what was filled in, and the commit made.
 * @throws GtError TOWN_NESTED when `path` is inside another town; CONFIG_INVALID when an existing
 *   town.json or settings file is broken; USAGE when `path` is a file; GIT_FAILED.
 */
export async function installTown(path: string, options: InstallOptions = {}): Promise<InstallResult> {
  const root = resolve(path);
  const outer = enclosingTown(dirname(root));
  if (outer && outer !== root) {
    throw new GtError('TOWN_NESTED', `${root} is inside the town at ${outer}; towns cannot nest`, {
      fix: `install somewhere outside ${outer}, or use that town (GT_TOWN=${outer})`,
      details: { root, outer },
    });
  }
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new GtError('USAGE', `${root} exists and is not a directory`, { fix: 'choose another path for the town' });
  }
  mkdirSync(root, { recursive: true });
  const filled: string[] = [];
  const created = !isTown(root);
  if (created) {
    const owner = options.owner ?? (await defaultOwner(root, options.env ?? process.env));
    const json: TownJson = { type: 'town', version: 1, name: options.name ?? basename(root), owner, created_at: nowTime(), prefix: 'hq' };
    writeJsonAtomic(townJson(root), json);
    filled.push('town.json');
  } else {
    parseTownJson(readFileSync(townJson(root), 'utf8'), townJson(root));
  }
  const settings = settingsFile(root);
  if (existsSync(settings)) readSettingsFile(settings, TownSettingsSchema);
  else {
    writeJsonAtomic(settings, readSettingsFile(settings, TownSettingsSchema));
    filled.push('settings/config.json');
  }
  if (!existsSync(dbFile(root))) filled.push('town.db');
  openDb(dbFile(root)).close();
  mkdirSync(beadsDir(root), { recursive: true });
  if (!existsSync(ledgerFile(root))) {
    writeFileSync(ledgerFile(root), '');
    filled.push('.beads/issues.jsonl');
  }
  mkdirSync(logsDir(root), { recursive: true });
  if (!existsSync(join(root, '.git'))) {
    await initRepo(root);
    filled.push('git repo');
  }
  if (!existsSync(join(root, '.gitignore'))) {
    writeFileSync(join(root, '.gitignore'), TOWN_GITIGNORE);
    filled.push('.gitignore');
  }
  ensureLine(join(root, '.gitattributes'), LEDGER_GITATTRIBUTE, filled);
  // A new repo records every tracked file; otherwise only the files this run made, so a re-run
  // never commits the user's own uncommitted edits.
  const paths = filled.includes('git repo') ? TRACKED : TRACKED.filter((p) => filled.some((f) => f === p || f.startsWith(`${p}/`) || f.startsWith(`${p} `)));
  const who = await identityOf(root);
  const message = created ? `gt install: town ${options.name ?? basename(root)}` : `gt install: add ${paths.join(', ')}`;
  const commit = paths.length ? await commitPaths(root, paths, message, who) : undefined;
  return { root, created, filled, commit };
}

function ensureLine(file: string, line: string, filled: string[]): void {
  if (!existsSync(file)) {
    writeFileSync(file, `${line}\n`);
    filled.push(basename(file));
    return;
  }
  const text = readFileSync(file, 'utf8');
  if (text.split('\n').some((l) => l.trim() === line)) return;
  appendFileSync(file, `${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`);
  filled.push(`${basename(file)} (${line})`);
}

async function defaultOwner(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (await getConfig(dir, 'user.email')) ?? env.USER ?? env.USERNAME ?? 'overseer';
}
