/**
 * `gt costs [--by session|agent|bead|rig|convoy] [--since <when>] [--json]` (issue #11 part 5):
 * token usage and cost per session, read from each runtime's own logs (Claude Code transcripts,
 * Codex rollouts, Gemini CLI chats), attributed to the bead on the agent's hook at the time, and
 * priced from `costs.prices` in the town settings over the defaults of `core/costs/prices.ts`.
 *
 * A malformed log line is reported on stderr as `file:line: what` and the rest is counted; a
 * model without a price is counted in tokens, its cost shown as unknown with the command that
 * sets its price.
 */
import type { Command } from 'commander';
import { isAbsolute, relative } from 'node:path';
import { PRICES_TAKEN } from '../../core/costs/prices.js';
import { COST_GROUPS, parseCostsSince, type CostGroup, type CostReport, type CostRow } from '../../core/costs/report.js';
import { formatWarning } from '../../core/costs/usage.js';
import { inert, pad } from '../../core/text.js';
import { collectCosts, type CollectedCosts } from '../../store/costs/costs.js';
import { withTown } from '../../store/town/town.js';
import { action, usage, type CliContext } from '../context.js';
import { printJson, printLines } from '../output.js';

interface CostsOptions {
  by?: string;
  since?: string;
  json?: boolean;
}

const num = (n: number) => n.toLocaleString('en-US');

/** USD as shown: `$12.34`, `$0.0123` under a dollar, `?` when unknown, `+?` when partly unknown. */
export function money(usd: number, complete: boolean, anyKnown = true): string {
  if (!complete && !anyKnown) return '?';
  const text = `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
  return complete ? text : `${text}+?`;
}

const HEAD: Record<CostGroup, string> = { session: 'SESSION', agent: 'AGENT', bead: 'BEAD', rig: 'RIG', convoy: 'CONVOY' };

/** A row's name as shown: an unattributed cwd relative to the town root when it is inside it. */
function shownKey(x: CostRow, root: string): string {
  if (!x.cwd || !x.key.startsWith('(unattributed)')) return x.key;
  const rel = relative(root, x.cwd);
  return `(unattributed) ${rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : x.cwd}`;
}

/**
 * The report as a table and notes, one string per line.
 *
 * @param since the `--since` text, repeated in the notes.
 * @param root the town root (unattributed folders are shown relative to it).
 */
export function costLines(c: CollectedCosts, since: string | undefined, root: string): string[] {
  const r = c.report;
  if (!r.rows.length) {
    const where = c.sources.map((s) => `${s.runtime}: ${s.dir}${s.exists ? '' : ' (none)'}`).join(', ');
    return [`No token usage${since ? ` since ${since}` : ''} in the runtimes' logs (${where}).`];
  }
  const keyW = Math.min(48, Math.max(HEAD[r.by].length, ...r.rows.map((x) => [...inert(shownKey(x, root))].length)));
  const extra = r.by === 'session' || r.by === 'agent' ? 'BEADS' : r.by === 'bead' ? 'AGENT' : '';
  const extraOf = (x: CostRow) => (r.by === 'bead' ? x.agent ?? '' : x.beads.join(','));
  const extraW = extra ? Math.min(24, Math.max(extra.length, ...r.rows.map((x) => extraOf(x).length))) : 0;
  const cols = ['REQ', 'INPUT', 'OUTPUT', 'CACHE W', 'CACHE R', 'TOTAL', 'COST'];
  const cells = (x: Pick<CostRow, 'requests' | 'tokens' | 'cost_usd' | 'cost_complete' | 'models' | 'unknown_models'>) => [
    num(x.requests), num(x.tokens.input), num(x.tokens.output), num(x.tokens.cache_write), num(x.tokens.cache_read), num(x.tokens.total),
    money(x.cost_usd, x.cost_complete, x.unknown_models.length < x.models.length),
  ];
  const body = r.rows.map((x) => ({ left: [pad(inert(shownKey(x, root)), keyW), ...(extra ? [pad(inert(extraOf(x)), extraW)] : [])], right: cells(x), models: x.models }));
  const totalRight = cells(r.total);
  const widths = cols.map((h, i) => Math.max(h.length, totalRight[i]!.length, ...body.map((b) => b.right[i]!.length)));
  const line = (left: string[], right: string[], models: string) => [...left, ...right.map((v, i) => v.padStart(widths[i]!)), models].join('  ').trimEnd();
  const lines = [line([pad(HEAD[r.by], keyW), ...(extra ? [pad(extra, extraW)] : [])], cols, 'MODELS')];
  for (const b of body) lines.push(line(b.left, b.right, inert(b.models.join(', '))));
  lines.push(line([pad('TOTAL', keyW), ...(extra ? [pad('', extraW)] : [])], totalRight, ''));
  lines.push('');
  const overridden = r.models.filter((m) => m.price?.from === 'settings').map((m) => m.model);
  lines.push(`Tokens from the runtimes' own logs${since ? ` since ${since}` : ''}; cost in USD at list prices taken ${PRICES_TAKEN}${overridden.length ? ` (costs.prices in settings for ${overridden.join(', ')})` : ''}.`);
  for (const u of r.unknown_models) {
    lines.push(`No price for model "${inert(u.model)}" (${u.runtime}, ${num(u.tokens)} tokens): counted in tokens, cost unknown — set it (USD per million tokens): ${inert(u.command)}`);
  }
  return lines;
}

/** The `--json` shape: raw token counts as well as cost. */
export function costsJson(c: CollectedCosts, since: number | undefined): Record<string, unknown> {
  const r: CostReport = c.report;
  return {
    schema_version: 1,
    by: r.by,
    since: since === undefined ? null : new Date(since).toISOString(),
    prices_taken: PRICES_TAKEN,
    rows: r.rows.map((x) => ({ ...x, first_at: new Date(x.first_at).toISOString(), last_at: new Date(x.last_at).toISOString() })),
    total: { ...r.total, first_at: r.total.requests ? new Date(r.total.first_at).toISOString() : null, last_at: r.total.requests ? new Date(r.total.last_at).toISOString() : null },
    models: r.models,
    unknown_models: r.unknown_models,
    warnings: c.warnings,
    sources: c.sources,
  };
}

/** Register `gt costs`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('costs')
    .description('token usage and cost per session, bead, agent, rig or convoy, from the runtimes\' own logs')
    .option('--by <group>', `group by ${COST_GROUPS.join(', ')} (default session)`)
    .option('--since <when>', 'only usage since: today, yesterday, a date (2026-12-01), a duration (24h, 7d) or an RFC 3339 time')
    .option('--json', 'JSON output with raw token counts, costs, warnings')
    .action(action(ctx, 'gt', async (o: CostsOptions) => {
      const by = (o.by ?? 'session') as CostGroup;
      if (!COST_GROUPS.includes(by)) throw usage(`--by must be one of ${COST_GROUPS.join(', ')}, got "${o.by}"`, `gt costs --by bead`);
      const since = o.since === undefined ? undefined : parseCostsSince(o.since);
      let root = '';
      const collected = await withTown(ctx.cwd, ctx.env, (town) => {
        root = town.root;
        return collectCosts(town, { env: ctx.env, by, ...(since !== undefined ? { since } : {}) });
      });
      if (o.json) {
        printJson(ctx.io, costsJson(collected, since));
        return;
      }
      for (const w of collected.warnings) ctx.io.err(`${inert(formatWarning(w))}\n`);
      printLines(ctx.io, costLines(collected, o.since, root));
    }));
}
