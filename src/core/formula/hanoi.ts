/**
 * Towers of Hanoi: a generated workflow of 2^n − 1 moves in one `needs` chain, between a
 * `setup` and a `verify` step. Gas Town ships pre-computed files (`towers-of-hanoi-10`: 1,025
 * steps, 149 KB) as durability proofs for long multi-session molecules; we generate the moves
 * at cook time instead (`generator = "hanoi"`, var `disks`), so any size up to 16 disks
 * (65,535 moves) is one small file.
 */
import { GtError } from '../errors.js';
import type { ParsedFormula, ParsedStep } from './parsed.js';

/** Most disks the generator accepts (65,535 moves). */
export const HANOI_MAX_DISKS = 16;

/** Peg names of a hanoi puzzle. */
export interface HanoiPegs {
  /** Where the disks start (default `A`). */
  source: string;
  /** Where they must end (default `C`). */
  target: string;
  /** The third peg (default `B`). */
  spare: string;
}

const DEFAULT_PEGS: HanoiPegs = { source: 'A', target: 'C', spare: 'B' };

/**
 * The steps of an n-disk puzzle: `setup`, `move-1` … `move-<2^n − 1>`, `verify`, each needing
 * the one before.
 *
 * @param disks 1 … {@link HANOI_MAX_DISKS}.
 * @param file named in the steps (for errors).
 * @throws GtError VAR_INVALID when `disks` is not a whole number in range.
 */
export function hanoiSteps(disks: number, pegs: HanoiPegs = DEFAULT_PEGS, file = '<hanoi>'): ParsedStep[] {
  if (!Number.isInteger(disks) || disks < 1 || disks > HANOI_MAX_DISKS) {
    throw new GtError('VAR_INVALID', `towers of hanoi: disks = ${disks} is not a whole number from 1 to ${HANOI_MAX_DISKS}`, {
      fix: `pass --var disks=<1..${HANOI_MAX_DISKS}> (10 disks = 1,023 moves)`,
      details: { var: 'disks', value: disks, min: 1, max: HANOI_MAX_DISKS },
    });
  }
  const total = 2 ** disks - 1;
  const steps: ParsedStep[] = [{
    id: 'setup',
    title: 'Check the starting position',
    description: `${disks} disk(s) are stacked on peg ${pegs.source}, largest at the bottom; pegs ${pegs.spare} and ${pegs.target} are empty. ${total} moves follow.`,
    needs: [],
    file,
  }];
  let prev = 'setup';
  // Iterative solution (no recursion, no move list in memory): move k moves disk
  // d = 1 + trailing zeros of k, from peg (k & (k − 1)) % 3 to ((k | (k − 1)) + 1) % 3, with
  // pegs numbered source, spare, target for an odd disk count and source, target, spare for an
  // even one (so the smallest disk's first move goes to the target when n is odd).
  const order = disks % 2 === 1 ? [pegs.source, pegs.spare, pegs.target] : [pegs.source, pegs.target, pegs.spare];
  for (let k = 1; k <= total; k++) {
    const disk = 1 + Math.log2(k & -k);
    const from = order[(k & (k - 1)) % 3]!;
    const to = order[((k | (k - 1)) + 1) % 3]!;
    const id = `move-${k}`;
    steps.push({
      id,
      title: `Move disk ${disk}: ${from} → ${to}`,
      description: `Move ${disk === 1 ? 'the smallest disk' : disk === disks ? 'the largest disk' : `disk ${disk}`} from peg ${from} to peg ${to}. Move ${k} of ${total}.`,
      needs: [prev],
      file,
    });
    prev = id;
  }
  steps.push({
    id: 'verify',
    title: 'Check the final position',
    description: `All ${disks} disk(s) are on peg ${pegs.target}, largest at the bottom, and every move put a smaller disk on a larger one.`,
    needs: [prev],
    file,
  });
  return steps;
}

/**
 * Generate the steps of a formula with `generator = "hanoi"` from its vars: `disks`
 * (default 3) and optional `source_peg`, `target_peg`, `spare_peg`.
 *
 * @throws GtError VAR_INVALID for a bad `disks`.
 */
export function hanoiGenerator(vars: Readonly<Record<string, string>>, file: string): ParsedStep[] {
  const raw = vars.disks || '3';
  const disks = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  return hanoiSteps(disks, {
    source: vars.source_peg || DEFAULT_PEGS.source,
    target: vars.target_peg || DEFAULT_PEGS.target,
    spare: vars.spare_peg || DEFAULT_PEGS.spare,
  }, file);
}

/**
 * A ready-made workflow formula for an n-disk puzzle (no vars; for tests and benchmarks).
 *
 * @throws GtError VAR_INVALID when `disks` is out of range.
 */
export function hanoiFormula(disks: number, pegs: HanoiPegs = DEFAULT_PEGS): ParsedFormula {
  const file = `<towers-of-hanoi-${disks}>`;
  return {
    name: `towers-of-hanoi-${disks}`,
    type: 'workflow',
    description: `Towers of Hanoi with ${disks} disk(s): ${2 ** disks - 1} moves in one chain.`,
    version: 1,
    source: { file, origin: 'file' },
    extends: [],
    vars: [],
    steps: hanoiSteps(disks, pegs, file),
    template: [],
    compose: { aspects: [], expand: [] },
    advice: [],
    pointcuts: [],
    legs: [],
    warnings: [],
    raw: {},
  };
}
