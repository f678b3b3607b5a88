// A 1,023-step chain (towers-of-hanoi-10 size, beads.md §7): it pours in one transaction and
// `gt mol current` reads it with two queries. Timings are printed, never asserted
// (CONVENTIONS.md: tests never assert wall-clock times).
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { closeAndContinue } from '../../src/store/molecule-lifecycle.js';
import { loadMolecule, moleculeProgressJson } from '../../src/store/molecule-progress.js';
import { pourMolecule } from '../../src/store/molecules.js';
import { readyWork } from '../../src/store/sqlite/ledger-query.js';
import { GT_BIN, runBin } from '../cli/helpers.js';
import { useWorld } from '../work/helpers.js';
import { chain } from './helpers.js';

const t = useWorld();

describe('a 1,023-step molecule', () => {
  it('pours, shows one ready step, answers mol current, and continues', async () => {
    const big = chain(1023, 'towers-of-hanoi-10');
    const t0 = performance.now();
    const m = pourMolecule(t.w.town, big, { actor: 'mayor', rig: 'demo' });
    const pourMs = performance.now() - t0;
    expect(m.steps.length).toBe(1023);
    expect(t.w.town.db.prepare("SELECT count(*) FROM dependencies WHERE depends_on_id = ? AND type = 'parent-child'").pluck().get(m.root)).toBe(1023);
    expect(t.w.town.db.prepare("SELECT count(*) FROM dependencies WHERE issue_id LIKE ? AND type = 'blocks'").pluck().get(`${m.root}.%`)).toBe(1022);
    expect(readyWork(t.w.town.db, { limit: 0 }).map((i) => i.id).filter((i) => i.startsWith(m.root))).toEqual([`${m.root}.1`]);

    const t1 = performance.now();
    const view = loadMolecule(t.w.town.db, m.root, 'dm');
    const progress = moleculeProgressJson(view);
    const readMs = performance.now() - t1;
    expect(progress.total).toBe(1023);
    expect(progress.steps.map((s) => s.status).slice(0, 3)).toEqual(['ready', 'blocked', 'blocked']);
    expect(progress.steps[1022]!.issue.id).toBe(`${m.root}.1023`);

    const t2 = performance.now();
    const r = closeAndContinue(t.w.ledger, `${m.root}.1`);
    const continueMs = performance.now() - t2;
    expect(r.continue?.next_step?.id).toBe(`${m.root}.2`);

    const t3 = performance.now();
    const cli = await runBin(GT_BIN, ['mol', 'current', m.root, '--json'], { env: { GT_TOWN: t.w.root } });
    const cliMs = performance.now() - t3;
    expect(cli.code, cli.err).toBe(0);
    const [p] = cli.json<Array<{ total: number; completed: number; current_step?: { id: string } }>>();
    expect(p).toMatchObject({ total: 1023, completed: 1, current_step: { id: `${m.root}.2` } });
    const t4 = performance.now();
    const text = await runBin(GT_BIN, ['mol', 'current', m.root], { env: { GT_TOWN: t.w.root } });
    const textMs = performance.now() - t4;
    expect(text.out).toContain('Progress: 1/1023 steps complete (0%)');
    console.log([
      `pour 1,023 steps: ${pourMs.toFixed(0)} ms`,
      `load + MoleculeProgress in process: ${readMs.toFixed(1)} ms`,
      `close --continue in process: ${continueMs.toFixed(1)} ms`,
      `gt mol current --json (process wall): ${cliMs.toFixed(0)} ms`,
      `gt mol current text (process wall): ${textMs.toFixed(0)} ms`,
    ].join('\n'));
  });
});
