/**
 * Benchmark dispatcher: `tsx bench/run.ts [name...]` (or `npm run bench -- [name...]`).
 *
 * Runs the named benchmarks in the order given; no name runs every known one. An unknown
 * name prints the known ones and exits with status 2. Benchmarks print; they never assert.
 */
import { benchAgents } from './agents.js';
import { benchFormula } from './formula.js';
import { benchLedger } from './ledger.js';
import { benchRefinery } from './refinery.js';
import { benchSessions } from './sessions.js';
import { benchTui } from './tui.js';

/** Known benchmarks by name. */
const BENCHMARKS: Readonly<Record<string, () => Promise<void>>> = {
  ledger: benchLedger,
  sessions: benchSessions,
  refinery: benchRefinery,
  tui: benchTui,
  formula: benchFormula,
  agents: benchAgents,
};

async function main(argv: string[]): Promise<number> {
  const known = Object.keys(BENCHMARKS);
  const asked = argv.filter((a) => a !== '--');
  const unknown = asked.filter((a) => !Object.hasOwn(BENCHMARKS, a));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\nknown: ${known.join(', ')}\n`);
    return 2;
  }
  const names = asked.length ? [...new Set(asked)] : known;
  for (const name of names) await BENCHMARKS[name]!();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
