import { describe, expect, it } from 'vitest';
import { landBatch, landOneAtATime, type StackTester } from '../../src/core/refinery/bisect.js';
import { orderQueue, priorityScore } from '../../src/core/refinery/queue.js';

/** An oracle: a stack passes iff the base is fine and no culprit is in it. */
function oracle(culprits: Set<number>, baseOk = true): StackTester<number> & { calls: number[][] } {
  const calls: number[][] = [];
  const fn = (async (stack: readonly number[]) => {
    calls.push([...stack]);
    return { passed: baseOk && !stack.some((x) => culprits.has(x)), tip: `tip-${stack.join('.')}` };
  }) as StackTester<number> & { calls: number[][] };
  fn.calls = calls;
  return fn;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('landBatch', () => {
  it('lands a good batch with one gate run', async () => {
    const r = await landBatch(range(5), oracle(new Set()));
    expect(r).toMatchObject({ landed: [0, 1, 2, 3, 4], culprits: [], runs: 1, tip: 'tip-0.1.2.3.4', preexisting: false });
  });

  it.each([2, 3, 4, 5, 8, 16, 32])('finds one culprit among %i at any position within 1 + 2·⌈log2 n⌉ runs', async (n) => {
    const bound = 1 + 2 * Math.ceil(Math.log2(n));
    for (const bad of range(n)) {
      const r = await landBatch(range(n), oracle(new Set([bad])));
      expect(r.culprits).toEqual([bad]);
      expect(r.landed).toEqual(range(n).filter((x) => x !== bad));
      expect(r.runs).toBeLessThanOrEqual(bound);
      expect(r.tip).toBe(`tip-${r.landed.join('.')}`); // the tip landed is the tested stack of exactly the landed items
    }
  });

  it('finds several culprits and keeps batch order', async () => {
    for (const bad of [[0, 7], [3, 4], [1, 2, 5], [0, 1, 2, 3, 4, 5, 6, 7]]) {
      const r = await landBatch(range(8), oracle(new Set(bad)));
      expect(r.culprits.sort()).toEqual(bad);
      expect(r.landed).toEqual(range(8).filter((x) => !bad.includes(x)));
    }
  });

  it('every test runs on top of what already landed (the known-good base grows)', async () => {
    const o = oracle(new Set([5]));
    await landBatch(range(8), o);
    for (const stack of o.calls) expect(stack).toEqual([...stack].sort((a, b) => a - b));
  });

  it('a base that fails the gates is a pre-existing failure: nothing blamed, nothing landed', async () => {
    const r = await landBatch(range(8), oracle(new Set(), false));
    expect(r).toMatchObject({ landed: [], culprits: [], preexisting: true });
    expect(r.runs).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(8)) + 2);
  });

  it('a base known good is not tested alone', async () => {
    const o = oracle(new Set([0]));
    const r = await landBatch([0], o, true);
    expect(r).toMatchObject({ culprits: [0], runs: 1 });
    const o2 = oracle(new Set([0]));
    const r2 = await landBatch([0], o2, false);
    expect(r2).toMatchObject({ culprits: [0], runs: 2 });
    expect(o2.calls[1]).toEqual([]);
  });

  it('one-at-a-time costs one run per item', async () => {
    const r = await landOneAtATime(range(16), oracle(new Set([3])));
    expect(r).toMatchObject({ runs: 16, culprits: [3] });
  });
});

describe('queue order', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('puts urgent beads first, lets retried MRs yield (bounded), and breaks ties by age', () => {
    const items = [
      { id: 'a', priority: 2, retries: 0, created_at: '2026-06-01T11:00:00Z' },
      { id: 'b', priority: 0, retries: 0, created_at: '2026-06-01T11:30:00Z' },
      { id: 'c', priority: 2, retries: 3, created_at: '2026-06-01T10:00:00Z' },
      { id: 'd', priority: 2, retries: 0, created_at: '2026-06-01T09:00:00Z' },
    ];
    expect(orderQueue(items, now).map((x) => x.id)).toEqual(['b', 'd', 'a', 'c']);
    expect(priorityScore({ id: 'x', priority: 4, retries: 100, created_at: '2026-06-01T12:00:00Z' }, now)).toBe(700);
    expect(priorityScore({ id: 'y', priority: 2, retries: 0, created_at: '2026-06-01T12:00:00Z', convoy_created_at: '2026-06-01T02:00:00Z' }, now)).toBe(1300);
  });
});
