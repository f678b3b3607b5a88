/**
 * The cost report of `gt costs` and the TUI header: usage entries, each attributed to the
 * session, agent, rig, bead and convoy it was for, grouped and priced. Pure.
 */
import { GtError } from '../errors.js';
import { sinceMs } from '../events/types.js';
import { costOf, findPrice, priceCommand, priceSettingKey, type Price } from './prices.js';
import { addTokens, noTokens, totalTokens, type TokenCounts, type UsageEntry } from './usage.js';

/** Ways `gt costs --by` groups usage; `session` is the default. */
export const COST_GROUPS = ['session', 'agent', 'bead', 'rig', 'convoy'] as const;
/** One of {@link COST_GROUPS}. */
export type CostGroup = (typeof COST_GROUPS)[number];

/** Who a usage entry was for. Every field is absent when unknown. */
export interface Attribution {
  /** The agent whose worktree the log's cwd is in (`app/polecats/nux`). Absent = unattributed. */
  agent?: string;
  /** The session running then (`app/polecats/nux#2`). */
  session?: string;
  /** The agent's rig ('' for town agents), or the rig whose folder holds the cwd. */
  rig?: string;
  /** The bead on the agent's hook then. */
  bead?: string;
  /** The convoy tracking that bead. */
  convoy?: string;
}

/** A usage entry with its attribution. */
export type AttributedUsage = UsageEntry & { for: Attribution };

/** Token counts with their sum (`total` = input + output + cache writes + cache reads), in tokens. */
export type TokenTotals = TokenCounts & { total: number };

/** One row of the report: the usage of one group. */
export interface CostRow {
  /** The group: a session id, agent, bead, rig or convoy; `(unattributed) <cwd>` for usage no agent had; `(no bead)`, `(no convoy)`, `(town)` for attributed usage without one. */
  key: string;
  /** The agent, when every entry of the row had the same one; null otherwise. */
  agent: string | null;
  /** The rig, when every entry had the same one; null otherwise. */
  rig: string | null;
  /** The beads the usage was for, in first-use order. */
  beads: string[];
  /** The log's working directory, for unattributed rows; null otherwise. */
  cwd: string | null;
  /** Runtimes that logged it (`claude`, `codex`, `gemini`). */
  runtimes: string[];
  /** Model ids, in first-use order. */
  models: string[];
  /** Model responses counted. */
  requests: number;
  /** Tokens. */
  tokens: TokenTotals;
  /** Cost in USD of the usage whose model has a price. */
  cost_usd: number;
  /** False when some of the usage is of a model without a price (its cost is not in `cost_usd`). */
  cost_complete: boolean;
  /** The models without a price. */
  unknown_models: string[];
  /** First and last usage, ms since the epoch. */
  first_at: number;
  last_at: number;
}

/** A model without a price, and how to give it one. */
export interface UnknownModel {
  /** The model id as logged (`(unknown model)` when the log did not name one). */
  model: string;
  /** The runtime that logged it first. */
  runtime: string;
  /** Model responses of it. */
  requests: number;
  /** Its tokens (all kinds), counted in the totals but not priced. */
  tokens: number;
  /** The setting to set (`costs.prices.gpt-9_1`). */
  setting: string;
  /** The command that sets it, with `…` for the prices (USD per million tokens). */
  command: string;
}

/** Usage and cost of one model. */
export interface ModelUsage {
  /** The model id as logged. */
  model: string;
  /** Model responses of it. */
  requests: number;
  /** Its tokens. */
  tokens: TokenTotals;
  /** Null when the model has no price. */
  cost_usd: number | null;
  /** Where its price came from, and the key that matched. */
  price?: { from: 'settings' | 'defaults'; key: string } & Price;
}

/** The whole report. */
export interface CostReport {
  /** How the rows are grouped. */
  by: CostGroup;
  /** One row per group: by cost, highest first; unattributed rows last. */
  rows: CostRow[];
  /** All usage together. */
  total: Omit<CostRow, 'key' | 'agent' | 'rig' | 'beads' | 'cwd'>;
  /** Usage and cost per model, most tokens first. */
  models: ModelUsage[];
  /** Models without a price, with the command that gives them one. */
  unknown_models: UnknownModel[];
}

function totals(t: TokenCounts): TokenTotals {
  return { ...t, total: totalTokens(t) };
}

function groupKey(e: AttributedUsage, by: CostGroup): string {
  const a = e.for;
  if (!a.agent) return `(unattributed) ${e.cwd || '(unknown cwd)'}`;
  switch (by) {
    case 'session': return a.session ?? `${a.agent} (no session)`;
    case 'agent': return a.agent;
    case 'bead': return a.bead ?? '(no bead)';
    case 'rig': return a.rig || '(town)';
    case 'convoy': return a.convoy ?? '(no convoy)';
  }
}

const pushNew = (list: string[], v: string | undefined) => { if (v && !list.includes(v)) list.push(v); };

/**
 * Group and price attributed usage.
 *
 * @param entries de-duplicated, attributed usage (any order).
 * @param options.by how to group (default `session`).
 * @param options.prices the town's `costs.prices` overrides.
 * @returns rows by cost (highest first), unattributed rows last; totals; per-model usage; the
 *   models without a price with the command that sets one.
 */
export function buildCostReport(entries: AttributedUsage[], options: { by?: CostGroup; prices?: Readonly<Record<string, Price>> } = {}): CostReport {
  const by = options.by ?? 'session';
  const priceOf = new Map<string, ReturnType<typeof findPrice>>();
  const price = (model: string) => {
    if (!priceOf.has(model)) priceOf.set(model, findPrice(model, options.prices));
    return priceOf.get(model);
  };
  type Acc = CostRow & { agents: Set<string>; rigs: Set<string> };
  const blank = (key: string): Acc => ({
    key, agent: null, rig: null, beads: [], cwd: null, runtimes: [], models: [], requests: 0, tokens: totals(noTokens()),
    cost_usd: 0, cost_complete: true, unknown_models: [], first_at: Infinity, last_at: -Infinity, agents: new Set(), rigs: new Set(),
  });
  const add = (acc: Acc, e: AttributedUsage) => {
    acc.requests++;
    addTokens(acc.tokens, e.tokens);
    acc.tokens.total = totalTokens(acc.tokens);
    pushNew(acc.runtimes, e.runtime);
    pushNew(acc.models, e.model || '(unknown model)');
    pushNew(acc.beads, e.for.bead);
    acc.agents.add(e.for.agent ?? '');
    acc.rigs.add(e.for.rig ?? '');
    acc.first_at = Math.min(acc.first_at, e.at);
    acc.last_at = Math.max(acc.last_at, e.at);
    const found = price(e.model);
    if (found) acc.cost_usd += costOf(e.tokens, found.price);
    else {
      acc.cost_complete = false;
      pushNew(acc.unknown_models, e.model || '(unknown model)');
    }
  };
  const rows = new Map<string, Acc>();
  const total = blank('');
  const models = new Map<string, ModelUsage & { runtime: string }>();
  for (const e of entries) {
    const key = groupKey(e, by);
    const row = rows.get(key) ?? rows.set(key, { ...blank(key), cwd: e.for.agent ? null : e.cwd || null }).get(key)!;
    add(row, e);
    add(total, e);
    const name = e.model || '(unknown model)';
    const m = models.get(name) ?? models.set(name, { model: name, runtime: e.runtime, requests: 0, tokens: totals(noTokens()), cost_usd: null }).get(name)!;
    m.requests++;
    addTokens(m.tokens, e.tokens);
    m.tokens.total = totalTokens(m.tokens);
    const found = price(e.model);
    if (found) {
      m.cost_usd = (m.cost_usd ?? 0) + costOf(e.tokens, found.price);
      m.price = { from: found.from, key: found.key, ...found.price };
    }
  }
  const finish = (acc: Acc): CostRow => {
    const { agents, rigs, ...row } = acc;
    const one = (s: Set<string>) => (s.size === 1 ? [...s][0] || null : null);
    return { ...row, agent: one(agents), rig: one(rigs) };
  };
  const list = [...rows.values()].map(finish).sort((a, b) =>
    Number(a.key.startsWith('(unattributed)')) - Number(b.key.startsWith('(unattributed)'))
    || b.cost_usd - a.cost_usd || b.tokens.total - a.tokens.total || a.key.localeCompare(b.key));
  const { key: _k, agent: _a, rig: _r, beads: _b, cwd: _c, ...sum } = finish(total);
  const unknown = [...models.values()].filter((m) => m.cost_usd === null).map((m): UnknownModel => ({
    model: m.model, runtime: m.runtime, requests: m.requests, tokens: m.tokens.total,
    setting: priceSettingKey(m.model), command: priceCommand(m.model),
  }));
  const byModel = [...models.values()].map(({ runtime: _rt, ...m }) => m).sort((a, b) => b.tokens.total - a.tokens.total);
  return { by, rows: list, total: entries.length ? sum : { ...sum, first_at: 0, last_at: 0 }, models: byModel, unknown_models: unknown };
}

/** Local midnight of the day holding `now` (ms since the epoch). */
export function startOfDay(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/**
 * Parse `gt costs --since`: `today` or `yesterday` (local midnight), a date `YYYY-MM-DD` (local
 * midnight), a duration back from now (`30m`, `24h`, `7d`, `2w`) or an RFC 3339 time.
 *
 * @returns the cut-off, ms since the epoch.
 * @throws GtError USAGE naming the accepted forms.
 */
export function parseCostsSince(text: string, now: number = Date.now()): number {
  const t = text.trim().toLowerCase();
  if (t === 'today') return startOfDay(now);
  if (t === 'yesterday') return startOfDay(startOfDay(now) - 1);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (date) {
    const d = new Date(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    if (d.getMonth() === Number(date[2]) - 1) return d.getTime();
  }
  const ms = sinceMs(text, now);
  if (ms !== undefined) return ms;
  throw new GtError('USAGE', `cannot read --since "${text}"`, {
    fix: 'use today, yesterday, a date (2026-12-01), a duration back from now (30m, 24h, 7d, 2w) or an RFC 3339 time (2026-12-01T09:00:00Z)',
  });
}
