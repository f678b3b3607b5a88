// `gt costs` on a real town with the fixture logs of three runtimes (test/fixtures/transcripts).
// Every expected number below was summed by hand from the fixture lines (see the README there);
// two are also re-derived here straight from the files.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gt } from '../cli/helpers.js';
import { isolateGit } from '../work/helpers.js';
import { costsWorld, installLogs, logEnv, type CostsWorld } from './helpers.js';

interface Tokens { input: number; output: number; cache_write: number; cache_read: number; reasoning: number; total: number }
interface Row { key: string; agent: string | null; rig: string | null; beads: string[]; cwd: string | null; requests: number; tokens: Tokens; cost_usd: number; cost_complete: boolean; models: string[]; unknown_models: string[] }
interface Json {
  schema_version: number; by: string; since: string | null; prices_taken: string;
  rows: Row[]; total: Omit<Row, 'key' | 'agent' | 'rig' | 'beads' | 'cwd'>;
  models: Array<{ model: string; tokens: Tokens; cost_usd: number | null }>;
  unknown_models: Array<{ model: string; setting: string; command: string; tokens: number }>;
  warnings: Array<{ file: string; line: number; message: string }>;
  sources: Array<{ runtime: string; dir: string; exists: boolean; files: number }>;
}

let env: ReturnType<typeof isolateGit>;
let cw: CostsWorld;
let logs: ReturnType<typeof installLogs>;
let run: (...args: string[]) => ReturnType<typeof gt>;
const rollout = 'codex/sessions/2026/11/30/rollout-2026-11-30T10-02-11-019ac3f2-5b7e-7c31-a8d4-6e2f0b9c1d57.jsonl';

beforeAll(async () => {
  env = isolateGit();
  cw = await costsWorld(env.base);
  logs = installLogs(join(env.base, 'logs'), cw.w.root);
  run = (...args) => gt(['costs', ...args], { cwd: cw.w.root, env: { ...logs.env, GT_TOWN: cw.w.root } });
});
afterAll(() => {
  cw?.w.close();
  env?.cleanup();
});

const json = async (...args: string[]) => {
  const r = await run(...args, '--json');
  expect(r.code, r.err).toBe(0);
  return r.json<Json>();
};
const rowOf = (j: Json, key: string) => {
  const row = j.rows.find((r) => r.key === key);
  if (!row) throw new Error(`no row ${key} in ${j.rows.map((r) => r.key).join(', ')}`);
  return row;
};
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-9);

describe('gt costs: totals', () => {
  it('counts every token of the three runtimes exactly once, and nothing outside the town', async () => {
    const j = await json();
    // claude (nux 90,400 + crew/zed 2,122) + codex 32,994 + gemini 59,849
    expect(j.total.tokens).toEqual({ input: 30_566, output: 7_276, cache_write: 21_947, cache_read: 125_576, reasoning: 2_460, total: 185_365 });
    expect(j.total.requests).toBe(14);
    const byModel = Object.fromEntries(j.models.map((m) => [m.model, m.tokens.total]));
    expect(byModel).toEqual({
      'claude-sonnet-4-5-20250929': 89_227, 'claude-haiku-4-5-20251001': 3_295, 'gpt-5.1-codex': 20_548, 'gpt-9.1-codex': 12_446,
      'gemini-2.5-pro': 44_218, 'gemini-2.5-flash': 15_631,
    });
    // The side project's transcript (cwd outside the town) is not read at all.
    expect(JSON.stringify(j)).not.toContain('side-project');
    expect(j.sources.map((s) => [s.runtime, s.files])).toEqual([['claude', 4], ['codex', 1], ['gemini', 1]]);
  });

  it('matches totals re-derived straight from the Codex and Gemini files', async () => {
    const j = await json();
    const codexLines = readFileSync(logs.paths[rollout]!, 'utf8').split('\n').filter((l) => l.includes('"token_count"') && l.includes('total_token_usage'));
    const lastTotal = JSON.parse(codexLines.at(-1)!).payload.info.total_token_usage.total_tokens as number;
    const gem = readFileSync(logs.paths['gemini/.gemini/tmp/furiosa/chats/session-2026-11-30T10-05-3b9d2e71.jsonl']!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const perId = new Map<string, number>(gem.filter((m) => m.type === 'gemini' && m.tokens).map((m) => [m.id, m.tokens.total]));
    const sum = (models: string[]) => j.models.filter((m) => models.includes(m.model)).reduce((s, m) => s + m.tokens.total, 0);
    expect(sum(['gpt-5.1-codex', 'gpt-9.1-codex'])).toBe(lastTotal);
    expect(sum(['gemini-2.5-pro', 'gemini-2.5-flash'])).toBe([...perId.values()].reduce((a, b) => a + b, 0));
  });

  it('prices each model from the defaults and leaves the unknown one out of the cost', async () => {
    const j = await json();
    // claude 0.13328285 + crew/zed 0.0016044 + gpt-5.1-codex 0.0245125 + gemini 0.04740926
    close(j.total.cost_usd, 0.20680901);
    expect(j.total.cost_complete).toBe(false);
    expect(j.models.find((m) => m.model === 'gpt-9.1-codex')?.cost_usd).toBeNull();
  });
});

describe('gt costs: attribution', () => {
  it('groups by session: each of nux\'s two sessions, slit, furiosa, and the unattributed crew folder', async () => {
    const j = await json();
    const { x, y, z, w } = cw.beads;
    expect(rowOf(j, 'demo/polecats/nux#1')).toMatchObject({ agent: 'demo/polecats/nux', rig: 'demo', beads: [x.id], requests: 3, tokens: { total: 48_097 } });
    expect(rowOf(j, 'demo/polecats/nux#2')).toMatchObject({ agent: 'demo/polecats/nux', beads: [y.id], requests: 3, tokens: { total: 42_303 } });
    expect(rowOf(j, 'demo/polecats/slit#1')).toMatchObject({ beads: [z.id], tokens: { total: 32_994 }, cost_complete: false, unknown_models: ['gpt-9.1-codex'] });
    expect(rowOf(j, 'demo/polecats/furiosa#1')).toMatchObject({ beads: [w.id], tokens: { total: 59_849 }, models: ['gemini-2.5-pro', 'gemini-2.5-flash'] });
    const zed = join(cw.w.root, 'demo/crew/zed');
    expect(rowOf(j, `(unattributed) ${zed}`)).toMatchObject({ agent: null, cwd: zed, rig: 'demo', tokens: { total: 2_122 } });
    expect(j.rows.at(-1)!.key).toBe(`(unattributed) ${zed}`);
  });

  it('attributes by the bead on the hook at the time across a re-sling, with the tail after gt done to the bead just done', async () => {
    const j = await json('--by', 'bead');
    const { x, y, z, w } = cw.beads;
    // x: msg_01A, 01B, and 01C at 10:31:10 — after x was done (10:30) but before y was slung (10:35).
    expect(rowOf(j, x.id).tokens).toEqual({ input: 13, output: 698, cache_write: 16_076, cache_read: 31_310, reasoning: 0, total: 48_097 });
    // y: msg_01D, 01E and the Explore subagent (haiku) of the second session.
    expect(rowOf(j, y.id).tokens).toEqual({ input: 25, output: 2_045, cache_write: 5_871, cache_read: 34_362, reasoning: 0, total: 42_303 });
    expect(rowOf(j, y.id).models).toEqual(['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
    expect(rowOf(j, z.id).tokens.total).toBe(32_994);
    expect(rowOf(j, w.id).tokens.total).toBe(59_849);
    close(rowOf(j, x.id).cost_usd, (13 * 3 + 698 * 15 + 31_310 * 0.3 + 16_076 * 3.75) / 1e6);
  });

  it('groups by agent, rig and convoy', async () => {
    const agents = await json('--by', 'agent');
    expect(rowOf(agents, 'demo/polecats/nux').tokens.total).toBe(90_400);
    const rigs = await json('--by', 'rig');
    expect(rowOf(rigs, 'demo').tokens.total).toBe(90_400 + 32_994 + 59_849);
    const convoys = await json('--by', 'convoy');
    expect(rowOf(convoys, cw.convoy).tokens.total).toBe(90_400);
    expect(rowOf(convoys, '(no convoy)').tokens.total).toBe(32_994 + 59_849);
  });
});

describe('gt costs: bad input, unknown prices, --since, output', () => {
  it('reports a malformed line as file:line on stderr and still counts the rest of the file', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`^${logs.paths[rollout]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9: invalid JSON: `, 'm'));
    const j = await json();
    expect(j.warnings).toEqual([expect.objectContaining({ file: logs.paths[rollout], line: 9 })]);
    expect(rowOf(j, 'demo/polecats/slit#1').tokens.total).toBe(32_994);
  });

  it('names the key for an unknown model, and setting it with the printed command makes the cost known', async () => {
    const r = await run();
    const line = r.out.split('\n').find((l) => l.includes('No price for model "gpt-9.1-codex"'));
    expect(line).toContain('12,446 tokens');
    const cmd = /(gt config set (\S+) '(.*)')$/.exec(line ?? '');
    expect(cmd?.[2]).toBe('costs.prices.gpt-9_1-codex');
    expect(cmd?.[3]).toBe('{"input":…,"output":…,"cache_read":…,"cache_write":…}');
    const value = cmd![3]!.replace('"input":…', '"input":2').replace('"output":…', '"output":16').replace('"cache_read":…', '"cache_read":0.2').replace('"cache_write":…', '"cache_write":0');
    const set = await gt(['config', 'set', cmd![2]!, value], { cwd: cw.w.root, env: { GT_TOWN: cw.w.root } });
    expect(set.code, set.err).toBe(0);
    try {
      const j = await json();
      expect(j.unknown_models).toEqual([]);
      expect(j.total.cost_complete).toBe(true);
      // 1,736 input × $2 + 726 output × $16 + 9,984 cached × $0.20, per million
      close(rowOf(j, 'demo/polecats/slit#1').cost_usd, 0.0245125 + 0.0170848);
      close(j.total.cost_usd, 0.20680901 + 0.0170848);
      expect((await run()).out).toContain('costs.prices in settings for gpt-9.1-codex');
    } finally {
      await gt(['config', 'unset', 'costs.prices'], { cwd: cw.w.root, env: { GT_TOWN: cw.w.root } });
    }
  });

  it('--since takes a time, a date, and durations', async () => {
    // After 10:33: nux's second session (y) and crew/zed; codex and gemini ended by 10:21.
    const j = await json('--since', '2026-11-30T10:33:00Z');
    expect(j.since).toBe('2026-11-30T10:33:00.000Z');
    expect(j.total.tokens.total).toBe(42_303 + 2_122);
    expect(j.rows.map((r) => r.key).sort()).toEqual(['(unattributed) ' + join(cw.w.root, 'demo/crew/zed'), 'demo/polecats/nux#2']);
    expect((await json('--since', '2026-11-29')).total.tokens.total).toBe(185_365);
    expect((await json('--since', '2026-12-01')).total.requests).toBe(0);
    const old = await run('--since', '24h');
    expect(old.code).toBe(0);
    expect(old.out).toMatch(/^No token usage since 24h in the runtimes' logs/);
    const bad = await run('--since', 'last tuesday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('error: cannot read --since "last tuesday" — use today, yesterday, a date');
    const by = await run('--by', 'planet');
    expect(by.code).toBe(2);
    expect(by.err).toContain('--by must be one of session, agent, bead, rig, convoy');
  });

  it('--json has the raw token counts, costs, prices date, warnings and sources', async () => {
    const j = await json('--by', 'bead');
    expect(Object.keys(j).sort()).toEqual(['by', 'models', 'prices_taken', 'rows', 'schema_version', 'since', 'sources', 'total', 'unknown_models', 'warnings']);
    expect(j).toMatchObject({ schema_version: 1, by: 'bead', since: null, prices_taken: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const row = rowOf(j, cw.beads.z.id);
    expect(Object.keys(row).sort()).toEqual(['agent', 'beads', 'cost_complete', 'cost_usd', 'cwd', 'first_at', 'key', 'last_at', 'models', 'requests', 'rig', 'runtimes', 'tokens', 'unknown_models']);
    expect(row).toMatchObject({ runtimes: ['codex'], first_at: '2026-11-30T10:02:30.716Z', last_at: '2026-11-30T10:20:40.927Z' });
    expect(row.tokens).toEqual({ input: 12_306, output: 1_744, cache_write: 0, cache_read: 18_944, reasoning: 1_024, total: 32_994 });
    expect(j.unknown_models).toEqual([{ model: 'gpt-9.1-codex', runtime: 'codex', requests: 1, tokens: 12_446, setting: 'costs.prices.gpt-9_1-codex', command: `gt config set costs.prices.gpt-9_1-codex '{"input":…,"output":…,"cache_read":…,"cache_write":…}'` }]);
  });

  it('prints a table with a total line', async () => {
    const r = await run('--by', 'bead');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^BEAD\s+AGENT\s+REQ\s+INPUT\s+OUTPUT\s+CACHE W\s+CACHE R\s+TOTAL\s+COST\s+MODELS$/);
    expect(lines.find((l) => l.startsWith('TOTAL'))).toMatch(/\s14\s+30,566\s+7,276\s+21,947\s+125,576\s+185,365\s+\$0\.2068\+\?$/);
    expect(lines.find((l) => l.startsWith(cw.beads.x.id))).toMatch(/demo\/polecats\/nux\s+3\s+13\s+698\s+16,076\s+31,310\s+48,097\s+\$0\.\d{4}\s+claude-sonnet-4-5-20250929$/);
  });

  it('a missing log folder is not an error, and no town is', async () => {
    const empty = await gt(['costs'], { cwd: cw.w.root, env: { ...logEnv(join(env.base, 'nothing-here')), GT_TOWN: cw.w.root } });
    expect(empty.code).toBe(0);
    expect(empty.err).toBe('');
    expect(empty.out).toMatch(/^No token usage in the runtimes' logs \(claude: .*nothing-here\/claude\/projects \(none\), codex: .* \(none\), gemini: .* \(none\)\)\.$/m);
    const noTown = await gt(['costs'], { cwd: env.base, env: { GT_TOWN: join(env.base, 'no-town') } });
    expect(noTown.code).toBe(1);
    expect(noTown.err).toContain('no Gas Town here');
  });

  it('a broken price setting is reported with the key and the file', async () => {
    const file = join(cw.w.root, 'settings/config.json');
    const before = readFileSync(file, 'utf8');
    const bad = await gt(['config', 'set', 'costs.prices.gpt-9_1-codex', '{"input":"cheap","output":1}'], { cwd: cw.w.root, env: { GT_TOWN: cw.w.root } });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('cannot set costs.prices.gpt-9_1-codex: costs.prices.gpt-9_1-codex.input: expected number');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(before), costs: { prices: { 'gpt-9.1-codex': { input: 1 } } } }));
    try {
      const r = await run();
      expect(r.code).toBe(1);
      expect(r.err).toContain('costs.prices.gpt-9.1-codex.output: is required');
    } finally {
      writeFileSync(file, before);
    }
  });

  it('an unreadable rollout line in another file does not hide the first file\'s usage', async () => {
    const extra = join(logs.env.CODEX_HOME!, 'sessions/2026/11/30/rollout-2026-11-30T12-00-00-broken.jsonl');
    writeFileSync(extra, `not json at all\n{"timestamp":"2026-11-30T12:00:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":"many"}}}}\n[1,2]\n`);
    try {
      const j = await json();
      expect(j.warnings.filter((w) => w.file === extra).map((w) => [w.line, w.message])).toEqual([
        [1, expect.stringMatching(/^invalid JSON: /)],
        [2, 'token_count: info.total_token_usage.input_tokens: expected number, received string'],
        [3, 'not a rollout line (a JSON object with a string "type")'],
      ]);
      expect(j.total.tokens.total).toBe(185_365);
    } finally {
      rmSync(extra);
    }
  });
});
