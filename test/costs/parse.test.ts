// The pure parts of gt costs: the three log parsers, de-duplication, prices and --since.
import { describe, expect, it } from 'vitest';
import { claudeProjectDir, parseClaudeTranscript } from '../../src/core/costs/claude.js';
import { parseCodexRollout } from '../../src/core/costs/codex.js';
import { parseGeminiChat } from '../../src/core/costs/gemini.js';
import { costOf, findPrice, priceCommand } from '../../src/core/costs/prices.js';
import { buildCostReport, parseCostsSince } from '../../src/core/costs/report.js';
import { dedupeUsage, formatWarning, type UsageEntry } from '../../src/core/costs/usage.js';

const lines = (...rows: unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
const claudeLine = (ts: string, usage: Record<string, unknown>, extra: Record<string, unknown> = {}, message: Record<string, unknown> = {}) => ({
  type: 'assistant', timestamp: ts, sessionId: 's1', cwd: '/w/a', requestId: 'req_1',
  message: { id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage, ...message }, ...extra,
});
const u = (input: number, cw: number, cr: number, output: number) => ({ input_tokens: input, cache_creation_input_tokens: cw, cache_read_input_tokens: cr, output_tokens: output });

describe('Claude Code transcripts', () => {
  it('counts a streamed response once with its final output, whatever the line order', () => {
    for (const order of [[1, 2], [2, 1]]) {
      const rows = order.map((n) => claudeLine(`2026-11-30T10:00:0${n}.000Z`, u(4, 100, 200, n === 1 ? 3 : 150)));
      const r = parseClaudeTranscript(lines(...rows), 't.jsonl');
      const d = dedupeUsage(r.entries);
      expect(d).toHaveLength(1);
      expect(d[0]).toMatchObject({ at: Date.parse('2026-11-30T10:00:01.000Z'), tokens: { input: 4, cache_write: 100, cache_read: 200, output: 150 } });
    }
  });

  it.each([
    ['not JSON', '{"type":"assistant",', 'invalid JSON: '],
    ['not an object', '[1,2]', 'not a JSON object'],
    ['a count that is text', JSON.stringify(claudeLine('2026-11-30T10:00:00.000Z', { input_tokens: 'four' })), 'assistant line: message.usage.input_tokens: expected number, received string'],
    ['a bad timestamp', JSON.stringify(claudeLine('yesterday', u(1, 0, 0, 1))), 'assistant line: timestamp "yesterday" is not an ISO time'],
  ])('warns about %s as file:line and reads the rest', (_what, bad, message) => {
    const r = parseClaudeTranscript(lines(claudeLine('2026-11-30T10:00:00.000Z', u(1, 2, 3, 4)), bad, claudeLine('2026-11-30T10:01:00.000Z', u(5, 0, 0, 6), {}, { id: 'msg_2' })), '/x/t.jsonl');
    expect(r.warnings.map(formatWarning)).toEqual([expect.stringContaining(`/x/t.jsonl:2: ${message}`)]);
    expect(r.entries.map((e) => e.tokens.output)).toEqual([4, 6]);
  });

  it('skips other lines, blank lines and all-zero usage; keys on the request id when there is no message id', () => {
    const r = parseClaudeTranscript(lines(
      { type: 'user', message: { role: 'user', content: 'hi' }, timestamp: '2026-11-30T10:00:00.000Z' },
      '',
      claudeLine('2026-11-30T10:00:01.000Z', u(0, 0, 0, 0), {}, { model: '<synthetic>' }),
      claudeLine('2026-11-30T10:00:02.000Z', u(1, 0, 0, 1), {}, { id: null }),
    ), 't.jsonl');
    expect(r.warnings).toEqual([]);
    expect(r.entries).toEqual([expect.objectContaining({ key: 'claude:req:req_1', line: 4, cwd: '/w/a', session: 's1' })]);
  });

  it('names project folders as Claude Code does, long ones cut with a hash', () => {
    expect(claudeProjectDir('/home/me/gt/demo/polecats/nux')).toBe('-home-me-gt-demo-polecats-nux');
    expect(claudeProjectDir('/a/b.c_d e')).toBe('-a-b-c-d-e');
    const long = `/${'x'.repeat(250)}`;
    let h = 0;
    for (const c of long) h = ((h << 5) - h + c.charCodeAt(0)) | 0;
    expect(claudeProjectDir(long)).toBe(`-${'x'.repeat(199)}-${Math.abs(h).toString(36)}`);
  });
});

const tu = (input: number, cached: number, output: number, reasoning = 0) => ({ input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output });
const count = (ts: string, total: ReturnType<typeof tu>, last: ReturnType<typeof tu>) => ({ timestamp: ts, type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: total, last_token_usage: last } } });
const meta = (id: string, extra: Record<string, unknown> = {}) => ({ timestamp: '2026-11-30T10:00:00.000Z', type: 'session_meta', payload: { id, cwd: '/w/b', ...extra } });
const ctx = (model: string) => ({ timestamp: '2026-11-30T10:00:00.500Z', type: 'turn_context', payload: { cwd: '/w/b', model } });

describe('Codex rollouts', () => {
  it('counts the growth of the running total, skips re-emits, and a reset counts its last usage', () => {
    const r = parseCodexRollout(lines(
      meta('s1'), ctx('gpt-5.1-codex'),
      { timestamp: '2026-11-30T10:00:01.000Z', type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: {} } },
      count('2026-11-30T10:00:02.000Z', tu(100, 0, 10), tu(100, 0, 10)),
      count('2026-11-30T10:00:03.000Z', tu(100, 0, 10), tu(100, 0, 10)),
      count('2026-11-30T10:00:04.000Z', tu(300, 150, 30, 8), tu(200, 150, 20, 8)),
      count('2026-11-30T10:00:05.000Z', tu(50, 0, 5), tu(50, 0, 5)),
    ), 'r.jsonl');
    expect(r.warnings).toEqual([]);
    expect(r.entries.map((e) => [e.tokens.input, e.tokens.cache_read, e.tokens.output, e.tokens.reasoning])).toEqual([[100, 0, 10, 0], [50, 150, 20, 8], [50, 0, 5, 0]]);
    expect(r.entries.every((e) => e.model === 'gpt-5.1-codex' && e.cwd === '/w/b' && e.session === 's1')).toBe(true);
  });

  it('prefers token_usage_record lines, one per response, when a file has them', () => {
    const rec = (ts: string, response: string, usage: Record<string, number>) => ({ timestamp: ts, type: 'token_usage_record', payload: { session_id: 's1', turn_id: 't1', response_id: response, usage, thread_token_usage: usage } });
    const r = parseCodexRollout(lines(
      meta('s1'), ctx('gpt-5.6-sol'),
      rec('2026-11-30T10:00:02.000Z', 'resp_1', { input_tokens: 120, cached_input_tokens: 90, cache_write_input_tokens: 20, output_tokens: 20, reasoning_output_tokens: 0, total_tokens: 140 }),
      count('2026-11-30T10:00:02.100Z', tu(120, 90, 20), tu(120, 90, 20)),
      rec('2026-11-30T10:00:02.200Z', 'resp_1', { input_tokens: 120, cached_input_tokens: 90, cache_write_input_tokens: 20, output_tokens: 20, reasoning_output_tokens: 0, total_tokens: 140 }),
    ), 'r.jsonl');
    const d = dedupeUsage(r.entries);
    expect(d).toHaveLength(1);
    expect(d[0]!.tokens).toEqual({ input: 10, cache_read: 90, cache_write: 20, output: 20, reasoning: 0 });
  });

  it('counts a parent\'s events replayed into a forked session once', () => {
    const parent = parseCodexRollout(lines(meta('p'), ctx('gpt-5'), count('2026-11-30T10:00:02.000Z', tu(100, 0, 10), tu(100, 0, 10)), count('2026-11-30T10:00:03.000Z', tu(250, 80, 25), tu(150, 80, 15))), 'p.jsonl');
    const child = parseCodexRollout(lines(meta('c', { forked_from_id: 'p' }), ctx('gpt-5'),
      count('2026-11-30T10:05:00.000Z', tu(100, 0, 10), tu(100, 0, 10)), count('2026-11-30T10:05:00.010Z', tu(250, 80, 25), tu(150, 80, 15)),
      count('2026-11-30T10:06:00.000Z', tu(400, 200, 40), tu(150, 120, 15))), 'c.jsonl');
    const all = dedupeUsage([...parent.entries, ...child.entries]);
    expect(all.reduce((s, e) => s + e.tokens.input + e.tokens.cache_read + e.tokens.output, 0)).toBe(400 + 40);
  });

  it.each([
    ['a line without a type', '{"timestamp":"2026-11-30T10:00:00.000Z"}', 'not a rollout line (a JSON object with a string "type")'],
    ['a bad usage shape', JSON.stringify(count('2026-11-30T10:00:02.000Z', tu(1, 0, 1), { input_tokens: -1 } as never)), 'token_count: info.last_token_usage.input_tokens: Too small: expected number to be >=0'],
    ['a missing timestamp', JSON.stringify({ type: 'event_msg', payload: { type: 'token_count', info: null } }), 'token_count: timestamp undefined is not an ISO time'],
  ])('warns about %s', (_what, bad, message) => {
    const r = parseCodexRollout(lines(meta('s'), bad), 'r.jsonl');
    expect(r.warnings.map(formatWarning)).toEqual([`r.jsonl:2: ${message}`]);
  });
});

describe('Gemini CLI chats', () => {
  const tokens = { input: 1000, output: 50, cached: 600, thoughts: 30, tool: 5, total: 1085 };
  it('takes the last copy of a message, counts rewound ones, reads $set messages', () => {
    const r = parseGeminiChat(lines(
      { sessionId: 'g1', projectHash: 'abc', startTime: '2026-11-30T10:00:00.000Z', kind: 'main' },
      { id: 'm1', timestamp: '2026-11-30T10:00:01.000Z', type: 'gemini', content: '', tokens: null, model: 'gemini-2.5-pro' },
      { id: 'm1', timestamp: '2026-11-30T10:00:01.000Z', type: 'gemini', content: 'x', tokens, model: 'gemini-2.5-pro' },
      { $rewindTo: 'm1' },
      { $set: { messages: [{ id: 'm2', timestamp: '2026-11-30T10:00:02.000Z', type: 'gemini', tokens, model: 'gemini-2.5-flash' }] } },
      { id: 'u1', timestamp: '2026-11-30T10:00:03.000Z', type: 'user', content: [{ text: 'hi' }] },
    ), 'session-x.jsonl', { cwd: '/w/c' });
    expect(r.projectHash).toBe('abc');
    expect(r.entries.map((e) => [e.key, e.model, e.cwd])).toEqual([['gemini:g1:m1', 'gemini-2.5-pro', '/w/c'], ['gemini:g1:m2', 'gemini-2.5-flash', '/w/c']]);
    expect(r.entries[0]!.tokens).toEqual({ input: 405, cache_read: 600, cache_write: 0, output: 80, reasoning: 30 });
  });

  it('reads the older single-object .json recordings, and warns about bad ones', () => {
    const old = parseGeminiChat(JSON.stringify({ sessionId: 'g0', projectHash: 'h', messages: [{ id: 'm', timestamp: '2026-11-30T10:00:00.000Z', type: 'gemini', tokens, model: 'gemini-2.5-pro' }] }), 'session-old.json');
    expect(old.entries.map((e) => e.key)).toEqual(['gemini:g0:m']);
    expect(parseGeminiChat('{"sessionId":', 'session-bad.json').warnings[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^invalid JSON/) });
    const bad = parseGeminiChat(lines({ sessionId: 'g' }, { id: 'm', timestamp: '2026-11-30T10:00:00.000Z', type: 'gemini', tokens: { input: 'lots' } }), 'session-b.jsonl');
    expect(bad.warnings.map(formatWarning)).toEqual(['session-b.jsonl:2: gemini message: tokens.input: expected number, received string']);
  });
});

describe('prices', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-sonnet-4-6[1m]', 'claude-sonnet-4-6'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['gpt-5.1-codex-max', 'gpt-5.1-codex-max'],
    ['gemini-3-pro-preview', 'gemini-3-pro'],
    ['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
    ['GPT-5.1-Codex', 'gpt-5.1-codex'],
  ])('prices %s by %s', (model, key) => {
    expect(findPrice(model)).toMatchObject({ key, from: 'defaults' });
  });

  it.each(['gpt-5.9', 'gpt-5.1-codex-ultra', 'claude-opus-4-9', 'gemini-2.5-flash-nano', ''])('does not guess a price for %j', (model) => {
    expect(findPrice(model)).toBeUndefined();
  });

  it('takes settings first, with dots written as _, and fills missing cache prices with the input price', () => {
    expect(findPrice('gpt-9.1', { 'gpt-9_1': { input: 2, output: 8 } })).toMatchObject({ key: 'gpt-9_1', from: 'settings' });
    expect(findPrice('claude-sonnet-4-5-20250929', { 'claude-sonnet-4-5': { input: 1, output: 1 } })?.from).toBe('settings');
    expect(costOf({ input: 1_000_000, output: 1_000_000, cache_read: 1_000_000, cache_write: 1_000_000 }, { input: 2, output: 8 })).toBe(14);
    expect(priceCommand('gpt-9.1')).toBe(`gt config set costs.prices.gpt-9_1 '{"input":…,"output":…,"cache_read":…,"cache_write":…}'`);
  });
});

describe('the report', () => {
  it('keeps unknown models in the tokens and out of the cost', () => {
    const e = (model: string, output: number): UsageEntry & { for: { agent: string; session: string } } => ({
      runtime: 'codex', model, at: 1, cwd: '/w', session: 's', file: 'f', line: 1, merge: 'first',
      tokens: { input: 0, output, cache_read: 0, cache_write: 0, reasoning: 0 }, for: { agent: 'a', session: 'a#1' },
    });
    const r = buildCostReport([e('gpt-5', 1_000_000), e('mystery-1', 500)]);
    expect(r.total).toMatchObject({ cost_usd: 10, cost_complete: false, unknown_models: ['mystery-1'], tokens: { total: 1_000_500 } });
    expect(r.unknown_models).toEqual([expect.objectContaining({ model: 'mystery-1', setting: 'costs.prices.mystery-1', tokens: 500 })]);
  });

  it('reads --since forms', () => {
    const now = new Date(2026, 11, 3, 15, 30).getTime();
    expect(parseCostsSince('today', now)).toBe(new Date(2026, 11, 3).getTime());
    expect(parseCostsSince('yesterday', now)).toBe(new Date(2026, 11, 2).getTime());
    expect(parseCostsSince('2026-12-01', now)).toBe(new Date(2026, 11, 1).getTime());
    expect(parseCostsSince('24h', now)).toBe(now - 86_400_000);
    expect(parseCostsSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseCostsSince('2026-12-01T09:00:00Z', now)).toBe(Date.parse('2026-12-01T09:00:00Z'));
    expect(() => parseCostsSince('2026-02-30', now)).toThrow(/cannot read --since "2026-02-30"/);
    expect(() => parseCostsSince('soon', now)).toThrow(/cannot read --since "soon"/);
  });
});
