/**
 * Composition (research/beads.md §6.1, gastown-features.md §5.1): `extends` (inherit vars and
 * steps; a child step replaces the parent step with the same id), `[[compose.expand]]` (splice
 * an expansion's `[[template]]` in place of a step) and aspects (`[[advice]]` steps before and
 * after matching steps). Pure functions over {@link ParsedStep} lists; they never change the
 * formulas they read (a loader may cache those).
 */
import { closeMatches } from '../errors.js';
import type { ExpandRule, ParsedAdvice, ParsedFormula, ParsedStep } from './parsed.js';
import { formulaError } from './problem.js';
import { mergeVars, substitute } from './vars.js';

/**
 * Finds a formula by name for `extends`, `compose.expand` and `compose.aspects`.
 *
 * @param name the name written in the file.
 * @param from the formula that names it (a loader may skip `from`'s own file, so a town
 *   formula can extend the shipped one of the same name).
 * @throws GtError FORMULA_NOT_FOUND when there is no such formula.
 */
export type FormulaResolver = (name: string, from: ParsedFormula) => ParsedFormula;

/** A copy of a step that may be changed freely. */
export function copyStep(s: ParsedStep): ParsedStep {
  return { ...s, needs: [...s.needs], ...(s.labels ? { labels: [...s.labels] } : {}) };
}

/** Put `add` over `base` by id: same id replaces in place, new ids are appended. */
function overlay<T extends { id: string }>(base: readonly T[], add: readonly T[]): T[] {
  const out = [...base];
  const at = new Map(out.map((s, i) => [s.id, i]));
  for (const s of add) {
    const i = at.get(s.id);
    if (i === undefined) {
      at.set(s.id, out.length);
      out.push(s);
    } else out[i] = s;
  }
  return out;
}

function keyOf(f: ParsedFormula): string {
  return f.source.file || f.name;
}

/**
 * Apply `extends`, parents first and in order, recursively.
 *
 * @returns a new formula whose vars, steps, template, advice, legs and compose include the
 *   parents' (the child wins by name/id); `extends` is emptied; `type` is the parent's when the
 *   child did not write one.
 * @throws GtError FORMULA_INVALID for an extends cycle (`a → b → a`) or when extends is used
 *   without a resolver; FORMULA_NOT_FOUND from the resolver.
 */
export function applyExtends(f: ParsedFormula, resolve: FormulaResolver | undefined, stack: string[] = []): ParsedFormula {
  if (!f.extends.length) return f;
  const key = keyOf(f);
  const chain = [...stack, key];
  let acc: ParsedFormula | undefined;
  for (const name of f.extends) {
    if (!resolve) {
      throw formulaError({ file: f.source.file, key: 'extends' }, `formula "${f.name}" extends "${name}", but no formula directories were given to find it`, 'cook it through `gt formula cook`, which searches the rig, town and shipped formulas');
    }
    const parent = resolve(name, f);
    if (chain.includes(keyOf(parent))) {
      const names = [...chain.slice(chain.indexOf(keyOf(parent))), keyOf(parent)].map((k) => k.split(/[\\/]/).pop()!.replace(/\.formula\.toml$/, ''));
      throw formulaError({ file: f.source.file, key: 'extends' }, `extends forms a cycle: ${names.join(' → ')}`, 'remove one of these extends', { cycle: names });
    }
    const flat = applyExtends(parent, resolve, chain);
    acc = acc ? merge(acc, flat) : flat;
  }
  const merged = merge(acc!, f);
  // A child that neither writes a type nor has legs/template/advice of its own is its parent's kind.
  return { ...merged, type: f.raw.type !== undefined || f.type !== 'workflow' ? f.type : acc!.type };
}

/** `child` over `parent` (see {@link applyExtends}). */
function merge(parent: ParsedFormula, child: ParsedFormula): ParsedFormula {
  return {
    ...child,
    description: child.description || parent.description,
    extends: [],
    vars: mergeVars(parent.vars, child.vars),
    steps: overlay(parent.steps, child.steps),
    template: overlay(parent.template, child.template),
    advice: [...parent.advice, ...child.advice],
    pointcuts: [...parent.pointcuts, ...child.pointcuts],
    legs: overlay(parent.legs, child.legs),
    compose: {
      aspects: [...new Set([...parent.compose.aspects, ...child.compose.aspects])],
      expand: [...parent.compose.expand, ...child.compose.expand],
    },
    ...(child.synthesis ?? parent.synthesis ? { synthesis: (child.synthesis ?? parent.synthesis)! } : {}),
    ...(child.agent ?? parent.agent ? { agent: (child.agent ?? parent.agent)! } : {}),
    ...(child.generator ?? parent.generator ? { generator: (child.generator ?? parent.generator)! } : {}),
    warnings: [...parent.warnings, ...child.warnings],
  };
}

/** What `{target…}` / `{step…}` placeholders stand for. */
interface Subject {
  id: string;
  title: string;
  description: string;
}

/** Replace `{word}`, `{word.id}`, `{word.title}`, `{word.description}` (not inside `{{…}}`). */
function fill(text: string, word: 'target' | 'step', s: Subject): string {
  if (!text.includes(`{${word}`)) return text;
  const re = new RegExp(`(?<!\\{)\\{${word}(?:\\.(id|title|description))?\\}(?!\\})`, 'g');
  return text.replace(re, (_all, field?: string) => (field === 'title' ? s.title : field === 'description' ? s.description : s.id));
}

/** A template step filled in for one subject, with extra `{{vars}}` applied. */
function instantiate(t: ParsedStep, word: 'target' | 'step', s: Subject, vars: Record<string, string> = {}): ParsedStep {
  const f = (x: string) => substitute(fill(x, word, s), vars);
  return {
    ...t,
    id: fill(t.id, word, s),
    ...(t.title === undefined ? {} : { title: f(t.title) }),
    ...(t.description === undefined ? {} : { description: f(t.description) }),
    ...(t.acceptance === undefined ? {} : { acceptance: f(t.acceptance) }),
    ...(t.run === undefined ? {} : { run: f(t.run) }),
    ...(t.labels === undefined ? {} : { labels: t.labels.map(f) }),
    needs: t.needs.map((n) => fill(n, word, s)),
  };
}

function subjectOf(s: ParsedStep): Subject {
  return { id: s.id, title: s.title ?? s.id, description: s.description ?? '' };
}

/**
 * Splice expansion `expansion`'s `[[template]]` in place of step `rule.target`: template
 * roots (steps with no needs) inherit the target's needs, steps that needed the target need
 * the template's last steps (those no other template step needs) instead, and template steps
 * without a priority take the target's.
 *
 * @param formula the name of the formula being cooked, for messages.
 * @throws GtError FORMULA_INVALID when the target is no step or the expansion has no template.
 */
export function expandStep(steps: readonly ParsedStep[], rule: ExpandRule, expansion: ParsedFormula, formula: string): ParsedStep[] {
  const at = steps.findIndex((s) => s.id === rule.target);
  if (at === -1) {
    const near = closeMatches(rule.target, steps.map((s) => s.id));
    throw formulaError({ file: rule.file, line: rule.line, key: 'compose.expand.target' }, `formula "${formula}": expand target "${rule.target}" is no step`,
      near.length ? `did you mean "${near[0]}"?` : `steps: ${steps.map((s) => s.id).slice(0, 8).join(', ')}`, { target: rule.target });
  }
  if (!expansion.template.length) {
    throw formulaError({ file: rule.file, line: rule.line, key: 'compose.expand.with' }, `formula "${formula}": "${rule.with}" (${expansion.source.file}) has no [[template]] steps to expand with`,
      'name an expansion formula (type = "expansion" with [[template]] blocks)');
  }
  const target = steps[at]!;
  const spliced = expansion.template.map((t) => {
    const s = instantiate(t, 'target', subjectOf(target), rule.vars);
    if (!s.needs.length) s.needs = [...target.needs];
    if (s.priority === undefined && target.priority !== undefined) s.priority = target.priority;
    return s;
  });
  const needed = new Set(spliced.flatMap((s) => s.needs));
  const sinks = spliced.filter((s) => !needed.has(s.id)).map((s) => s.id);
  const rest = (s: ParsedStep): ParsedStep =>
    s.needs.includes(target.id) ? { ...s, needs: [...new Set(s.needs.flatMap((n) => (n === target.id ? sinks : [n])))] } : s;
  return [...steps.slice(0, at).map(rest), ...spliced, ...steps.slice(at + 1).map(rest)];
}

/** A glob (`*` any run of characters, `?` one) as a whole-string regex. */
export function globRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function matcher(advice: ParsedAdvice, aspect: ParsedFormula): (s: ParsedStep) => boolean {
  if (advice.target !== undefined) {
    const re = globRegex(advice.target);
    return (s) => re.test(s.id);
  }
  const cuts = aspect.pointcuts.length ? aspect.pointcuts : [{ glob: '*' }];
  const tests = cuts.map((p) => {
    const re = globRegex(p.glob ?? '*');
    return (s: ParsedStep) => re.test(s.id) && (p.type === undefined || (s.type ?? 'task') === p.type) && (p.label === undefined || Boolean(s.labels?.includes(p.label)));
  });
  return (s) => tests.some((t) => t(s));
}

/**
 * Apply an aspect: for each `[[advice]]`, every step matching it (and not added by an aspect)
 * gets the advice's before steps chained in front of it (the first takes over the step's
 * needs, the step needs the last) and its after steps chained behind it (steps that needed it
 * need the last after step instead).
 *
 * @param added ids of steps added by aspects so far (advice never applies to them); updated.
 * @param warnings gets one line per advice that matched no step.
 */
export function applyAspect(steps: readonly ParsedStep[], aspect: ParsedFormula, added: Set<string>, warnings: string[]): ParsedStep[] {
  let cur = [...steps];
  for (const advice of aspect.advice) {
    const match = matcher(advice, aspect);
    const beforeOf = new Map<string, ParsedStep[]>();
    const afterOf = new Map<string, ParsedStep[]>();
    const replace = new Map<string, string>(); // target id → its last after step
    const ownerOf = new Map<string, string>(); // after step id → its target
    const out: ParsedStep[] = cur.map((s) => {
      if (added.has(s.id) || !match(s)) return s;
      const subject = subjectOf(s);
      const t = { ...s };
      let prev: string[] = s.needs;
      const before = advice.before.map((b) => {
        const x = instantiate(b, 'step', subject);
        x.needs = [...new Set([...prev, ...x.needs])];
        prev = [x.id];
        return x;
      });
      if (before.length) t.needs = prev;
      prev = [s.id];
      const after = advice.after.map((a) => {
        const x = instantiate(a, 'step', subject);
        x.needs = [...new Set([...prev, ...x.needs])];
        prev = [x.id];
        ownerOf.set(x.id, s.id);
        return x;
      });
      if (after.length) replace.set(s.id, prev[0]!);
      for (const x of [...before, ...after]) added.add(x.id);
      beforeOf.set(s.id, before);
      afterOf.set(s.id, after);
      return t;
    });
    if (!beforeOf.size) {
      warnings.push(`${advice.file}:${advice.line ?? 1}: aspect "${aspect.name}": advice ${advice.target === undefined ? '(pointcuts)' : `target "${advice.target}"`} matched no step`);
      continue;
    }
    const rewire = (s: ParsedStep): ParsedStep =>
      s.needs.some((n) => replace.has(n) && ownerOf.get(s.id) !== n)
        ? { ...s, needs: [...new Set(s.needs.map((n) => (replace.has(n) && ownerOf.get(s.id) !== n ? replace.get(n)! : n)))] }
        : s;
    cur = out.flatMap((s) => [...(beforeOf.get(s.id) ?? []), s, ...(afterOf.get(s.id) ?? [])]).map(rewire);
  }
  return cur;
}
