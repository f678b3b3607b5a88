// The molecule part of `gt prime`: a window of the steps (never all 1,023), and what to run next.
import { describe, expect, it } from 'vitest';
import { moleculeLines, type PrimeMolecule, type PrimeMoleculeStep } from '../../src/core/work/prime.js';

function molecule(states: Array<PrimeMoleculeStep['status']>, extra: Partial<PrimeMolecule> = {}): PrimeMolecule {
  const steps = states.map((status, i): PrimeMoleculeStep => ({ id: `dm-abc.${i + 1}`, step_id: `s${i + 1}`, title: `Move ${i + 1}`, status }));
  const next = steps.find((s) => s.status === 'current') ?? steps.find((s) => s.status === 'ready');
  return {
    id: 'dm-abc', title: 'hanoi', formula: 'hanoi', wisp: true, completed: states.filter((s) => s === 'done').length, total: states.length,
    complete: states.every((s) => s === 'done'), next: next ? { id: next.id, step_id: next.step_id, title: next.title, status: next.status } : null, steps, ...extra,
  };
}

describe('moleculeLines', () => {
  it('shows the last done steps, the current one, the first ready and blocked ones, and counts the rest', () => {
    const states: Array<PrimeMoleculeStep['status']> = [...Array(500).fill('done'), 'current', ...Array(12).fill('ready'), ...Array(510).fill('blocked')];
    const lines = moleculeLines(molecule(states), 'polecat');
    expect(lines[0]).toBe('## Your molecule: dm-abc — hanoi (500/1023 steps done)');
    const list = lines.filter((l) => l.startsWith('- '));
    expect(list).toEqual([
      '- … 497 earlier steps done',
      '- [done] dm-abc.498 s498: Move 498', '- [done] dm-abc.499 s499: Move 499', '- [done] dm-abc.500 s500: Move 500',
      '- [current] dm-abc.501 s501: Move 501',
      ...Array.from({ length: 10 }, (_, i) => `- [ready] dm-abc.${502 + i} s${502 + i}: Move ${502 + i}`),
      '- … 2 more ready',
      ...Array.from({ length: 5 }, (_, i) => `- [blocked] dm-abc.${514 + i} s${514 + i}: Move ${514 + i}`),
      '- … 505 more waiting',
    ]);
    expect(lines.join('\n')).toContain('When it is done, run `gt bd close dm-abc.501 --continue`');
  });

  it('says when everything is done, and when only a person or a gate can go on', () => {
    expect(moleculeLines(molecule(['done', 'done']), 'polecat').join('\n')).toContain('All 2 steps are done. Run `gt done`.');
    expect(moleculeLines(molecule(['done', 'done']), 'crew').join('\n')).not.toContain('gt done');
    const waiting = moleculeLines(molecule(['done', 'ready'], { next: null, steps: [{ id: 'dm-abc.1', step_id: 's1', title: 'a', status: 'done' }, { id: 'dm-abc.2', step_id: 'sign', title: 'Sign off', status: 'ready', human: true }] }), 'polecat');
    expect(waiting).toContain('- [ready] dm-abc.2 sign: Sign off (a person\'s step)');
    expect(waiting.join('\n')).toContain('No step is ready for you');
  });
});
