/**
 * `npm run bench -- formula`: a towers-of-hanoi molecule of 1,023 moves (10 disks; 1,025 steps
 * with setup and verify) cooked and poured into a real town (goal ≤ 2 s), and `gt mol current`
 * on it through the built bin, wall time (goal ≤ 200 ms), with `node -e 0` as the reference run
 * in the same process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cookFormula } from '../src/core/formula/cook.js';
import { formulaDirs } from '../src/store/formula/dirs.js';
import { formulaResolver, loadFormula } from '../src/store/formula/load.js';
import { pourMolecule } from '../src/store/molecules.js';
import { installTown, openTown } from '../src/store/town/town.js';
import { fmtMs, fmtRatio, measure, printTable, summarize } from './stats.js';

const GT_BIN = resolve(import.meta.dirname, '..', 'bin', 'gt.js');

/** Run the formula benchmark and print its tables. */
export async function benchFormula(): Promise<void> {
  console.log('\n== formula benchmark ==');
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-formula-'));
  try {
    const root = join(dir, 'town');
    await installTown(root, { name: 'bench', owner: 'overseer' });
    const town = openTown(root);
    const dirs = formulaDirs({ townRoot: root });
    const parsed = loadFormula('towers-of-hanoi', dirs);
    let steps = 0;
    const cook = measure(() => { steps = cookFormula(parsed, { disks: '10' }, { resolve: formulaResolver(dirs) }).steps.length; }, { runs: 20, warmup: 2 });
    const roots: string[] = [];
    const cookPour = measure(() => {
      const cooked = cookFormula(parsed, { disks: '10' }, { resolve: formulaResolver(dirs) });
      roots.push(pourMolecule(town, cooked, { actor: 'overseer' }).root);
    }, { runs: 10, warmup: 1 });
    town.close();
    const env = { ...process.env, GT_TOWN: root, BD_ACTOR: 'overseer', NODE_ENV: 'production' };
    const node = measure(() => { execFileSync(process.execPath, ['-e', '0']); }, { runs: 10, warmup: 1 });
    const current = measure(() => { execFileSync(process.execPath, [GT_BIN, 'mol', 'current', roots[0]!, '--json'], { env, maxBuffer: 64 * 1024 * 1024 }); }, { runs: 10, warmup: 1 });
    const progress = measure(() => { execFileSync(process.execPath, [GT_BIN, 'mol', 'progress', roots[0]!], { env }); }, { runs: 10, warmup: 1 });
    const row = (name: string, samples: number[], goal: string, ref?: number) => {
      const s = summarize(samples);
      return [name, fmtMs(s.median), fmtMs(s.p95), ref ? fmtRatio(s.median / ref) : '', goal];
    };
    const nodeMedian = summarize(node).median;
    printTable(`towers-of-hanoi, 10 disks (${steps} steps)`, ['operation', { header: 'median ms', align: 'right' }, { header: 'p95 ms', align: 'right' }, { header: 'vs node -e 0', align: 'right' }, 'goal'], [
      row('cook (parse once, cook)', cook, ''),
      row('cook + pour into town.db', cookPour, '≤ 2,000 ms'),
      row('node -e 0 (reference)', node, '', nodeMedian),
      row('gt mol current <id> --json (wall)', current, '≤ 200 ms', nodeMedian),
      row('gt mol progress <id> (wall)', progress, '', nodeMedian),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
