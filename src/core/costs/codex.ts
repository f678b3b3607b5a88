/**
 * Codex CLI rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl` (default
 * `~/.codex`; archived ones in `archived_sessions/`). One `RolloutLine` per line:
 * `{"timestamp":"…","type":"<item>","payload":{…}}` (openai/codex `codex-rs/protocol/src/protocol.rs`
 * `RolloutItem`, `#[serde(tag = "type", content = "payload")]`). We read:
 *
 * - `session_meta`: `payload.id` (the session), `payload.cwd`;
 * - `turn_context`: `payload.model` and `payload.cwd` for the turns that follow;
 * - `event_msg` with `payload.type == "token_count"`: `payload.info` is null or
 *   `{total_token_usage, last_token_usage}`, each a `TokenUsage` `{input_tokens,
 *   cached_input_tokens, output_tokens, reasoning_output_tokens, total_tokens}`; the total is the
 *   running sum of the `last` values (`TokenUsageInfo::append_last_usage`);
 * - `token_usage_record` (newer CLIs, present in the 0.171.0 binary): `payload.usage` is one
 *   response's `TokenUsage` (with `cache_write_input_tokens`), `payload.response_id` names it.
 *
 * Counting once: a file with `token_usage_record` lines is counted from those alone (one per
 * response, keyed by `response_id`), since newer CLIs write both kinds. Otherwise from
 * `token_count`: Codex re-emits the event with an unchanged total (rate-limit refreshes), so we
 * count the growth of `total_token_usage` and skip events whose total did not move; a total that
 * went down (a reset) counts its `last_token_usage`; the first event of a file counts its `last`
 * (a forked session's file starts with its parent's running total). Every event is keyed by its
 * total within the session family (`session_meta` `session_id`, else `forked_from_id`, else
 * `id`), so a parent's events replayed into a forked or subagent file are counted once.
 *
 * Token semantics (protocol.rs `non_cached_input`, `blended_total`): `cached_input_tokens` is part
 * of `input_tokens`, and `reasoning_output_tokens` is part of `output_tokens`. We assume the same
 * for `cache_write_input_tokens` (part of `input_tokens`).
 */
import { z } from 'zod';
import { eachJsonLine, logTime, type LogWarning, type ParseResult, type TokenCounts, type UsageEntry } from './usage.js';

const Count = z.number().int().nonnegative();

/** Codex's `TokenUsage` (counts of tokens). */
const CodexTokenUsageSchema = z.looseObject({
  input_tokens: Count.default(0),
  cached_input_tokens: Count.default(0),
  cache_write_input_tokens: Count.nullish(),
  output_tokens: Count.default(0),
  reasoning_output_tokens: Count.default(0),
  total_tokens: Count.default(0),
});
type CodexTokenUsage = z.infer<typeof CodexTokenUsageSchema>;

const TokenCountSchema = z.looseObject({
  info: z.looseObject({ total_token_usage: CodexTokenUsageSchema, last_token_usage: CodexTokenUsageSchema }).nullish(),
});

const UsageRecordSchema = z.looseObject({
  usage: CodexTokenUsageSchema,
  response_id: z.string().nullish(),
  turn_id: z.string().nullish(),
  session_id: z.string().nullish(),
  thread_id: z.string().nullish(),
});

/** A Codex `TokenUsage` as our billed split. */
export function codexTokens(u: CodexTokenUsage): TokenCounts {
  const write = u.cache_write_input_tokens ?? 0;
  return {
    input: Math.max(0, u.input_tokens - u.cached_input_tokens - write),
    output: u.output_tokens,
    cache_write: write,
    cache_read: u.cached_input_tokens,
    reasoning: u.reasoning_output_tokens,
  };
}

const FIELDS = ['input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'] as const;

function minus(a: CodexTokenUsage, b: CodexTokenUsage): CodexTokenUsage {
  const out = { ...a };
  for (const f of FIELDS) out[f] = a[f] - b[f];
  out.cache_write_input_tokens = (a.cache_write_input_tokens ?? 0) - (b.cache_write_input_tokens ?? 0);
  return out;
}

function tuple(u: CodexTokenUsage): string {
  return [...FIELDS.map((f) => u[f]), u.cache_write_input_tokens ?? 0].join(',');
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(payload)'}: ${issue.message.replace(/^Invalid input: /, '')}` : 'invalid';
}

/**
 * Read a Codex rollout's text into usage entries (keyed for `dedupeUsage`). A line that is not a
 * JSON object with a string `type`, or a usage payload of the wrong shape, is a warning; other
 * item types are skipped.
 *
 * @param text the file's contents.
 * @param file its path (named in entries and warnings).
 */
export function parseCodexRollout(text: string, file: string): ParseResult {
  const warnings: LogWarning[] = [];
  const fromRecords: UsageEntry[] = [];
  const fromCounts: UsageEntry[] = [];
  let session = '';
  // Keys of running totals are per session family: a fork or subagent replays its parent's.
  let family = '';
  let metaCwd = '';
  let cwd = '';
  let model = '';
  let prev: CodexTokenUsage | undefined;
  const entry = (at: number, line: number, tokens: TokenCounts, key: string): UsageEntry =>
    ({ runtime: 'codex', model, at, cwd: cwd || metaCwd, session, file, line, tokens, key, merge: 'first' });

  eachJsonLine(text, file, warnings, (value, line) => {
    const obj = value as { type?: unknown; timestamp?: unknown; payload?: unknown } | null;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || typeof obj.type !== 'string') {
      warnings.push({ file, line, message: 'not a rollout line (a JSON object with a string "type")' });
      return;
    }
    const payload = (obj.payload ?? {}) as Record<string, unknown>;
    if (obj.type === 'session_meta') {
      if (typeof payload.id === 'string') session = payload.id;
      const root = [payload.session_id, payload.forked_from_id, payload.id].find((v) => typeof v === 'string' && v);
      family = (root as string | undefined) ?? session;
      if (typeof payload.cwd === 'string') metaCwd = payload.cwd;
      return;
    }
    if (obj.type === 'turn_context') {
      if (typeof payload.model === 'string') model = payload.model;
      if (typeof payload.cwd === 'string') cwd = payload.cwd;
      return;
    }
    const isCount = obj.type === 'event_msg' && payload.type === 'token_count';
    const isRecord = obj.type === 'token_usage_record';
    if (!isCount && !isRecord) return;
    const at = logTime(obj.timestamp);
    if (at === undefined) {
      warnings.push({ file, line, message: `${isCount ? 'token_count' : 'token_usage_record'}: timestamp ${JSON.stringify(obj.timestamp)} is not an ISO time` });
      return;
    }
    if (isRecord) {
      const r = UsageRecordSchema.safeParse(payload);
      if (!r.success) {
        warnings.push({ file, line, message: `token_usage_record: ${issueText(r.error)}` });
        return;
      }
      const tokens = codexTokens(r.data.usage);
      const key = r.data.response_id ? `codex:response:${r.data.response_id}` : `codex:record:${session}:${r.data.turn_id ?? ''}:${at}:${tuple(r.data.usage)}`;
      fromRecords.push(entry(at, line, tokens, key));
      return;
    }
    const c = TokenCountSchema.safeParse(payload);
    if (!c.success) {
      warnings.push({ file, line, message: `token_count: ${issueText(c.error)}` });
      return;
    }
    const info = c.data.info;
    if (!info) return; // a rate-limit-only event
    const total = info.total_token_usage;
    if (prev && tuple(total) === tuple(prev)) return; // re-emitted, nothing new
    const grew = prev !== undefined && FIELDS.every((f) => total[f] >= prev![f]);
    const delta = grew ? minus(total, prev!) : info.last_token_usage;
    prev = total;
    const tokens = codexTokens(delta);
    if (tokens.input + tokens.output + tokens.cache_read + tokens.cache_write === 0) return;
    fromCounts.push(entry(at, line, tokens, `codex:total:${family}:${tuple(total)}`));
  });
  return { entries: fromRecords.length ? fromRecords : fromCounts, warnings };
}
