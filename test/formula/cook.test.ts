import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FormulaResolver } from '../../src/core/formula/compose.js';
import { cookFormula } from '../../src/core/formula/cook.js';
import { hanoiFormula, hanoiSteps } from '../../src/core/formula/hanoi.js';
import { parseFormula } from '../../src/core/formula/parse.js';
import type { ParsedFormula } from '../../src/core/formula/parsed.js';
import type { CookedFormula } from '../../src/core/formula/types.js';
import { formulaDirs, shippedFormulasDir } from '../../src/store/formula/dirs.js';
import { loadAndCookFormula } from '../../src/store/formula/load.js';
import { thrown } from '../helpers/errors.js';

/** Parse formulas from text, keyed by name, with a resolver over them. */
function library(texts: Record<string, string>): { get: (name: string) => ParsedFormula; resolve: FormulaResolver } {
  const parsed = new Map(Object.entries(texts).map(([name, t]) => [name, parseFormula(t, { file: `${name}.formula.toml` })]));
  const get = (name: string) => {
    const f = parsed.get(name);
    if (!f) throw new Error(`no ${name}`);
    return f;
  };
  return { get, resolve: (name) => get(name) };
}

const plan = (c: CookedFormula) => c.steps.map((s) => `${s.id}<-${s.needs.join(',')}`);

describe('shipped formulas', () => {
  // Required vars get a sample value; everything else uses its default.
  const required: Record<string, Record<string, string>> = {
    'polecat-work': { issue: 'gt-a1b2' },
    shiny: { feature: 'login' },
    'shiny-enterprise': { feature: 'login' },
    'shiny-secure': { feature: 'login' },
    release: { version: '1.2.3' },
  };
  const names = readdirSync(shippedFormulasDir()).filter((f) => f.endsWith('.formula.toml')).map((f) => f.replace('.formula.toml', ''));

  it('ships the formulas the docs name', () => {
    expect(names.sort()).toEqual(['code-review', 'polecat-work', 'quick-check', 'release', 'rule-of-five', 'security-audit', 'shiny', 'shiny-enterprise', 'shiny-secure', 'tdd-cycle', 'towers-of-hanoi']);
  });

  it.each(names)('%s cooks with its defaults, without warnings', (name) => {
    const c = loadAndCookFormula(name, required[name] ?? {}, { dirs: formulaDirs() });
    expect(c.warnings.filter((w) => !w.includes('has no steps of its own'))).toEqual([]);
    expect(c.source.origin).toBe('shipped');
    if (c.type !== 'aspect') expect(c.steps.length).toBeGreaterThan(0);
    for (const s of c.steps) {
      expect(`${s.title} ${s.description} ${s.run ?? ''} ${s.acceptance ?? ''}`).not.toMatch(/\{\{|\{target|\{step/);
    }
  });

  it('needs exactly the required vars it documents', () => {
    for (const [name, vars] of Object.entries(required)) {
      const e = thrown(() => loadAndCookFormula(name, {}, { dirs: formulaDirs() }));
      expect(e.code).toBe('VAR_INVALID');
      expect(e.details.missing).toEqual(Object.keys(vars));
    }
  });

  it('quick-check runs lint, test and build in parallel, then reports', () => {
    const c = loadAndCookFormula('quick-check', { test_command: 'npx vitest run' }, { dirs: formulaDirs() });
    expect(plan(c)).toEqual(['lint<-', 'test<-', 'build<-', 'report<-lint,test,build']);
    expect(c.steps.map((s) => s.run)).toEqual(['npm run lint', 'npx vitest run', 'npm run build', undefined]);
  });

  it('release substitutes the version into run commands', () => {
    const c = loadAndCookFormula('release', { version: '2.0.1' }, { dirs: formulaDirs() });
    expect(c.steps.map((s) => s.id)).toEqual(['preflight', 'changelog', 'bump', 'tag', 'verify']);
    expect(c.steps.find((s) => s.id === 'tag')!.run).toBe('git tag -a v2.0.1 -m "Release 2.0.1"');
  });

  it('code-review is a convoy: legs, then a synthesis needing them', () => {
    const c = loadAndCookFormula('code-review', { target: 'feature/x' }, { dirs: formulaDirs() });
    expect(c.legs?.map((l) => l.id)).toEqual(['correctness', 'tests', 'readability', 'security']);
    expect(c.legs?.[0]).toMatchObject({ title: 'Correctness of feature/x', agent: '', focus: expect.any(String) });
    expect(plan(c)).toEqual(['correctness<-', 'tests<-', 'readability<-', 'security<-', 'synthesis<-correctness,tests,readability,security']);
    expect(c.synthesis?.title).toBe('Merge the review of feature/x');
  });
});

describe('composition', () => {
  it('shiny-enterprise: extends shiny, implement expanded by rule-of-five', () => {
    const c = loadAndCookFormula('shiny-enterprise', { feature: 'search' }, { dirs: formulaDirs() });
    expect(plan(c)).toEqual([
      'design<-', 'implement.draft<-design', 'implement.refine-1<-implement.draft', 'implement.refine-2<-implement.refine-1',
      'implement.refine-3<-implement.refine-2', 'implement.refine-4<-implement.refine-3', 'review<-implement.refine-4',
      'test<-review', 'submit<-test',
    ]);
    expect(c.steps[1]!.title).toBe('Draft: Implement search');
    expect(c.vars).toEqual({ feature: 'search', assignee: '' });
  });

  it('shiny-secure: the aspect wraps implement (before and after) and submit (before)', () => {
    const c = loadAndCookFormula('shiny-secure', { feature: 'search' }, { dirs: formulaDirs() });
    expect(plan(c)).toEqual([
      'design<-', 'implement.security-check<-design', 'implement<-implement.security-check', 'implement.security-scan<-implement',
      'review<-implement.security-scan', 'test<-review', 'submit.security-check<-test', 'submit<-submit.security-check',
    ]);
  });

  const lib = library({
    base: `formula = "base"
[vars.who]
required = true
[vars.where]
default = "here"
[[steps]]
id = "a"
title = "A for {{who}}"
[[steps]]
id = "b"
needs = ["a"]
[[steps]]
id = "c"
needs = ["b"]
[[steps]]
id = "d"
needs = ["b"]`,
    child: `formula = "child"
extends = ["base"]
[vars.where]
default = "there"
[[steps]]
id = "b"
title = "B replaced"
needs = ["a"]
priority = 0
[[steps]]
id = "e"
needs = ["c", "d"]
[[compose.expand]]
target = "b"
with = "fan"
vars = { depth = "3" }
[compose]
aspects = ["log"]`,
    fan: `formula = "fan"
[[template]]
id = "{target}.x"
title = "X of {target.title} to {{depth}}"
[[template]]
id = "{target}.y"
[[template]]
id = "{target}.z"
needs = ["{target}.x", "{target}.y"]
[[template]]
id = "{target}.w"
needs = ["{target}.x"]`,
    log: `formula = "log"
type = "aspect"
[[advice]]
target = "?"
[[advice.before]]
id = "{step.id}.pre"
title = "before {step.title}"
[[advice.after]]
id = "{step.id}.post"`,
    loop1: 'formula = "loop1"\nextends = ["loop2"]\n',
    loop2: 'formula = "loop2"\nextends = ["loop1"]\n[[steps]]\nid = "a"\n',
  });

  it('extends overrides steps and vars by name; expand rewires roots and sinks; aspects wrap matching steps', () => {
    const c = cookFormula(lib.get('child'), { who: 'ann' }, { resolve: lib.resolve });
    expect(c.vars).toEqual({ who: 'ann', where: 'there' });
    // b (overridden: priority 0) → b.x, b.y (roots: inherit b's needs [a]); b.z, b.w are sinks,
    // so c and d (which needed b) need both. The aspect matches one-character ids: a, c, d, e.
    expect(plan(c)).toEqual([
      'a.pre<-', 'a<-a.pre', 'a.post<-a',
      'b.x<-a.post', 'b.y<-a.post', 'b.z<-b.x,b.y', 'b.w<-b.x',
      'c.pre<-b.z,b.w', 'c<-c.pre', 'c.post<-c',
      'd.pre<-b.z,b.w', 'd<-d.pre', 'd.post<-d',
      'e.pre<-c.post,d.post', 'e<-e.pre', 'e.post<-e',
    ]);
    const bx = c.steps.find((s) => s.id === 'b.x')!;
    expect(bx).toMatchObject({ title: 'X of B replaced to 3', priority: 0 });
    expect(c.steps.find((s) => s.id === 'a.pre')!.title).toBe('before A for ann');
  });

  it('an extends cycle shows its path', () => {
    const e = thrown(() => cookFormula(lib.get('loop1'), {}, { resolve: lib.resolve }));
    expect(e.code).toBe('FORMULA_INVALID');
    expect(e.message).toContain('loop1 → loop2 → loop1');
  });

  it('an expand target that is no step is named, with close matches', () => {
    const l = library({ w: 'formula = "w"\n[[steps]]\nid = "implement"\n[[compose.expand]]\ntarget = "implemnt"\nwith = "fan"\n', fan: '[[template]]\nid = "{target}.x"\n' });
    const e = thrown(() => cookFormula(l.get('w'), {}, { resolve: l.resolve }));
    expect(e.message).toMatch(/^w\.formula\.toml:5: compose\.expand\.target: .*"implemnt" is no step/);
    expect(e.fix).toContain('"implement"');
  });

  it('composition without a resolver says how to cook it', () => {
    const e = thrown(() => cookFormula(lib.get('child'), { who: 'x' }));
    expect(e.code).toBe('FORMULA_INVALID');
    expect(e.fix).toContain('gt formula cook');
  });
});

describe('vars', () => {
  const f = parseFormula(`formula = "rel"
[vars.version]
description = "Release version"
required = true
pattern = "^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$"
[vars.channel]
enum = ["stable", "beta"]
default = "stable"
[vars.count]
type = "int"
max = 5
default = "1"
[[steps]]
id = "tag"
title = "Tag v{{version}} on {{channel}} x{{count}} {{other}}"`, { file: 'rel.formula.toml' });

  it('fills in defaults and substitutes; undeclared placeholders stay and are reported', () => {
    const c = cookFormula(f, { version: '1.0.0' });
    expect(c.vars).toEqual({ version: '1.0.0', channel: 'stable', count: '1' });
    expect(c.steps[0]!.title).toBe('Tag v1.0.0 on stable x1 {{other}}');
    expect(c.warnings).toEqual(['rel.formula.toml: {{other}} is not declared in [vars] (left as written)']);
  });

  it('a missing required var names the var and the formula', () => {
    const e = thrown(() => cookFormula(f, {}));
    expect(e.code).toBe('VAR_INVALID');
    expect(e.message).toBe('formula "rel" needs var "version" (version: Release version)');
    expect(e.fix).toBe('pass --var version=<value>');
  });

  it.each([
    [{ version: '1.0' }, 'var "version" = "1.0" does not match ^\\d+\\.\\d+\\.\\d+$', 'matching ^\\d+\\.\\d+\\.\\d+$'],
    [{ version: '1.0.0', channel: 'nightly' }, 'is not one of: stable, beta', 'one of stable, beta'],
    [{ version: '1.0.0', count: 'x' }, 'is not a whole number', 'a whole number ≤ 5'],
    [{ version: '1.0.0', count: '6' }, 'is above the maximum 5', 'a whole number ≤ 5'],
  ])('%j is refused, saying what is allowed', (vars, message, allowed) => {
    const e = thrown(() => cookFormula(f, vars));
    expect(e.code).toBe('VAR_INVALID');
    expect(e.message).toContain(message);
    expect(e.fix).toContain(allowed);
  });

  it('an unknown var is an error listing the declared ones (unless allowed)', () => {
    const e = thrown(() => cookFormula(f, { version: '1.0.0', verison: '2' }));
    expect(e.message).toBe('formula "rel" has no var "verison"');
    expect(e.fix).toBe('did you mean "version"? it declares: version, channel, count');
    expect(cookFormula(f, { version: '1.0.0', verison: '2' }, { allowUnknownVars: true }).vars).not.toHaveProperty('verison');
  });
});

describe('the step graph', () => {
  const steps = (body: string) => parseFormula(`formula = "g"\n${body}`, { file: 'g.formula.toml' });

  it('a needs cycle is reported with its path', () => {
    const f = steps('[[steps]]\nid = "a"\nneeds = ["c"]\n[[steps]]\nid = "b"\nneeds = ["a"]\n[[steps]]\nid = "c"\nneeds = ["b"]\n[[steps]]\nid = "d"\n');
    const e = thrown(() => cookFormula(f));
    expect(e.code).toBe('FORMULA_INVALID');
    expect(e.message).toMatch(/needs form a cycle: (a → c → b → a|b → a → c → b|c → b → a → c)/);
    expect((e.details.cycle as string[]).length).toBe(4);
  });

  it('a step needing itself is a cycle too', () => {
    expect(thrown(() => cookFormula(steps('[[steps]]\nid = "a"\nneeds = ["a"]\n'))).message).toContain('cycle: a → a');
  });

  it('an unknown needs id is named, with the step, file and line', () => {
    const e = thrown(() => cookFormula(steps('[[steps]]\nid = "build"\n[[steps]]\nid = "test"\nneeds = ["biuld"]\n')));
    expect(e.message).toBe('g.formula.toml:5: needs: formula "g": step "test" needs "biuld", which is no step of the formula');
    expect(e.fix).toBe('did you mean "build"?');
  });

  it('duplicate ids name both places', () => {
    const e = thrown(() => cookFormula(steps('[[steps]]\nid = "a"\n[[steps]]\nid = "a"\n')));
    expect(e.message).toContain('two steps have id "a" (also at g.formula.toml:3)');
  });

  it('orders needs first, stable by declaration', () => {
    const f = steps('[[steps]]\nid = "z"\nneeds = ["y"]\n[[steps]]\nid = "x"\n[[steps]]\nid = "y"\n[[steps]]\nid = "w"\nneeds = ["x"]\n');
    expect(cookFormula(f).steps.map((s) => s.id)).toEqual(['x', 'y', 'z', 'w']);
  });

  it('a formula without steps is an error', () => {
    expect(thrown(() => cookFormula(steps(''))).message).toContain('has no steps');
  });
});

describe('towers of hanoi', () => {
  it('10 disks: 1,023 moves in one chain between setup and verify, all legal', () => {
    const t0 = performance.now();
    const c = loadAndCookFormula('towers-of-hanoi', { disks: '10' }, { dirs: formulaDirs() });
    console.log(`cooked towers-of-hanoi (10 disks, ${c.steps.length} steps) in ${(performance.now() - t0).toFixed(1)} ms`);
    const moves = c.steps.filter((s) => s.id.startsWith('move-'));
    expect(moves).toHaveLength(1023);
    expect(c.steps).toHaveLength(1025);
    c.steps.forEach((s, i) => expect(s.needs).toEqual(i === 0 ? [] : [c.steps[i - 1]!.id]));
    // Play the moves: never a larger disk on a smaller one, and all end on C.
    const pegs: Record<string, number[]> = { A: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], B: [], C: [] };
    for (const m of moves) {
      const [, disk, from, to] = /^Move disk (\d+): (\w) → (\w)$/.exec(m.title)!;
      expect(pegs[from!]!.pop()).toBe(Number(disk));
      expect(pegs[to!]!.at(-1) ?? 99).toBeGreaterThan(Number(disk));
      pegs[to!]!.push(Number(disk));
    }
    expect(pegs.C).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('odd disk counts start towards the target peg, pegs are vars', () => {
    expect(hanoiSteps(3).slice(1, 4).map((s) => s.title)).toEqual(['Move disk 1: A → C', 'Move disk 2: A → B', 'Move disk 1: C → B']);
    const c = loadAndCookFormula('towers-of-hanoi', { disks: '1', source_peg: 'L', target_peg: 'R' }, { dirs: formulaDirs() });
    expect(c.steps.map((s) => s.title)).toEqual(['Check the starting position', 'Move disk 1: L → R', 'Check the final position']);
  });

  it('refuses more than 16 disks, saying what is allowed', () => {
    const e = thrown(() => loadAndCookFormula('towers-of-hanoi', { disks: '17' }, { dirs: formulaDirs() }));
    expect(e.code).toBe('VAR_INVALID');
    expect(e.message).toContain('above the maximum 16');
    expect(thrown(() => hanoiFormula(0)).code).toBe('VAR_INVALID');
  });

  it('hanoiFormula(10) cooks directly; a 1,025-step TOML file parses and cooks the same', () => {
    const direct = cookFormula(hanoiFormula(10));
    expect(direct.steps).toHaveLength(1025);
    const toml = ['formula = "hanoi-10"', ...hanoiSteps(10).map((s) => `[[steps]]\nid = "${s.id}"\ntitle = "${s.title}"\ndescription = "${s.description}"\nneeds = [${s.needs.map((n) => `"${n}"`).join(', ')}]`)].join('\n');
    const t0 = performance.now();
    const fromFile = cookFormula(parseFormula(toml, { file: 'hanoi-10.formula.toml' }));
    console.log(`parsed and cooked a ${(toml.length / 1024).toFixed(0)} KB, 1,025-step file in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(fromFile.steps.map((s) => [s.id, s.title, s.needs])).toEqual(direct.steps.map((s) => [s.id, s.title, s.needs]));
  });
});

describe('cooking the fixtures', () => {
  const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/formulas');
  // The fixture files are named gastown-<name>.formula.toml.
  const fixture = (name: string) => {
    const file = join(FIXTURES, `gastown-${name}.formula.toml`);
    return parseFormula(readFileSync(file, 'utf8'), { file });
  };
  const resolve: FormulaResolver = (name) => fixture(name);

  it("Gas Town's shiny extended and expanded with its rule-of-five", () => {
    const child = parseFormula('formula = "e"\nextends = ["shiny"]\n[[compose.expand]]\ntarget = "implement"\nwith = "rule-of-five"\n', { file: 'e.formula.toml' });
    const cooked = cookFormula(child, { feature: 'x' }, { resolve });
    expect(plan(cooked)).toEqual([
      'design<-', 'implement.draft<-design', 'implement.refine-1<-implement.draft', 'implement.refine-2<-implement.refine-1',
      'implement.refine-3<-implement.refine-2', 'implement.refine-4<-implement.refine-3', 'review<-implement.refine-4', 'test<-review', 'submit<-test',
    ]);
    expect(cooked.steps[1]!.description).toContain('Initial attempt at: Write the code for x.');
  });

  it("Gas Town's tdd-cycle expands a step of its polecat-work", () => {
    const work = fixture('mol-polecat-work');
    const child = parseFormula('formula = "t"\nextends = ["mol-polecat-work"]\n[[compose.expand]]\ntarget = "implement"\nwith = "tdd-cycle"\n', { file: 't.formula.toml' });
    const cooked = cookFormula(child, { issue: 'gt-1' }, { resolve });
    expect(cooked.steps).toHaveLength(work.steps.length + 4);
    expect(cooked.steps.map((s) => s.id)).toContain('implement.verify-red');
  });
});
