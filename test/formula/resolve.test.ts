import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formulaDirs, rigFormulasDir, shippedFormulasDir, townFormulasDir } from '../../src/store/formula/dirs.js';
import { listFormulas, loadAndCookFormula, loadFormula, resolveFormula } from '../../src/store/formula/load.js';
import { tempDir } from '../cli/helpers.js';
import { thrown } from '../helpers/errors.js';

const tmp = tempDir('gt-formula-resolve-');
const rig = join(tmp.dir, 'rig-worktree');
const town = join(tmp.dir, 'town');
const dirs = formulaDirs({ rigRoot: rig, townRoot: town });

function put(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.formula.toml`);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  // shiny in all three places: the rig's extends the town's, which extends the shipped one.
  put(townFormulasDir(town), 'shiny', 'formula = "shiny"\nextends = ["shiny"]\n[[steps]]\nid = "town-step"\nneeds = ["submit"]\n');
  put(rigFormulasDir(rig), 'shiny', 'formula = "shiny"\nextends = ["shiny"]\n[[steps]]\nid = "rig-step"\nneeds = ["town-step"]\n');
  put(townFormulasDir(town), 'town-only', 'formula = "town-only"\ndescription = "Only in the town\\nsecond line"\n[[steps]]\nid = "a"\n');
  put(townFormulasDir(town), 'broken', 'formula = "broken"\n[[steps]]\nid = \n');
  put(rigFormulasDir(rig), 'rig-flow', 'formula = "rig-flow"\nextends = ["town-only"]\n[[compose.expand]]\ntarget = "a"\nwith = "tdd-cycle"\n');
});
afterAll(() => tmp.cleanup());

describe('formula search path', () => {
  it('is rig, town, shipped', () => {
    expect(dirs).toEqual([
      { dir: join(rig, '.beads', 'formulas'), origin: 'rig' },
      { dir: join(town, 'formulas'), origin: 'town' },
      { dir: shippedFormulasDir(), origin: 'shipped' },
    ]);
    expect(formulaDirs()).toEqual([{ dir: shippedFormulasDir(), origin: 'shipped' }]);
  });

  it('the first directory with the name wins', () => {
    expect(resolveFormula('shiny', dirs)).toMatchObject({ origin: 'rig', file: join(rigFormulasDir(rig), 'shiny.formula.toml') });
    expect(resolveFormula('town-only', dirs).origin).toBe('town');
    expect(resolveFormula('quick-check', dirs).origin).toBe('shipped');
    expect(resolveFormula('shiny', dirs.slice(1)).origin).toBe('town');
  });

  it('a formula extending its own name gets the next one down the path', () => {
    const c = loadAndCookFormula('shiny', { feature: 'f' }, { dirs });
    expect(c.source.origin).toBe('rig');
    expect(c.steps.map((s) => s.id)).toEqual(['design', 'implement', 'review', 'test', 'submit', 'town-step', 'rig-step']);
  });

  it('extends and compose names are found along the same path', () => {
    const c = loadAndCookFormula('rig-flow', {}, { dirs });
    expect(c.steps.map((s) => s.id)).toEqual(['a.write-tests', 'a.verify-red', 'a.implement', 'a.verify-green', 'a.refactor']);
  });

  it('accepts a path to a file (origin file), relative to cwd', () => {
    const ref = resolveFormula('town/formulas/town-only.formula.toml', dirs, { cwd: tmp.dir });
    expect(ref).toMatchObject({ origin: 'file', name: 'town-only' });
    expect(loadFormula('./town/formulas/town-only.formula.toml', dirs, { cwd: tmp.dir }).source.origin).toBe('file');
  });

  it('an unknown name is FORMULA_NOT_FOUND with close matches and the directories searched', () => {
    const e = thrown(() => resolveFormula('shinny', dirs));
    expect(e.code).toBe('FORMULA_NOT_FOUND');
    expect(e.message).toContain(townFormulasDir(town));
    expect(e.fix).toContain('"shiny"');
    expect(thrown(() => resolveFormula('./nope.formula.toml', dirs, { cwd: tmp.dir })).code).toBe('FORMULA_NOT_FOUND');
  });

  it('lists each name once with its origin and what it shadows; a broken file is listed with its error', () => {
    const all = listFormulas(dirs);
    const by = Object.fromEntries(all.map((l) => [l.name, l]));
    expect(all.map((l) => l.name)).toEqual([...all.map((l) => l.name)].sort());
    expect(by.shiny).toMatchObject({ origin: 'rig', type: 'workflow', shadows: [{ origin: 'town' }, { origin: 'shipped' }] });
    expect(by['town-only']).toMatchObject({ origin: 'town', description: 'Only in the town', shadows: [] });
    expect(by['quick-check']).toMatchObject({ origin: 'shipped', type: 'workflow' });
    expect(by['code-review']!.type).toBe('convoy');
    expect(by.broken!.error).toMatch(/broken\.formula\.toml:3:\d+: TOML syntax error/);
    expect(by.broken!.type).toBeUndefined();
  });
});
