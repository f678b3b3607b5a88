/**
 * Gemini CLI chat recordings: `$GEMINI_CLI_HOME/.gemini/tmp/<project>/chats/session-<YYYY-MM-DDTHH-MM>-<id8>.jsonl`
 * (`GEMINI_CLI_HOME` defaults to the home folder; subagents in `chats/<parentSessionId>/<id>.jsonl`).
 * `<project>` is a short name from `~/.gemini/projects.json`, and `tmp/<project>/.project_root`
 * holds the project's path; older versions named the folder `sha256(projectRoot)` in hex.
 *
 * Verified against the Gemini CLI 0.61.0 bundle (`ChatRecordingService`, `loadConversationRecord`,
 * `ProjectRegistry`): the file is JSONL. Line 1 is the metadata `{sessionId, projectHash,
 * startTime, lastUpdated, kind}`; then message records `{id, timestamp, type, content, …}` where a
 * `type: "gemini"` message carries `model` and `tokens` `{input, output, cached, thoughts, tool,
 * total}` (from the API's `usageMetadata`: prompt, candidates, cached content, thoughts, tool-use
 * prompt and total token counts); `{"$set": {…}}` updates metadata (or replaces `messages`);
 * `{"$rewindTo": id}` hides later messages from the conversation (they were still billed, so we
 * still count them). A message is appended again each time it changes (tokens arrive after the
 * text): the last copy of an id wins. Older versions wrote one JSON object
 * `{sessionId, projectHash, startTime, lastUpdated, messages: […]}` to `session-….json`; we read
 * that too.
 *
 * Token semantics (Gemini API `UsageMetadata`): `cachedContentTokenCount` is part of
 * `promptTokenCount`; thoughts and tool-use prompt tokens are not, and thoughts bill as output.
 */
import { z } from 'zod';
import { eachJsonLine, logTime, type LogWarning, type ParseResult, type TokenCounts, type UsageEntry } from './usage.js';

const Count = z.number().int().nonnegative().nullish();

/** A message's `tokens` (counts of tokens). */
const GeminiTokensSchema = z.looseObject({
  input: Count, output: Count, cached: Count, thoughts: Count, tool: Count, total: Count,
});

/** A message record (the fields we read). */
const GeminiMessageSchema = z.looseObject({
  id: z.string().min(1),
  timestamp: z.string(),
  type: z.string(),
  model: z.string().nullish(),
  tokens: GeminiTokensSchema.nullish(),
});

/** A Gemini `tokens` object as our billed split. */
export function geminiTokens(t: z.infer<typeof GeminiTokensSchema>): TokenCounts {
  const cached = t.cached ?? 0;
  return {
    input: Math.max(0, (t.input ?? 0) - cached) + (t.tool ?? 0),
    output: (t.output ?? 0) + (t.thoughts ?? 0),
    cache_write: 0,
    cache_read: cached,
    reasoning: t.thoughts ?? 0,
  };
}

/** Options of {@link parseGeminiChat}. */
export interface GeminiParseOptions {
  /** The project folder the chat belongs to (from `.project_root`); the file does not say. */
  cwd?: string;
}

/** What {@link parseGeminiChat} returns: the entries, and the file's `projectHash` to place it. */
export interface GeminiParseResult extends ParseResult {
  /** `sha256(projectRoot)` in hex from the metadata, '' when absent. */
  projectHash: string;
}

/**
 * Read a Gemini CLI chat recording (JSONL, or the older single JSON object for `.json` files)
 * into usage entries, one per `gemini` message with tokens (keyed by session and message id).
 * A line that is not JSON, or a message whose tokens have the wrong shape, is a warning.
 *
 * @param text the file's contents.
 * @param file its path (`.json` means the older whole-file format).
 */
export function parseGeminiChat(text: string, file: string, options: GeminiParseOptions = {}): GeminiParseResult {
  const warnings: LogWarning[] = [];
  const byId = new Map<string, UsageEntry>();
  let session = '';
  let projectHash = '';
  const meta = (r: Record<string, unknown>) => {
    if (typeof r.sessionId === 'string') session = r.sessionId;
    if (typeof r.projectHash === 'string') projectHash = r.projectHash;
  };
  const message = (r: Record<string, unknown>, line: number) => {
    if (r.type !== 'gemini' || r.tokens === undefined || r.tokens === null) return;
    const m = GeminiMessageSchema.safeParse(r);
    if (!m.success) {
      const issue = m.error.issues[0];
      warnings.push({ file, line, message: `gemini message: ${issue ? `${issue.path.join('.')}: ${issue.message.replace(/^Invalid input: /, '')}` : 'invalid'}` });
      return;
    }
    const at = logTime(m.data.timestamp);
    if (at === undefined) {
      warnings.push({ file, line, message: `gemini message: timestamp "${m.data.timestamp}" is not an ISO time` });
      return;
    }
    const tokens = geminiTokens(m.data.tokens!);
    byId.set(m.data.id, {
      runtime: 'gemini', model: m.data.model ?? '', at, cwd: options.cwd ?? '', session, file, line, tokens,
      key: m.data.id, merge: 'max',
    });
  };
  const record = (value: unknown, line: number) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      warnings.push({ file, line, message: 'not a JSON object' });
      return;
    }
    const r = value as Record<string, unknown>;
    if ('$rewindTo' in r) return;
    if ('$set' in r) {
      const set = r.$set as Record<string, unknown> | null;
      if (set && typeof set === 'object') {
        meta(set);
        if (Array.isArray(set.messages)) for (const m of set.messages) if (m && typeof m === 'object') message(m as Record<string, unknown>, line);
      }
      return;
    }
    if (typeof r.id === 'string' && typeof r.type === 'string') message(r, line);
    else meta(r);
  };

  if (file.endsWith('.json')) {
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch (e) {
      warnings.push({ file, line: 1, message: `invalid JSON: ${(e as Error).message}` });
      return { entries: [], warnings, projectHash };
    }
    const w = whole as Record<string, unknown> | null;
    if (w && typeof w === 'object' && !Array.isArray(w)) {
      meta(w);
      if (Array.isArray(w.messages)) for (const m of w.messages) if (m && typeof m === 'object') message(m as Record<string, unknown>, 1);
    } else warnings.push({ file, line: 1, message: 'not a chat recording (expected a JSON object)' });
  } else {
    eachJsonLine(text, file, warnings, record);
  }
  // Keyed once the whole file is read: a `$set` may change the session id after messages.
  const entries = [...byId.entries()].map(([id, e]) => ({ ...e, session, key: `gemini:${session}:${id}` }));
  return { entries, warnings, projectHash };
}
