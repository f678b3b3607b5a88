/**
 * Batch-then-bisect (Bors style; Gas Town's unused `refinery/batch.go`, gastown-features.md §3.6),
 * as deterministic code over a test oracle.
 *
 * The whole batch is tested once on the known-good base. On failure it is split in halves; a half
 * that passes lands (joins the known-good base) and the other half is then known to fail, so it
 * is split without a test of its own; a half that fails is split the same way and the other half
 * is tested afterwards on top of whatever landed. A single item that fails on a known-good base is
 * a culprit. With one culprit among n items this costs at most 1 + 2·⌈log2 n⌉ gate runs; with none,
 * exactly one.
 *
 * The base is "known good" once any test on top of it passed (items only add to it), or when the
 * caller knows (a base the refinery produced itself). An item that fails alone on a base not yet
 * known good is only a suspect; it is blamed once a later test passes. When a second item fails
 * alone, or nothing passed by the end, the base alone is tested once: if it fails, that is a
 * pre-existing failure and no item is blamed.
 */

/** What the oracle reports for one test: pass or fail, and the tip it tested (to land exactly it). */
export interface TestOutcome {
  passed: boolean;
  /** The commit the gates ran on. */
  tip?: string;
}

/**
 * Test the known-good items plus a candidate subset, in order, on the base: build that stack and
 * run the gates. `stack` is the full list to apply on the base.
 */
export type StackTester<T> = (stack: readonly T[]) => Promise<TestOutcome>;

/** The result of {@link landBatch}. */
export interface BatchResult<T> {
  /** Items that passed, in batch order (minus culprits); land {@link tip}. */
  landed: T[];
  /** Items that fail the gates on a good base. */
  culprits: T[];
  /** The tip of the last passing test (= the stack of `landed`), or undefined when none passed. */
  tip: string | undefined;
  /** Gate runs used (each oracle call is one run). */
  runs: number;
  /** True when the base itself fails the gates: nothing was blamed or landed. */
  preexisting: boolean;
}

/**
 * Land as much of a batch as passes, finding the culprits by bisection.
 *
 * @param items the batch, in merge order.
 * @param test the oracle.
 * @param baseKnownGood the caller knows the base passes (skips the base check).
 */
export async function landBatch<T>(items: readonly T[], test: StackTester<T>, baseKnownGood = false): Promise<BatchResult<T>> {
  const good: T[] = [];
  const culprits: T[] = [];
  let runs = 0;
  let tip: string | undefined;
  let baseGood = baseKnownGood;

  const tryStack = async (subset: readonly T[]): Promise<boolean> => {
    runs++;
    const r = await test([...good, ...subset]);
    if (r.passed) {
      baseGood = true;
      tip = r.tip;
      good.push(...subset);
    }
    return r.passed;
  };

  // Items that failed alone while the base was not yet known to pass: blamed once any test on
  // the base passes (then the base is good), or after one test of the base alone at the end.
  const suspects: T[] = [];
  let preexisting = false;

  const checkBase = async (): Promise<void> => {
    runs++;
    const base = await test([...good]);
    if (base.passed) baseGood = true;
    else preexisting = true;
  };

  const solve = async (subset: readonly T[], knownToFail: boolean): Promise<void> => {
    if (!subset.length || preexisting) return;
    if (!knownToFail && (await tryStack(subset))) return;
    if (subset.length === 1) {
      if (baseGood) culprits.push(subset[0]!);
      else {
        suspects.push(subset[0]!);
        // Two items failing alone in a row on an unproven base: suspect the base, not them.
        if (suspects.length >= 2) await checkBase();
      }
      return;
    }
    const mid = Math.ceil(subset.length / 2);
    const left = subset.slice(0, mid);
    const right = subset.slice(mid);
    if (await tryStack(left)) {
      await solve(right, true); // left is fine and the whole failed: the fault is in the right half
    } else {
      await solve(left, true);
      await solve(right, false);
    }
  };

  await solve(items, false);
  if (suspects.length && !baseGood && !preexisting) await checkBase();
  if (preexisting) return { landed: [], culprits: [], tip: undefined, runs, preexisting: true };
  const order = new Map(items.map((x, i) => [x, i]));
  const blamed = [...suspects, ...culprits].sort((a, b) => order.get(a)! - order.get(b)!);
  // `good` grew left to right, so it is in batch order and is exactly the stack of `tip`.
  return { landed: good, culprits: blamed, tip, runs, preexisting: false };
}

/**
 * The one-at-a-time strategy Gas Town runs today (each MR tested alone on the current target,
 * merged if it passes): for comparison in benchmarks. Costs exactly one run per item.
 */
export async function landOneAtATime<T>(items: readonly T[], test: StackTester<T>): Promise<BatchResult<T>> {
  const landed: T[] = [];
  const culprits: T[] = [];
  let tip: string | undefined;
  let runs = 0;
  for (const item of items) {
    runs++;
    const r = await test([...landed, item]);
    if (r.passed) {
      landed.push(item);
      tip = r.tip;
    } else culprits.push(item);
  }
  return { landed, culprits, tip, runs, preexisting: false };
}
