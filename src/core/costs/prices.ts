/**
 * Model prices: a table of providers' published list prices (standard tier, in USD per million
 * tokens), the date they were taken, and overrides from town settings (`costs.prices.<model>`).
 *
 * Sources, read on {@link PRICES_TAKEN}:
 * - Anthropic: https://platform.claude.com/docs/en/about-claude/pricing (model pricing table:
 *   base input, 5-minute cache writes, cache hits, output) and the model overview pages
 *   (platform.claude.com/docs/…/models/opus-5-5, sonnet-5-5, opus-5, sonnet-5).
 * - OpenAI: https://developers.openai.com/api/docs/pricing and the model pages
 *   (…/api/docs/models/gpt-5-codex, codex-mini-latest); GPT-5.2 and later as listed in GitHub's
 *   per-token table github/docs `data/tables/copilot/models-and-pricing.yml`, which quotes them.
 * - Google: https://ai.google.dev/gemini-api/docs/pricing (Gemini 2.5 and 3 rows, prompts
 *   ≤ 200K tokens) and the same github/docs table for Gemini 3.1 Pro and 3.5 Flash.
 *
 * Taken from what we know of the launch prices, not re-read on that date (check them before
 * relying on them): `gpt-5.1*`, `gpt-5-nano`, `gemini-3-flash`, and the cache-read prices of
 * `gemini-2.5-*`.
 *
 * Not modelled: long-context tiers (e.g. Gemini 2.5 Pro and GPT-5.4/5.5 above 200K/272K prompt
 * tokens, Haiku 5.5 above 100K), 1-hour cache writes (priced here as 5-minute writes), batch and
 * priority tiers. A price that is wrong for you is fixed with `gt config set costs.prices.<model>`.
 */

/** Prices of one model, in USD per million tokens. */
export interface Price {
  /** Input tokens not read from or written to a cache. */
  input: number;
  /** Output tokens (reasoning included). */
  output: number;
  /** Input tokens read from a prompt cache; the input price when absent. */
  cache_read?: number;
  /** Input tokens written to a prompt cache; the input price when absent. */
  cache_write?: number;
}

/** The date the default prices were read from the providers' pages (ISO date). */
export const PRICES_TAKEN = '2026-12-03';

const p = (input: number, output: number, cache_read: number, cache_write?: number): Price =>
  ({ input, output, cache_read, ...(cache_write !== undefined ? { cache_write } : {}) });

/**
 * Default prices by model id (or the id a dated snapshot starts with: see {@link findPrice}).
 * USD per million tokens: input, output, cache read, cache write.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  // Anthropic (cache write = 5-minute write, 1.25x input)
  'claude-fable-5-1': p(10, 50, 0.25, 12.5),
  'claude-fable-5': p(10, 50, 1, 12.5),
  'claude-opus-5-5': p(4, 20, 0.2, 5),
  'claude-opus-5': p(5, 25, 0.5, 6.25),
  'claude-opus-4-8': p(5, 25, 0.5, 6.25),
  'claude-opus-4-7': p(5, 25, 0.5, 6.25),
  'claude-opus-4-6': p(5, 25, 0.5, 6.25),
  'claude-opus-4-5': p(5, 25, 0.5, 6.25),
  'claude-opus-4-1': p(15, 75, 1.5, 18.75),
  'claude-opus-4': p(15, 75, 1.5, 18.75),
  'claude-sonnet-5-5': p(2, 10, 0.2, 2.5),
  'claude-sonnet-5': p(2, 10, 0.2, 2.5),
  'claude-sonnet-4-6': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4-5': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4': p(3, 15, 0.3, 3.75),
  'claude-3-7-sonnet': p(3, 15, 0.3, 3.75),
  'claude-haiku-5-5': p(0.1, 0.5, 0.01, 0.125),
  'claude-haiku-4-5': p(1, 5, 0.1, 1.25),
  'claude-3-5-haiku': p(0.8, 4, 0.08, 1),
  'claude-3-haiku': p(0.25, 1.25, 0.03, 0.3),
  // OpenAI (no cache-write charge before GPT-5.6)
  'gpt-5.6-sol': p(5, 30, 0.5, 6.25),
  'gpt-5.6-terra': p(2, 12, 0.2, 2.5),
  'gpt-5.6-luna': p(0.2, 1.2, 0.02, 0.25),
  'gpt-5.5': p(5, 30, 0.5),
  'gpt-5.4': p(2.5, 15, 0.25),
  'gpt-5.4-mini': p(0.75, 4.5, 0.075),
  'gpt-5.4-nano': p(0.2, 1.25, 0.02),
  'gpt-5.3-codex': p(1.75, 14, 0.175),
  'gpt-5.2-codex': p(1.75, 14, 0.175),
  'gpt-5.2': p(1.75, 14, 0.175),
  'gpt-5.1-codex-max': p(1.25, 10, 0.125),
  'gpt-5.1-codex-mini': p(0.25, 2, 0.025),
  'gpt-5.1-codex': p(1.25, 10, 0.125),
  'gpt-5.1': p(1.25, 10, 0.125),
  'gpt-5-codex': p(1.25, 10, 0.125),
  'gpt-5-mini': p(0.25, 2, 0.025),
  'gpt-5-nano': p(0.05, 0.4, 0.005),
  'gpt-5': p(1.25, 10, 0.125),
  'codex-mini-latest': p(1.5, 6, 0.375),
  // Google (prompts ≤ 200K tokens; no cache-write charge per token)
  'gemini-3.5-flash': p(1.5, 9, 0.15),
  'gemini-3.1-pro': p(2, 12, 0.2),
  'gemini-3-pro': p(2, 12, 0.2),
  'gemini-3-flash': p(0.5, 3, 0.05),
  'gemini-2.5-pro': p(1.25, 10, 0.125),
  'gemini-2.5-flash-lite': p(0.1, 0.4, 0.01),
  'gemini-2.5-flash': p(0.3, 2.5, 0.03),
};

/**
 * A snapshot suffix after a priced id: a date (`-20250929`, `-2025-08-07`, `-06-05`), a stage
 * (`-preview…`, `-latest`, `-exp…`, `-customtools`), a context marker (`[1m]`) or a version tag
 * (`@…`). Anything else (`-mini`, `.1`) is a different model and must be priced on its own.
 */
const SNAPSHOT = /^(?:-\d{8}|-\d{4}-\d{2}-\d{2}|-\d{2}-\d{2}|-preview|-latest|-exp(?:-\w+)?|-customtools|\[1m\]|@[\w.-]+|-\d{3})+$/;

/** The settings key segment for a model: dots, which dotted keys cannot hold, become `_`. */
export function priceKeyOf(model: string): string {
  return model.replace(/\./g, '_');
}

/** The setting that holds a model's price override: `costs.prices.<model, dots as _>`. */
export function priceSettingKey(model: string): string {
  return `costs.prices.${priceKeyOf(model)}`;
}

/**
 * The command that sets a model's price (`…` are the USD-per-million-token prices to fill in).
 * It uses the dotted key `gt config set` takes, with the model's dots written as `_`.
 */
export function priceCommand(model: string): string {
  return `gt config set ${priceSettingKey(model)} '{"input":…,"output":…,"cache_read":…,"cache_write":…}'`;
}

/** Where a price came from. */
export interface FoundPrice {
  /** The prices (USD per million tokens). */
  price: Price;
  /** The table or settings key that matched (`claude-sonnet-4-5`, `gpt-9_1`). */
  key: string;
  /** `settings`: the town's `costs.prices`; `defaults`: {@link DEFAULT_PRICES}. */
  from: 'settings' | 'defaults';
}

function matchIn(table: Readonly<Record<string, Price>>, model: string, norm: (k: string) => string): { key: string; price: Price } | undefined {
  const m = norm(model);
  let best: { key: string; price: Price } | undefined;
  for (const [key, price] of Object.entries(table)) {
    const k = norm(key);
    if (m !== k && !(m.startsWith(k) && SNAPSHOT.test(m.slice(k.length)))) continue;
    if (!best || key.length > best.key.length) best = { key, price };
  }
  return best;
}

/**
 * The price of a model: an override in settings first, then the defaults. A key matches the
 * model itself or a dated snapshot of it (`claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`;
 * `gemini-3-pro` prices `gemini-3-pro-preview`); the longest matching key wins. Settings keys
 * match with `.` and `_` as the same character (`gpt-9_1` prices `gpt-9.1`). Case is ignored.
 *
 * @param overrides the town's `costs.prices` (model → price).
 * @returns the price, or undefined for an unknown model (or '' when the log did not say).
 */
export function findPrice(model: string, overrides: Readonly<Record<string, Price>> = {}): FoundPrice | undefined {
  if (!model) return undefined;
  const lower = (k: string) => k.toLowerCase();
  const set = matchIn(overrides, model, (k) => priceKeyOf(k).toLowerCase());
  if (set) return { ...set, from: 'settings' };
  const def = matchIn(DEFAULT_PRICES, model, lower);
  return def ? { ...def, from: 'defaults' } : undefined;
}

/**
 * Cost in USD of some tokens at a price: (input × input + output × output + cache reads ×
 * cache_read + cache writes × cache_write) / 1,000,000, a missing cache price being the input price.
 */
export function costOf(tokens: { input: number; output: number; cache_read: number; cache_write: number }, price: Price): number {
  return (tokens.input * price.input + tokens.output * price.output
    + tokens.cache_read * (price.cache_read ?? price.input) + tokens.cache_write * (price.cache_write ?? price.input)) / 1_000_000;
}
