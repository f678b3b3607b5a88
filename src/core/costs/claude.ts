/**
 * Claude Code transcripts: `$CLAUDE_CONFIG_DIR/projects/<project>/<sessionId>.jsonl` (default
 * `~/.claude`), subagents under `<project>/<sessionId>/subagents/`. One JSON object per line;
 * usage is on `"type":"assistant"` lines:
 *
 * ```json
 * {"type":"assistant","timestamp":"…Z","sessionId":"…","cwd":"/…","requestId":"req_…",
 *  "message":{"id":"msg_…","model":"claude-sonnet-4-5-20250929",
 *             "usage":{"input_tokens":4,"cache_creation_input_tokens":1520,"cache_read_input_tokens":14321,"output_tokens":210}}}
 * ```
 *
 * Verified against the Claude Code 2.1.197 binary: the project folder is the cwd with every
 * character outside `[a-zA-Z0-9]` replaced by `-` (cut at 200 characters plus a hash); its own
 * usage scanner reads `type`, `usage`, `timestamp`, `sessionId`, `model`, `requestId`, `msg_` ids
 * and the four usage counts, and skips lines whose counts are all zero. One response is written
 * on several lines (one per content block, while it streams), with the same `message.id` and
 * `requestId` and an `output_tokens` that grows: we key on `message.id:requestId` and take each
 * count's maximum (the final count), as ccusage issues #901/#938 found necessary.
 */
import { z } from 'zod';
import { eachJsonLine, logTime, type LogWarning, type ParseResult, type UsageEntry } from './usage.js';

const Count = z.number().int().nonnegative().nullish();

/** The `message.usage` object of an assistant line (Anthropic Messages API `usage`). */
const ClaudeUsageSchema = z.looseObject({
  input_tokens: Count,
  output_tokens: Count,
  cache_creation_input_tokens: Count,
  cache_read_input_tokens: Count,
});

/** An assistant line of a transcript (the fields we read; others are kept and ignored). */
const ClaudeAssistantLineSchema = z.looseObject({
  type: z.literal('assistant'),
  timestamp: z.string(),
  sessionId: z.string().optional(),
  cwd: z.string().optional(),
  requestId: z.string().nullish(),
  uuid: z.string().optional(),
  message: z.looseObject({
    id: z.string().nullish(),
    model: z.string().nullish(),
    usage: ClaudeUsageSchema,
  }),
});

/**
 * Claude Code's project folder name for a working directory: every character outside
 * `[a-zA-Z0-9]` becomes `-`; names over 200 characters are cut to 200 and get `-<hash>`
 * (base 36 of Java's string hash), as Claude Code 2.1.197 does.
 */
export function claudeProjectDir(cwd: string): string {
  const name = cwd.replace(/[^a-zA-Z0-9]/g, '-');
  if (name.length <= 200) return name;
  let h = 0;
  for (let i = 0; i < cwd.length; i++) h = ((h << 5) - h + cwd.charCodeAt(i)) | 0;
  return `${name.slice(0, 200)}-${Math.abs(h).toString(36)}`;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(line)'}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

/**
 * Read a Claude Code transcript's text into usage entries (not yet de-duplicated: see
 * `dedupeUsage`). Lines that are not assistant lines with usage are skipped silently; a line
 * that is not JSON, or an assistant line whose usage has the wrong shape, is a warning.
 *
 * @param text the file's contents.
 * @param file its path (named in entries and warnings).
 */
export function parseClaudeTranscript(text: string, file: string): ParseResult {
  const entries: UsageEntry[] = [];
  const warnings: LogWarning[] = [];
  eachJsonLine(text, file, warnings, (value, line) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      warnings.push({ file, line, message: 'not a JSON object' });
      return;
    }
    const obj = value as Record<string, unknown>;
    if (obj.type !== 'assistant') return;
    const message = obj.message as Record<string, unknown> | undefined;
    if (!message || typeof message !== 'object' || message.usage === undefined || message.usage === null) return;
    const parsed = ClaudeAssistantLineSchema.safeParse(obj);
    if (!parsed.success) {
      warnings.push({ file, line, message: `assistant line: ${describe(parsed.error)}` });
      return;
    }
    const l = parsed.data;
    const at = logTime(l.timestamp);
    if (at === undefined) {
      warnings.push({ file, line, message: `assistant line: timestamp "${l.timestamp}" is not an ISO time` });
      return;
    }
    const u = l.message.usage;
    const tokens = {
      input: u.input_tokens ?? 0,
      output: u.output_tokens ?? 0,
      cache_write: u.cache_creation_input_tokens ?? 0,
      cache_read: u.cache_read_input_tokens ?? 0,
      reasoning: 0,
    };
    // Claude Code's own scanner skips all-zero usage (synthetic messages, interrupted requests).
    if (tokens.input + tokens.output + tokens.cache_write + tokens.cache_read === 0) return;
    const id = l.message.id ?? undefined;
    const key = id ? `claude:${id}:${l.requestId ?? ''}` : l.requestId ? `claude:req:${l.requestId}` : undefined;
    entries.push({
      runtime: 'claude', model: l.message.model ?? '', at, cwd: l.cwd ?? '', session: l.sessionId ?? '',
      file, line, tokens, merge: 'max', ...(key ? { key } : {}),
    });
  });
  return { entries, warnings };
}
