// Cooked formulas built by hand (the formula cooker is another module): the CookedFormula
// contract of src/core/formula/types.ts, as the molecule layer receives it.
import type { CookedFormula, CookedStep } from '../../src/core/formula/types.js';

/** A step: id, needs, and any other field. */
export function step(id: string, needs: string[] = [], extra: Partial<CookedStep> = {}): CookedStep {
  return { id, title: `Do ${id}`, description: `how to do ${id}`, needs, type: 'task', priority: 2, ...extra };
}

/** A workflow formula with these steps. */
export function formula(name: string, steps: CookedStep[], extra: Partial<CookedFormula> = {}): CookedFormula {
  return {
    name, type: 'workflow', description: `the ${name} formula`, version: 1,
    source: { file: `/formulas/${name}.formula.toml`, origin: 'town' }, vars: {}, steps, warnings: [], ...extra,
  };
}

/** A linear chain s1 → s2 → … → sN (each step needs the one before). */
export function chain(n: number, name = `chain-${n}`): CookedFormula {
  return formula(name, Array.from({ length: n }, (_, i) => step(`s${i + 1}`, i ? [`s${i}`] : [])));
}
