// The TUI header's figure of the day: fed by watchDayCosts from the fixture logs moved to today,
// re-read when a log grows, and drawn by the header.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogCache, dayCosts, type DayCosts } from '../../src/store/costs/costs.js';
import { scanLogs } from '../../src/store/costs/logs.js';
import { watchDayCosts } from '../../src/tui/state/read-model.js';
import { waitFor } from '../cli/helpers.js';
import { renderApp, sampleView, type AppRig } from '../tui/helpers.js';
import { isolateGit } from '../work/helpers.js';
import { costsWorld, installLogs, type CostsWorld } from './helpers.js';

let env: ReturnType<typeof isolateGit>;
let cw: CostsWorld;
let logs: ReturnType<typeof installLogs>;
let app: AppRig | undefined;
// Local noon today: the fixture day (10:00–11:15 UTC) is moved to end at this time, so every
// entry is "today" in any time zone.
const d = new Date();
const NOON = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 12, 0, 0).getTime();
const FIXTURE_END = Date.parse('2026-11-30T11:15:02.740Z');
const nuxB = 'claude/projects/-home-overseer-gt-demo-polecats-nux/a7c3e9d1-2b4f-4c6a-8e0d-9f1b3c5d7e82.jsonl';

beforeAll(async () => {
  env = isolateGit();
  cw = await costsWorld(env.base);
  logs = installLogs(join(env.base, 'logs'), cw.w.root, { time: (iso) => new Date(Date.parse(iso) - FIXTURE_END + NOON).toISOString() });
});
afterAll(() => {
  cw?.w.close();
  env?.cleanup();
});
afterEach(() => { app?.unmount(); app = undefined; });

/** One more assistant response in nux's second transcript: 100 input, 1,000 cache reads, 50 output (sonnet 4.5). */
function appendResponse(id: string): void {
  const file = logs.paths[nuxB]!;
  const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!);
  last.message.id = id;
  last.requestId = `req_${id}`;
  last.uuid = `u-${id}`;
  last.timestamp = new Date(NOON - 1000).toISOString();
  last.message.usage = { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000, output_tokens: 50 };
  appendFileSync(file, `${JSON.stringify(last)}\n`);
}

describe('the header', () => {
  it('shows today\'s total cost and tokens once computed, and nothing before', async () => {
    const view = sampleView({ escalations: [], unread: 0 });
    app = await renderApp({ town: { view } });
    expect(app.frame().split('\n')[0]).not.toContain('today');
    const costs = await dayCosts(cw.w.town, logs.env, new LogCache(), NOON);
    app.stores.town.setState({ costs });
    await app.press();
    const header = app.frame().split('\n')[0]!;
    expect(costs.tokens).toBe(185_365);
    expect(header).toContain('│ today $0.21+? · 185k tok');
    app.stores.town.setState({ costs: { ...costs, complete: true, usd: 12.5, tokens: 2_345_678 } });
    await app.press();
    expect(app.frame().split('\n')[0]).toContain('│ today $12.50 · 2.3M tok');
  });
});

describe('today\'s cost', () => {
  it('is the day\'s tokens and cost, and a second read takes unchanged files from the cache', async () => {
    const cache = new LogCache();
    const first = await dayCosts(cw.w.town, logs.env, cache, NOON);
    expect(first).toMatchObject({ tokens: 185_365, requests: 14, complete: false });
    expect(Math.abs(first.usd - 0.20680901)).toBeLessThan(1e-9);
    expect(cache.size).toBe(6);
    const cached = (await scanLogs({ env: logs.env, roots: [cw.w.root], cache })).entries.length;
    expect(cached).toBe(16); // 14 responses, msg_01A and msg_01D each on two streaming lines
    const again = await dayCosts(cw.w.town, logs.env, cache, NOON);
    expect(again).toEqual({ ...first, at: NOON });
    // Tomorrow nothing of it counts.
    expect((await dayCosts(cw.w.town, logs.env, cache, NOON + 86_400_000)).tokens).toBe(0);
  });

  it('watchDayCosts feeds the figure, picks up a grown log, and stops', async () => {
    const seen: DayCosts[] = [];
    const stop = watchDayCosts(cw.w.town, logs.env, (c) => seen.push(c), { firstDelayMs: 0, intervalMs: 10, now: () => NOON });
    try {
      await waitFor(() => seen.length >= 1, 10_000, 'the first figure');
      expect(seen[0]!.tokens).toBe(185_365);
      appendResponse('msg_01TodayExtra');
      await waitFor(() => seen.at(-1)!.tokens === 185_365 + 1_150, 10_000, 'the grown log');
      // 100 × $3 + 50 × $15 + 1,000 × $0.30 per million on top
      expect(Math.abs(seen.at(-1)!.usd - (0.20680901 + 0.00135))).toBeLessThan(1e-9);
    } finally {
      stop();
    }
    const n = seen.length;
    appendResponse('msg_01AfterStop');
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.length).toBeLessThanOrEqual(n + 1); // at most a read already under way
  });
});
