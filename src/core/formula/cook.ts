/**
 * Cook a formula (beads `bd cook`, research/beads.md §6.3): apply extends, expansions and
 * aspects, check and fill in the vars, substitute `{{name}}`, check the step graph and order
 * it. The result, a {@link CookedFormula} (beads' "proto"), is what `gt mol pour` and
 * `gt sling <formula>` turn into beads; cooking itself never writes anything.
 *
 * Order of work: extends → vars → generator → compose.expand (in order) → compose.aspects (in
 * order) → convoy legs → `{{var}}` substitution → graph check and topological sort.
 */
import type { CookedFormula, CookedLeg, CookedStep, FormulaVar } from './types.js';
import type { ParsedFormula, ParsedStep } from './parsed.js';
import { applyAspect, applyExtends, copyStep, expandStep, type FormulaResolver } from './compose.js';
import { orderSteps } from './graph.js';
import { hanoiGenerator } from './hanoi.js';
import { formulaError } from './problem.js';
import { resolveVars, substitute } from './vars.js';

/** Built-in step generators by `generator = "<name>"`: vars (resolved) and file → steps. */
export const GENERATORS: Readonly<Record<string, (vars: Readonly<Record<string, string>>, file: string) => ParsedStep[]>> = {
  hanoi: hanoiGenerator,
};

/** Options of {@link cookFormula}. */
export interface CookOptions {
  /**
   * Finds formulas named by `extends`, `compose.expand` and `compose.aspects`
   * (store/formula's `formulaResolver(dirs)`). Without it a formula using them is an error.
   */
  resolve?: FormulaResolver;
  /**
   * Drop given vars the formula does not declare instead of failing (for callers that pass a
   * standard set, like a rig's gate commands, to every formula). Default false.
   */
  allowUnknownVars?: boolean;
}

function need(resolve: FormulaResolver | undefined, name: string, from: ParsedFormula, key: string): ParsedFormula {
  if (!resolve) {
    throw formulaError({ file: from.source.file, key }, `formula "${from.name}" uses "${name}", but no formula directories were given to find it`,
      'cook it through `gt formula cook`, which searches the rig, town and shipped formulas');
  }
  return resolve(name, from);
}

/** Declarations of `extra` whose names `base` does not declare (the cooked formula's own win). */
function addMissing(base: FormulaVar[], extra: readonly FormulaVar[]): void {
  const names = new Set(base.map((v) => v.name));
  for (const v of extra) if (!names.has(v.name)) { base.push(v); names.add(v.name); }
}

/**
 * Cook a parsed formula with var values.
 *
 * @param parsed from parseFormula / loadFormula.
 * @param vars `--var` values by name.
 * @returns the cooked formula: steps in a stable topological order with every placeholder of
 *   a declared var filled in; for a convoy also one step per leg plus a `synthesis` step. An
 *   expansion cooked on its own is applied to one step named after the formula; an aspect on
 *   its own has no steps (a warning says so).
 * @throws GtError VAR_INVALID (unknown var, missing required var, value not allowed);
 *   FORMULA_INVALID (extends cycle, expand target or template missing, not an aspect, unknown
 *   generator, no steps, bad/duplicate step id, unknown needs id, needs cycle with its path);
 *   FORMULA_NOT_FOUND from the resolver.
 */
export function cookFormula(parsed: ParsedFormula, vars: Readonly<Record<string, string>> = {}, options: CookOptions = {}): CookedFormula {
  const { resolve } = options;
  const f = applyExtends(parsed, resolve);
  const file = f.source.file;
  const warnings = [...f.warnings];

  const expansions = f.compose.expand.map((rule) => applyExtends(need(resolve, rule.with, f, 'compose.expand.with'), resolve));
  const aspects = f.compose.aspects.map((name) => {
    const a = applyExtends(need(resolve, name, f, 'compose.aspects'), resolve);
    if (!a.advice.length) {
      throw formulaError({ file, key: 'compose.aspects' }, `formula "${f.name}": "${name}" (${a.source.file}) is not an aspect (it has no [[advice]])`,
        'list only aspect formulas (type = "aspect" with [[advice]] blocks) in compose.aspects');
    }
    return a;
  });
  const declared = [...f.vars];
  for (const x of [...expansions, ...aspects]) {
    addMissing(declared, x.vars);
    warnings.push(...x.warnings);
  }
  const values = resolveVars(declared, vars, f.name, options.allowUnknownVars ? { allowUnknown: true } : {});

  let steps: ParsedStep[] = f.steps.map(copyStep);
  if (f.generator !== undefined) {
    const gen = GENERATORS[f.generator];
    if (!gen) {
      throw formulaError({ file, key: 'generator' }, `formula "${f.name}": unknown generator "${f.generator}"`, `use one of: ${Object.keys(GENERATORS).join(', ')}`);
    }
    steps.push(...gen(values, file));
  }
  if (f.type === 'expansion' && !steps.length && f.template.length) {
    const target: ParsedStep = { id: f.name, title: f.name, description: f.description, needs: [], file };
    steps = expandStep([target], { target: f.name, with: f.name, vars: {}, file }, f, f.name);
  }
  f.compose.expand.forEach((rule, i) => { steps = expandStep(steps, rule, expansions[i]!, f.name); });
  const added = new Set<string>();
  for (const a of aspects) steps = applyAspect(steps, a, added, warnings);
  if (f.type === 'aspect' && !steps.length) {
    warnings.push(`${file}: aspect "${f.name}" has no steps of its own; list it in another formula's [compose] aspects`);
  }

  let legs: CookedLeg[] | undefined;
  let synthesis: CookedFormula['synthesis'];
  if (f.legs.length || f.type === 'convoy') {
    if (!f.legs.length) throw formulaError({ file, key: 'legs' }, `convoy formula "${f.name}" has no [[legs]]`, 'add [[legs]] blocks with id, title and focus, one per polecat');
    const s = (t: string) => substitute(t, values);
    legs = f.legs.map((l) => ({
      id: l.id, title: s(l.title ?? l.id), description: s(l.description ?? ''), agent: l.agent ?? f.agent ?? '',
      ...(l.focus === undefined ? {} : { focus: s(l.focus) }),
    }));
    const legSteps: ParsedStep[] = f.legs.map((l) => ({
      id: l.id, title: l.title ?? l.id, description: [l.focus ? `Focus: ${l.focus}` : '', l.description ?? ''].filter(Boolean).join('\n\n'),
      needs: [], file: l.file, ...(l.line === undefined ? {} : { line: l.line }),
    }));
    steps = [...legSteps, ...steps];
    if (f.synthesis) {
      const ids = new Set(f.legs.map((l) => l.id));
      const unknown = (f.synthesis.dependsOn ?? []).filter((d) => !ids.has(d));
      if (unknown.length) {
        throw formulaError({ file, line: f.synthesis.line, key: 'synthesis.depends_on' }, `convoy "${f.name}": synthesis depends on "${unknown[0]}", which is no leg`, `legs: ${[...ids].join(', ')}`);
      }
      synthesis = { title: s(f.synthesis.title ?? 'Synthesis'), description: s(f.synthesis.description ?? '') };
      steps.push({
        id: 'synthesis', title: f.synthesis.title ?? 'Synthesis', description: f.synthesis.description ?? '',
        needs: f.synthesis.dependsOn ?? f.legs.map((l) => l.id), file, ...(f.synthesis.line === undefined ? {} : { line: f.synthesis.line }),
      });
    }
  }
  if (!steps.length && f.type !== 'aspect') {
    throw formulaError({ file, key: 'steps' }, `formula "${f.name}" has no steps`, 'add [[steps]] blocks (each with an id), or extends = ["<formula>"]');
  }

  const unknownNames = new Set<string>();
  const sub = (t: string) => substitute(t, values, unknownNames);
  const cooked = orderSteps(steps, f.name).map((p): CookedStep => ({
    id: p.id,
    title: sub(p.title ?? p.id),
    description: sub(p.description ?? ''),
    needs: p.needs,
    type: p.type ?? 'task',
    priority: p.priority ?? 2,
    ...(p.acceptance === undefined ? {} : { acceptance: sub(p.acceptance) }),
    ...(p.run === undefined ? {} : { run: sub(p.run) }),
    ...(p.labels === undefined ? {} : { labels: p.labels.map(sub) }),
  }));
  if (unknownNames.size) {
    warnings.push(`${file}: ${[...unknownNames].map((n) => `{{${n}}}`).join(', ')} ${unknownNames.size === 1 ? 'is' : 'are'} not declared in [vars] (left as written)`);
  }
  return {
    name: f.name,
    type: f.type,
    description: substitute(f.description, values),
    version: f.version,
    source: { ...parsed.source },
    vars: values,
    steps: cooked,
    ...(legs ? { legs } : {}),
    ...(synthesis ? { synthesis } : {}),
    warnings: [...new Set(warnings)],
  };
}
