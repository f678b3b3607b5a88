/**
 * Where formulas are looked for (gastown-features.md §5.1; research/beads.md §6.1), first
 * match wins: the rig's `<worktree>/.beads/formulas/`, the town's `<town>/formulas/`, then
 * the formulas shipped with gt (`<package>/formulas/`). A rig or town formula shadows a
 * shipped one of the same name.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refineryWorktree, rigDir } from '../../core/town/layout.js';
import { getRig, rigForPath } from '../town/rigs.js';
import type { Town } from '../town/town.js';

/** One search directory and what it is. */
export interface FormulaDir {
  /** Absolute directory path (it need not exist). */
  dir: string;
  /** `rig`, `town` or `shipped`. */
  origin: 'rig' | 'town' | 'shipped';
}

/** `<package>/formulas`: the formulas shipped with gt (next to `themes/`; in package.json `files`). */
export function shippedFormulasDir(): string {
  // src/store/formula/dirs.ts and dist/store/formula/dirs.js are both three levels down.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'formulas');
}

/** `<town>/formulas`: formulas shared by the whole town (tracked by the town's git repo). */
export function townFormulasDir(townRoot: string): string {
  return join(townRoot, 'formulas');
}

/** `<worktree>/.beads/formulas`: a repository's own formulas (beads' project search path). */
export function rigFormulasDir(worktree: string): string {
  return join(worktree, '.beads', 'formulas');
}

/** Options of {@link formulaDirs}. */
export interface FormulaDirsOptions {
  /** A rig worktree or repository root whose `.beads/formulas/` comes first. */
  rigRoot?: string;
  /** The town root whose `formulas/` comes next. */
  townRoot?: string;
}

/** The search path, highest precedence first; the shipped directory is always last. */
export function formulaDirs(options: FormulaDirsOptions = {}): FormulaDir[] {
  return [
    ...(options.rigRoot ? [{ dir: rigFormulasDir(resolve(options.rigRoot)), origin: 'rig' as const }] : []),
    ...(options.townRoot ? [{ dir: townFormulasDir(resolve(options.townRoot)), origin: 'town' as const }] : []),
    { dir: shippedFormulasDir(), origin: 'shipped' },
  ];
}

/** The nearest directory at or above `dir`, and strictly below `stop`, that holds `.git`. */
function worktreeRoot(dir: string, stop: string): string | undefined {
  const top = real(stop);
  for (let cur = real(dir); ; cur = dirname(cur)) {
    const rel = relative(top, cur);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    if (existsSync(join(cur, '.git'))) return cur;
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Options of {@link townFormulaDirs}. */
export interface TownFormulaDirsOptions {
  /** Include this rig's formulas (from its refinery worktree, on the default branch). */
  rig?: string;
  /** Where the command runs: inside a rig's worktree, that worktree's formulas are used. */
  cwd?: string;
}

/**
 * The search path for a town: a rig's formulas (the worktree `cwd` is in, else the rig's
 * refinery worktree), the town's, the shipped ones.
 *
 * @throws GtError RIG_NOT_FOUND when `options.rig` is no rig of the town.
 */
export function townFormulaDirs(town: Town, options: TownFormulaDirsOptions = {}): FormulaDir[] {
  const cwdRig = options.cwd ? rigForPath(town, options.cwd) : undefined;
  const rig = options.rig ?? cwdRig;
  let rigRoot: string | undefined;
  if (rig) {
    if (options.rig) getRig(town, options.rig);
    const here = rig === cwdRig && options.cwd ? worktreeRoot(options.cwd, rigDir(town.root, rig)) : undefined;
    rigRoot = here ?? refineryWorktree(town.root, rig);
  }
  return formulaDirs({ townRoot: town.root, ...(rigRoot ? { rigRoot } : {}) });
}
