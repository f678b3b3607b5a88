import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookedFormula } from '../../src/core/formula/types.js';
import { refineryWorktree } from '../../src/core/town/layout.js';
import type { FormulaListing } from '../../src/store/formula/load.js';
import { gt as run, sourceRepo, tempDir } from '../cli/helpers.js';

const tmp = tempDir('gt-formula-cli-');
const base = realpathSync(tmp.dir);
const town = join(base, 'town');
const outside = join(base, 'elsewhere');
// No town from the environment or ~/gt: only what each test sets up.
const env = { HOME: join(base, 'home'), GT_TOWN: '', GIT_CONFIG_GLOBAL: join(base, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
const gt = (args: string[], cwd = outside) => run(args, { cwd, env });

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  mkdirSync(env.HOME, { recursive: true });
  writeFileSync(env.GIT_CONFIG_GLOBAL, '');
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: env.GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: '1' });
  writeFileSync(join(outside, 'mine.formula.toml'), 'formula = "mine"\n[[steps]]\nid = "only"\ntitle = "Only step"\n');
  mkdirSync(join(base, 'src', '.beads', 'formulas'), { recursive: true });
  const src = sourceRepo(join(base, 'src'), {
    'README.md': '# app\n',
    // A rig formula that shadows the shipped quick-check, and one only the rig has.
    '.beads/formulas/quick-check.formula.toml': 'formula = "quick-check"\ndescription = "The app\'s own checks"\n[[steps]]\nid = "check"\nrun = "make check"\n',
    '.beads/formulas/app-flow.formula.toml': 'formula = "app-flow"\nextends = ["town-flow"]\n[[steps]]\nid = "ship"\nneeds = ["plan"]\n',
  });
  expect((await gt(['install', town, '--name', 'ft'])).code).toBe(0);
  expect((await gt(['rig', 'add', 'app', src], town)).code).toBe(0);
  mkdirSync(join(town, 'formulas'), { recursive: true });
  writeFileSync(join(town, 'formulas', 'town-flow.formula.toml'), 'formula = "town-flow"\ndescription = "A town formula"\n[[steps]]\nid = "plan"\n');
}, 60_000);
afterAll(() => tmp.cleanup());

describe('gt formula outside a town', () => {
  it('list shows the shipped formulas', async () => {
    const r = await gt(['formula', 'list', '--json']);
    expect(r.code).toBe(0);
    const all = r.json<FormulaListing[]>();
    expect(all.every((l) => l.origin === 'shipped')).toBe(true);
    expect(all.map((l) => l.name)).toEqual(expect.arrayContaining(['polecat-work', 'quick-check', 'release', 'code-review', 'shiny', 'rule-of-five', 'tdd-cycle', 'towers-of-hanoi']));
    const text = await gt(['formula', 'list']);
    expect(text.out).toMatch(/^NAME +TYPE +ORIGIN +DESCRIPTION$/m);
    expect(text.out).toMatch(/^code-review +convoy +shipped +Review the current branch/m);
  });

  it('show prints vars with defaults and what is allowed, steps with needs, legs', async () => {
    const rel = await gt(['formula', 'show', 'release']);
    expect(rel.code).toBe(0);
    expect(rel.out).toMatch(/^ {2}version +required, matching \^\\d\+\\.\\d\+\\.\\d\+\$ — /m);
    expect(rel.out).toMatch(/^ {2}changelog +Write the changelog for \{\{version\}\} +← preflight$/m);
    const cr = await gt(['formula', 'show', 'code-review']);
    expect(cr.out).toContain('legs (4):');
    expect(cr.out).toMatch(/^synthesis: .* ← correctness, tests, readability, security$/m);
    const json = (await gt(['formula', 'show', 'shiny', '--json'])).json<{ name: string; vars: unknown[]; raw?: unknown }>();
    expect(json).toMatchObject({ name: 'shiny', vars: [{ name: 'feature', required: true }, { name: 'assignee' }] });
    expect(json.raw).toBeUndefined();
  });

  it('cook prints the plan in order with needs; --json is the CookedFormula', async () => {
    const r = await gt(['formula', 'cook', 'shiny-enterprise', '--var', 'feature=search', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('9 step(s), in order:');
    expect(r.out).toMatch(/^ {2}2\. implement\.draft +Draft: Implement search$/m);
    expect(r.out).toMatch(/^ +← implement\.refine-4$/m);
    const j = await gt(['formula', 'cook', 'quick-check', '--json', '--var', 'lint_command=eslint .']);
    const c = j.json<CookedFormula>();
    expect(c).toMatchObject({ name: 'quick-check', source: { origin: 'shipped' }, vars: { lint_command: 'eslint .' } });
    expect(c.steps.map((s) => s.id)).toEqual(['lint', 'test', 'build', 'report']);
    expect(c.steps[0]!.run).toBe('eslint .');
  });

  it('cook takes a path to a file', async () => {
    const r = await gt(['formula', 'cook', './mine.formula.toml', '--json']);
    expect(r.code).toBe(0);
    expect(r.json<CookedFormula>()).toMatchObject({ name: 'mine', source: { origin: 'file', file: join(outside, 'mine.formula.toml') } });
  });

  it('hanoi with 10 disks cooks 1,025 steps', async () => {
    const c = (await gt(['formula', 'cook', 'towers-of-hanoi', '--var', 'disks=10', '--json'])).json<CookedFormula>();
    expect(c.steps).toHaveLength(1025);
  });

  it('errors: text and JSON, exit 1; a malformed --var is a usage error (exit 2)', async () => {
    const missing = await gt(['formula', 'cook', 'release']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('error: formula "release" needs var "version" (version: Version to release, as MAJOR.MINOR.PATCH (e.g. 1.4.0)) — pass --var version=<value>\n');
    const bad = await gt(['formula', 'cook', 'release', '--var', 'version=1.x', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.err)).toMatchObject({ error: { code: 'VAR_INVALID', fix: expect.stringContaining('^\\d+\\.\\d+\\.\\d+$') } });
    const nf = await gt(['formula', 'show', 'shinny']);
    expect(nf.err).toMatch(/^error: no formula "shinny" .* — did you mean "shiny"\?/);
    const usage = await gt(['formula', 'cook', 'shiny', '--var', 'feature']);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('--var needs name=value');
    const rig = await gt(['formula', 'list', '--rig', 'app']);
    expect(rig.code).toBe(1);
    expect(rig.err).toContain('no Gas Town here');
  });
});

describe('gt formula in a town', () => {
  it('list from the town root: town formulas over shipped ones', async () => {
    const all = (await gt(['formula', 'list', '--json'], town)).json<FormulaListing[]>();
    const by = Object.fromEntries(all.map((l) => [l.name, l]));
    expect(by['town-flow']).toMatchObject({ origin: 'town', description: 'A town formula' });
    expect(by['quick-check']!.origin).toBe('shipped');
    expect(by['app-flow']).toBeUndefined();
  });

  it('--rig adds the rig formulas, which shadow shipped ones', async () => {
    const r = await gt(['formula', 'list', '--rig', 'app', '--json'], town);
    const by = Object.fromEntries(r.json<FormulaListing[]>().map((l) => [l.name, l]));
    expect(by['quick-check']).toMatchObject({ origin: 'rig', shadows: [{ origin: 'shipped' }] });
    expect(by['app-flow']!.origin).toBe('rig');
    const text = await gt(['formula', 'list', '--rig', 'app'], town);
    expect(text.out).toMatch(/^quick-check +workflow +rig \(over shipped\) +The app's own checks$/m);
    expect((await gt(['formula', 'list', '--rig', 'nope'], town)).err).toContain('no rig "nope"');
  });

  it('inside a rig worktree the rig formulas are found without --rig; extends reach the town', async () => {
    const r = await gt(['formula', 'cook', 'app-flow', '--json'], refineryWorktree(town, 'app'));
    expect(r.code).toBe(0);
    const c = r.json<CookedFormula>();
    expect(c.source.origin).toBe('rig');
    expect(c.steps.map((s) => `${s.id}<-${s.needs.join(',')}`)).toEqual(['plan<-', 'ship<-plan']);
  });
});
