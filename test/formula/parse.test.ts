import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFormula } from '../../src/core/formula/parse.js';
import { indexTomlLines, lineOf } from '../../src/core/formula/toml-lines.js';
import { readFormulaFile } from '../../src/store/formula/load.js';
import { tempDir } from '../cli/helpers.js';
import { thrown } from '../helpers/errors.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/formulas');
const tmp = tempDir('gt-formula-parse-');
afterAll(() => tmp.cleanup());

/** 1-based line of the first line of `text` containing `needle` (after line `from`). */
function lineWith(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`"${needle}" not in text`);
}

/** Write `text` as a formula file in the temp dir and return its path. */
function write(name: string, text: string): string {
  mkdirSync(tmp.dir, { recursive: true });
  const file = join(tmp.dir, `${name}.formula.toml`);
  writeFileSync(file, text);
  return file;
}

describe('fixture formulas (beads and Gas Town)', () => {
  // Every fixture parses: none is rejected. Gas Town-only keys become warnings.
  const expected: Record<string, { name: string; type: string; steps: number; warnings: string[] }> = {
    'beads-feature-workflow.formula.toml': { name: 'feature-workflow', type: 'workflow', steps: 5, warnings: [] },
    'beads-gh-issue-to-pr.formula.toml': { name: 'gh-issue-to-pr', type: 'workflow', steps: 12, warnings: ['phase'] },
    'beads-quick-check.formula.toml': { name: 'quick-check', type: 'workflow', steps: 4, warnings: [] },
    'beads-release.formula.toml': { name: 'release', type: 'workflow', steps: 6, warnings: [] },
    'gastown-code-review.formula.toml': { name: 'code-review', type: 'convoy', steps: 0, warnings: ['inputs', 'prompts', 'output', 'presets'] },
    'gastown-mol-polecat-conflict-resolve.formula.toml': { name: 'mol-polecat-conflict-resolve', type: 'workflow', steps: 9, warnings: [] },
    'gastown-mol-polecat-work.formula.toml': { name: 'mol-polecat-work', type: 'workflow', steps: 8, warnings: [] },
    'gastown-mol-witness-patrol.formula.toml': { name: 'mol-witness-patrol', type: 'workflow', steps: 9, warnings: [] },
    'gastown-rule-of-five.formula.toml': { name: 'rule-of-five', type: 'expansion', steps: 0, warnings: [] },
    'gastown-shiny.formula.toml': { name: 'shiny', type: 'workflow', steps: 5, warnings: [] },
    'gastown-tdd-cycle.formula.toml': { name: 'tdd-cycle', type: 'expansion', steps: 0, warnings: [] },
    'gastown-towers-of-hanoi.formula.toml': { name: 'towers-of-hanoi', type: 'workflow', steps: 9, warnings: [] },
  };

  it('covers every fixture file', () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.formula.toml')).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s parses', (file, want) => {
    const f = readFormulaFile(join(FIXTURES, file));
    expect(f.name).toBe(want.name);
    expect(f.type).toBe(want.type);
    expect(f.steps).toHaveLength(want.steps);
    expect(f.warnings.map((w) => /: (\S+) is not used/.exec(w)?.[1])).toEqual(want.warnings);
    for (const w of f.warnings) expect(w).toMatch(new RegExp(`^${join(FIXTURES, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
    for (const s of f.steps) expect(s.line, `line of step ${s.id}`).toBeGreaterThan(0);
  });

  it('reads vars (required, default, pattern, enum) and steps (needs, type, acceptance)', () => {
    const gh = readFormulaFile(join(FIXTURES, 'beads-gh-issue-to-pr.formula.toml'));
    const issue = gh.vars.find((v) => v.name === 'issue_number')!;
    expect(issue).toMatchObject({ required: true, pattern: '^[0-9]+$' });
    expect(gh.vars.find((v) => v.name === 'council_preset')!.enum?.length).toBeGreaterThan(1);
    expect(gh.raw.phase).toBe('vapor'); // kept
    const fw = readFormulaFile(join(FIXTURES, 'beads-feature-workflow.formula.toml'));
    expect(fw.steps.map((s) => [s.id, s.needs, s.type])).toEqual([
      ['design', [], 'human'], ['implement', ['design'], undefined], ['test', ['implement'], undefined],
      ['review', ['test'], 'human'], ['merge', ['review'], undefined],
    ]);
    const shiny = readFormulaFile(join(FIXTURES, 'gastown-shiny.formula.toml'));
    expect(shiny.steps[0]!.acceptance).toContain('Design doc');
  });

  it('reads a convoy: legs with focus, synthesis with depends_on, Gas Town keys kept', () => {
    const f = readFormulaFile(join(FIXTURES, 'gastown-code-review.formula.toml'));
    expect(f.legs.length).toBe(10);
    expect(f.legs[0]).toMatchObject({ id: 'correctness', focus: expect.any(String) });
    expect(f.synthesis?.dependsOn?.length).toBe(10);
    expect(Object.keys(f.raw)).toEqual(expect.arrayContaining(['inputs', 'prompts', 'output', 'presets']));
  });

  it('infers the type when absent', () => {
    expect(readFormulaFile(join(FIXTURES, 'gastown-mol-polecat-work.formula.toml')).type).toBe('workflow');
    expect(parseFormula('[[legs]]\nid = "a"\n', { file: 'x' }).type).toBe('convoy');
    expect(parseFormula('[[template]]\nid = "{target}.a"\n', { file: 'x' }).type).toBe('expansion');
    expect(parseFormula('[[advice]]\ntarget = "x"\n', { file: 'x' }).type).toBe('aspect');
    expect(parseFormula('formula = "p"\ntype = "parallel"\n[[steps]]\nid = "a"\n', { file: 'x' })).toMatchObject({ type: 'workflow', warnings: [expect.stringContaining('parallel')] });
  });

  it('names a formula after its file when it has no formula key', () => {
    expect(parseFormula('[[steps]]\nid = "a"\n', { file: '/x/my-flow.formula.toml' }).name).toBe('my-flow');
  });

  it('takes bare-string vars as defaults and depends_on as needs', () => {
    const f = parseFormula('[vars]\nbranch = "main"\n[[steps]]\nid = "a"\n[[steps]]\nid = "b"\ndepends_on = ["a"]\nneeds = "a"\n', { file: 'x' });
    expect(f.vars).toEqual([{ name: 'branch', description: '', required: false, default: 'main' }]);
    expect(f.steps[1]!.needs).toEqual(['a']);
  });
});

describe('rejected formulas name the file, the line and the key', () => {
  const release = readFileSync(join(FIXTURES, 'beads-release.formula.toml'), 'utf8');

  it('a TOML syntax error: file and line from smol-toml', () => {
    const text = release.replace('title = "Create git tag v{{version}}"', 'title = "Create git tag v{{version}}');
    const file = write('syntax', text);
    const e = thrown(() => readFormulaFile(file));
    expect(e.code).toBe('FORMULA_INVALID');
    const line = lineWith(text, 'title = "Create git tag');
    expect(e.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: TOML syntax error`));
    expect(e.details).toMatchObject({ file, line });
    expect(e.fix).toBeTruthy();
  });

  it('a value of the wrong shape: priority out of range in one step', () => {
    const text = release.replace('id = "tag"\n', 'id = "tag"\npriority = 9\n');
    const file = write('priority', text);
    const e = thrown(() => readFormulaFile(file));
    expect(e.code).toBe('FORMULA_INVALID');
    expect(e.message).toContain(`${file}:${lineWith(text, 'priority = 9')}: steps[4].priority:`);
    expect(e.message).toContain('id = "tag"');
    expect(e.fix).toContain('0 (most urgent) to 4');
    expect(e.details).toMatchObject({ key: 'steps[4].priority', line: lineWith(text, 'priority = 9') });
  });

  it('a step without id points at its [[steps]] block', () => {
    const text = release.replace('id = "build"\n', '');
    const file = write('noid', text);
    const e = thrown(() => readFormulaFile(file));
    expect(e.message).toContain('steps[3].id');
    expect(e.details.line).toBe(lineWith(text, 'title = "Build release artifacts"') - 1); // the [[steps]] header
  });

  it('an unknown step type lists the allowed ones', () => {
    const file = write('type', release.replace('type = "human"', 'type = "robot"'));
    const e = thrown(() => readFormulaFile(file));
    expect(e.message).toContain('steps[5].type');
    expect(e.fix).toContain('task, human, gate');
  });

  it('a var pattern that is no regular expression', () => {
    const text = release.replace('pattern = "^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$"', 'pattern = "^(1"');
    const file = write('pattern', text);
    const e = thrown(() => readFormulaFile(file));
    expect(e.message).toContain(`${file}:${lineWith(text, 'pattern = "^(1"')}: vars.version.pattern:`);
  });

  it('a var table with a bad key type names the var', () => {
    const text = 'formula = "v"\n[vars.x]\nrequired = "yes"\n[[steps]]\nid = "a"\n';
    const e = thrown(() => parseFormula(text, { file: 'v.formula.toml' }));
    expect(e.message).toMatch(/^v\.formula\.toml:3: vars\.x\.required:/);
    expect(e.fix).toContain('required = true');
  });
});

describe('keys we do not use are warnings, not errors', () => {
  it('reports each unused key once, with its line, and keeps it', () => {
    const text = [
      'formula = "w"', 'pour = true', 'review_only = true', '', '[squash]', 'trigger = "done"', '',
      '[[steps]]', 'id = "a"', 'parallel = true', '[steps.gate]', 'type = "timer"', '',
      '[[steps]]', 'id = "b"', 'needs = ["a"]', 'parallel = true', 'neds = ["a"]',
    ].join('\n');
    const f = parseFormula(text, { file: 'w.formula.toml' });
    expect(f.warnings).toEqual([
      'w.formula.toml:2: pour is not used by gt (kept as is)',
      'w.formula.toml:3: review_only is not used by gt (kept as is)',
      'w.formula.toml:5: squash is not used by gt (kept as is)',
      'w.formula.toml:10: steps[].parallel is not used by gt (kept as is) — in 2 blocks',
      'w.formula.toml:11: steps[].gate is not used by gt (kept as is)',
      'w.formula.toml:18: steps[].neds is not used by gt (kept as is); did you mean "needs"?',
    ]);
    expect(f.raw.squash).toEqual({ trigger: 'done' });
  });
});

describe('TOML line index', () => {
  it('maps headers, keys and array elements to lines, skipping multi-line strings', () => {
    const text = [
      'formula = "x"', 'description = """', 'id = "not a key"', '"""', '[vars.a]', 'default = "1"',
      '[[steps]]', 'id = "s0"', '[[steps]]', 'id = "s1"', '[steps.gate]', 'type = "t"',
      '[[advice]]', '[[advice.around.before]]', 'id = "b"',
    ].join('\n');
    const idx = indexTomlLines(text);
    expect(lineOf(idx, ['formula'])).toBe(1);
    expect(lineOf(idx, ['id'])).toBeUndefined();
    expect(lineOf(idx, ['vars', 'a', 'default'])).toBe(6);
    expect(lineOf(idx, ['steps', 1, 'id'])).toBe(10);
    expect(lineOf(idx, ['steps', 1, 'gate', 'type'])).toBe(12);
    expect(lineOf(idx, ['steps', 1, 'title'])).toBe(9); // falls back to the block header
    expect(lineOf(idx, ['advice', 0, 'around', 'before', 0, 'id'])).toBe(15);
  });
});
