/**
 * `gt costs` and the TUI header's figure of the day: read the runtimes' logs ({@link scanLogs}),
 * count each response once (`dedupeUsage`), attribute it to the town's sessions, agents and beads
 * ({@link attributeUsage}) and price it with the town's `costs.prices` over the defaults.
 */
import { buildCostReport, startOfDay, type CostGroup, type CostReport } from '../../core/costs/report.js';
import { dedupeUsage, totalTokens, type LogWarning } from '../../core/costs/usage.js';
import type { Town } from '../town/town.js';
import { attributeUsage } from './attribution.js';
import { LogCache, scanLogs, type LogSource } from './logs.js';

/** Options of {@link collectCosts}. */
export interface CollectOptions {
  /** Environment whose `HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME`, `GEMINI_CLI_HOME` locate the logs. */
  env: NodeJS.ProcessEnv;
  /** Only usage at or after this time (ms since the epoch). */
  since?: number;
  /** Grouping (default `session`). */
  by?: CostGroup;
  /** Re-use parses of files that did not change (the TUI keeps one). */
  cache?: LogCache;
}

/** What {@link collectCosts} found. */
export interface CollectedCosts {
  /** Usage grouped and priced. */
  report: CostReport;
  /** Problems in the logs, as `file:line: what`; the rest was counted. */
  warnings: LogWarning[];
  /** The folders read per runtime. */
  sources: LogSource[];
}

/** The folders whose usage counts: the town root and every session's working directory. */
function rootsOf(town: Town): string[] {
  const cwds = town.db.prepare("SELECT DISTINCT cwd FROM sessions WHERE cwd <> ''").pluck().all() as string[];
  return [town.root, ...cwds];
}

/**
 * The town's token usage and cost from the runtimes' own logs.
 *
 * @throws GtError CONFIG_INVALID when the town settings file is broken (prices come from it).
 */
export async function collectCosts(town: Town, options: CollectOptions): Promise<CollectedCosts> {
  const prices = town.settings().costs?.prices ?? {};
  const scan = await scanLogs({ env: options.env, roots: rootsOf(town), ...(options.since !== undefined ? { since: options.since } : {}), ...(options.cache ? { cache: options.cache } : {}) });
  const since = options.since;
  const entries = dedupeUsage(scan.entries).filter((e) => since === undefined || e.at >= since);
  const report = buildCostReport(attributeUsage(town, entries), { by: options.by ?? 'session', prices });
  return { report, warnings: scan.warnings, sources: scan.sources };
}

/** The day's figure for the TUI header. */
export interface DayCosts {
  /** Cost in USD of the day's usage whose model has a price. */
  usd: number;
  /** Every token of the day (input, output, cache writes and reads). */
  tokens: number;
  /** False when some usage is of a model without a price. */
  complete: boolean;
  /** Model responses counted. */
  requests: number;
  /** When it was computed (ms since the epoch). */
  at: number;
}

/**
 * Today's (since local midnight) usage and cost, re-reading only logs whose size or mtime changed
 * since the last call with the same `cache`.
 */
export async function dayCosts(town: Town, env: NodeJS.ProcessEnv, cache: LogCache, now: number = Date.now()): Promise<DayCosts> {
  const { report } = await collectCosts(town, { env, since: startOfDay(now), cache });
  const t = report.total;
  return { usd: t.cost_usd, tokens: totalTokens(t.tokens), complete: t.cost_complete, requests: t.requests, at: now };
}

export { LogCache };
