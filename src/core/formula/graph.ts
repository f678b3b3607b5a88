/**
 * The step graph of a cooked formula: ids unique and well-formed, every `needs` names a step,
 * no cycles, and a topological order that is stable by declaration (of the steps whose needs
 * are done, the one declared first goes first). Linear in steps + needs (a binary heap keeps
 * the ready set), so a 65,537-step hanoi chain orders in milliseconds.
 */
import { closeMatches } from '../errors.js';
import { formulaError } from './problem.js';

/** What the graph needs of a step. */
export interface GraphStep {
  /** Step id. */
  id: string;
  /** Ids of the steps it needs. */
  needs: string[];
  /** File the step was declared in, for errors. */
  file: string;
  /** 1-based line of its declaration, when known. */
  line?: number | undefined;
}

/** Step ids: letters and digits, then also `.`, `-`, `_` (`implement.refine-1`). */
export const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A min-heap of numbers. */
class Heap {
  private a: number[] = [];
  get size(): number { return this.a.length; }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      a[p] = x;
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Check the graph and order it.
 *
 * @param steps in declaration order.
 * @param formula the formula's name, for messages.
 * @returns the same step objects, needs before dependents, stable by declaration order.
 * @throws GtError FORMULA_INVALID: a malformed or duplicate id (both places named), a `needs`
 *   id that is no step (with close matches), or a cycle, shown as its path `a → b → c → a`
 *   (each step needs the next; `details.cycle` lists it).
 */
export function orderSteps<T extends GraphStep>(steps: readonly T[], formula: string): T[] {
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!STEP_ID.test(s.id)) {
      throw formulaError({ file: s.file, line: s.line, key: 'id' }, `formula "${formula}": step id "${s.id}" is not valid`,
        'use letters, digits, ".", "-" and "_", starting with a letter or digit (placeholders like {target} must be filled in)');
    }
    const prev = index.get(s.id);
    if (prev !== undefined) {
      const p = steps[prev]!;
      throw formulaError({ file: s.file, line: s.line, key: 'id' }, `formula "${formula}": two steps have id "${s.id}" (also at ${p.file}${p.line ? `:${p.line}` : ''})`,
        'give every step a unique id (an expansion or aspect may have added one with the same id)', { id: s.id });
    }
    index.set(s.id, i);
  });
  // dependents[i] = steps that need step i; pending[i] = needs of step i not yet ordered.
  const dependents: number[][] = steps.map(() => []);
  const pending = new Int32Array(steps.length);
  const needIdx: number[][] = steps.map((s, i) => {
    const out: number[] = [];
    for (const n of s.needs) {
      const j = index.get(n);
      if (j === undefined) {
        const near = closeMatches(n, index.keys());
        throw formulaError({ file: s.file, line: s.line, key: 'needs' }, `formula "${formula}": step "${s.id}" needs "${n}", which is no step of the formula`,
          near.length ? `did you mean "${near[0]}"?` : `needs names step ids of the same formula (${[...index.keys()].slice(0, 8).join(', ')}${index.size > 8 ? ', …' : ''})`,
          { step: s.id, unknown: n });
      }
      if (out.includes(j)) continue;
      out.push(j);
      dependents[j]!.push(i);
    }
    pending[i] = out.length;
    return out;
  });
  const ready = new Heap();
  for (let i = 0; i < steps.length; i++) if (pending[i] === 0) ready.push(i);
  const order: T[] = [];
  while (ready.size) {
    const i = ready.pop();
    order.push(steps[i]!);
    for (const d of dependents[i]!) if (--pending[d]! === 0) ready.push(d);
  }
  if (order.length < steps.length) throw cycleError(steps, needIdx, pending, formula);
  return order;
}

/** Find one cycle among the steps left with pending needs and describe it. */
function cycleError(steps: readonly GraphStep[], needIdx: number[][], pending: Int32Array, formula: string) {
  // Every step left has a pending need that is also left, so walking needs must revisit a step.
  let cur = pending.findIndex((p) => p > 0);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  while (!seenAt.has(cur)) {
    seenAt.set(cur, walk.length);
    walk.push(cur);
    cur = needIdx[cur]!.find((j) => pending[j]! > 0)!;
  }
  const cycle = [...walk.slice(seenAt.get(cur)!), cur].map((i) => steps[i]!.id);
  const first = steps[cur]!;
  return formulaError({ file: first.file, line: first.line, key: 'needs' }, `formula "${formula}": needs form a cycle: ${cycle.join(' → ')} (each step needs the next)`,
    `remove one of these needs so the steps can be ordered`, { cycle });
}
