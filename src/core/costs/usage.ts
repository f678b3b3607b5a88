/**
 * Token usage as read from the runtimes' own session logs (issue #11 part 5): one
 * {@link UsageEntry} per model response, its tokens split by how they are billed
 * ({@link TokenCounts}), and the de-duplication rule that keeps a response that a log wrote
 * more than once from being counted twice ({@link dedupeUsage}).
 *
 * Pure: no file or database access. The parsers per runtime live beside this file
 * (`claude.ts`, `codex.ts`, `gemini.ts`); reading the files is `src/store/costs/`.
 */

/** The runtimes whose session logs we read. */
export const COST_RUNTIMES = ['claude', 'codex', 'gemini'] as const;
/** One of {@link COST_RUNTIMES}. */
export type CostRuntime = (typeof COST_RUNTIMES)[number];

/**
 * Token counts of some usage, split by price. Every field is a count of tokens. The four billed
 * fields are disjoint, so their sum is every token the model read or wrote ({@link totalTokens}).
 */
export interface TokenCounts {
  /** Input tokens billed at the full input price: neither read from nor written to a prompt cache. */
  input: number;
  /** Output tokens, reasoning ("thinking") tokens included. */
  output: number;
  /** Input tokens written to a prompt cache (Claude `cache_creation_input_tokens`; Codex `cache_write_input_tokens`). */
  cache_write: number;
  /** Input tokens read from a prompt cache (Claude `cache_read_input_tokens`, Codex `cached_input_tokens`, Gemini `cached`). */
  cache_read: number;
  /** Of `output`, the reasoning tokens when the runtime reports them (informational, already counted in `output`). */
  reasoning: number;
}

/** How two entries with the same {@link UsageEntry.key} are combined. */
export type MergeRule =
  /** Snapshots of one response that grow while it streams: take each count's maximum. */
  | 'max'
  /** Copies of one record (a replayed or forked log): keep the earliest. */
  | 'first';

/** One model response's usage, as one runtime's log recorded it. */
export interface UsageEntry {
  /** Which runtime wrote the log. */
  runtime: CostRuntime;
  /** The model id as the log names it (`claude-sonnet-4-5-20250929`, `gpt-5.1-codex`); '' when the log does not say. */
  model: string;
  /** When the response happened, ms since the epoch. */
  at: number;
  /** Working directory of the session that made it ('' when unknown). */
  cwd: string;
  /** The runtime's own session id ('' when unknown). */
  session: string;
  /** The log file it came from. */
  file: string;
  /** 1-based line in `file` (the line that completed it, for logs that need several). */
  line: number;
  /** Its tokens. */
  tokens: TokenCounts;
  /** Entries with the same key are one response recorded more than once; undefined = unique. */
  key?: string;
  /** How duplicates of `key` combine. */
  merge: MergeRule;
}

/** A problem in a log: the line is skipped and the rest of the file is still read. */
export interface LogWarning {
  /** The log file. */
  file: string;
  /** 1-based line number (0 for the file as a whole). */
  line: number;
  /** What was wrong, e.g. `invalid JSON: Unexpected token 'x'`. */
  message: string;
}

/** What a parser got from one log file. */
export interface ParseResult {
  /** One entry per usage record, in file order (duplicates still there: see {@link dedupeUsage}). */
  entries: UsageEntry[];
  /** Lines that could not be read, each skipped. */
  warnings: LogWarning[];
}

/** Zero tokens. */
export function noTokens(): TokenCounts {
  return { input: 0, output: 0, cache_write: 0, cache_read: 0, reasoning: 0 };
}

/** Every token a model read or wrote: input + output + cache writes + cache reads. */
export function totalTokens(t: TokenCounts): number {
  return t.input + t.output + t.cache_write + t.cache_read;
}

/** Add `b` into `a` (mutates and returns `a`). */
export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  a.input += b.input;
  a.output += b.output;
  a.cache_write += b.cache_write;
  a.cache_read += b.cache_read;
  a.reasoning += b.reasoning;
  return a;
}

/** True when every count is zero. */
export function isZero(t: TokenCounts): boolean {
  return totalTokens(t) === 0 && t.reasoning === 0;
}

/** `file:line: message`, the form every log warning is shown in. */
export function formatWarning(w: LogWarning): string {
  return `${w.file}:${w.line}: ${w.message}`;
}

/**
 * Collapse entries that are the same response recorded more than once (same `key`), across
 * files too: `max` takes each count's maximum and the earliest time (Claude Code writes one
 * line per content block while a response streams, `output_tokens` growing — ccusage issues
 * #901/#938); `first` keeps the earliest copy (a Codex log replayed into a forked session).
 * Entries without a key are kept as they are. Order: by time, then file and line.
 */
export function dedupeUsage(entries: UsageEntry[]): UsageEntry[] {
  const byKey = new Map<string, UsageEntry>();
  const out: UsageEntry[] = [];
  for (const e of entries) {
    if (e.key === undefined) {
      out.push(e);
      continue;
    }
    const seen = byKey.get(e.key);
    if (!seen) {
      const copy = { ...e, tokens: { ...e.tokens } };
      byKey.set(e.key, copy);
      out.push(copy);
    } else if (e.merge === 'max') {
      for (const k of Object.keys(seen.tokens) as Array<keyof TokenCounts>) seen.tokens[k] = Math.max(seen.tokens[k], e.tokens[k]);
      if (e.at < seen.at) seen.at = e.at;
      if (!seen.model) seen.model = e.model;
    } else if (e.at < seen.at) {
      Object.assign(seen, { ...e, tokens: { ...e.tokens } });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * Epoch ms of a log timestamp (RFC 3339 / ISO 8601 as the runtimes write them), or undefined
 * when it is missing or unreadable.
 */
export function logTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Split text into lines and call `fn` with each non-blank line's parsed JSON (1-based line
 * number); an invalid line becomes a warning and the rest are still read.
 */
export function eachJsonLine(text: string, file: string, warnings: LogWarning[], fn: (value: unknown, line: number) => void): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      warnings.push({ file, line: i + 1, message: `invalid JSON: ${(e as Error).message.replace(/, ".*" is not valid JSON$/s, '')}` });
      continue;
    }
    fn(value, i + 1);
  }
}
