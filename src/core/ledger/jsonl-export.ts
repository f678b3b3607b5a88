/**
 * Writing `.beads/issues.jsonl` byte-compatible with beads' Go exporter (beads.md §9 "Produce" 1):
 * one issue per line, sorted by id, LF, trailing newline, Go struct key order, `omitempty`, and Go
 * `encoding/json` escaping (`<` `>` `&` U+2028 U+2029 as `\u003c` …, no spaces).
 *
 * Normalizations found against the real fixtures (../shared/fixtures/beads), i.e. the only ways
 * `exportJsonl(parseJsonl(file).issues)` differs from a Go-written file:
 * 1. `"description":""` is omitted. dialect-a-2025-12.jsonl was written by a beads version whose
 *    `Description` field had no `omitempty` (24 lines carry `"description":""`); current beads
 *    omits it, and so do we. dialect-a-2026-01.jsonl is reproduced byte for byte.
 * 2. A missing `priority` is written as `"priority":0` (beads ≥ Dec 2025 has no omitempty on it;
 *    older files omitted P0) — dialect-a-missing-priority.jsonl.
 * 3. Lines are sorted by id (plain UTF-16 code-unit order) and duplicate ids collapse to the newest
 *    copy — dialect-a-missing-priority.jsonl (unsorted, one duplicate) and the Python-written file.
 * 4. Python's `", "`/`": "` separators and raw `<>&` become Go's compact, escaped form; derived keys
 *    (`_type`, counts, `parent`) are dropped — dialect-b-*.jsonl.
 * Not seen in the fixtures but known: values inside `metadata`/`extra` are re-serialized by
 * JSON.stringify, so integer-like object keys move first (JS property order) and numbers lose
 * trailing zeros (`1.0` → `1`); lone UTF-16 surrogates are written as `\udxxx` where Go writes U+FFFD.
 */
import { ISSUE_KEY_ORDER, KNOWN_ISSUE_KEYS, type Comment, type Dependency, type Issue } from './types.js';

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text of `value` exactly as Go's `encoding/json` writes it: no spaces, and `<`, `>`, `&`,
 * U+2028, U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029` (HTML-safe escaping).
 * Control characters match already (`\b \f \n \r \t`, others `\u00xx` lowercase). `undefined`
 * gives `null`.
 */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 'null' : text.replace(/[<>&\u2028\u2029]/g, (ch) => GO_ESCAPES[ch]!);
}

/** Keys written even when empty (no `omitempty` in beads' struct). */
const ALWAYS = new Set(['priority', 'created_at', 'updated_at']);
/** Ints with `omitempty`: 0 is omitted. `estimated_minutes` is a Go *int, so 0 is written. */
const ZERO_OMITTED = new Set(['compaction_level', 'original_size', 'timeout']);

/** Go `omitempty`: nil, "", false, empty slices (and 0 for the int fields above). */
function omitted(key: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (ALWAYS.has(key)) return false;
  if (value === null || value === '' || value === false) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  return value === 0 && ZERO_OMITTED.has(key);
}

/** `{"k":v,...}` with keys in exactly the given order (no JS property reordering). */
function object(entries: Array<[string, unknown]>): string {
  return `{${entries.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`;
}

function dependencyJson(dep: Dependency): string {
  const entries: Array<[string, unknown]> = [
    ['issue_id', dep.issue_id],
    ['depends_on_id', dep.depends_on_id],
    ['type', dep.type],
  ];
  for (const key of ['created_at', 'created_by', 'metadata', 'thread_id'] as const) {
    const v = dep[key];
    if (v !== undefined && v !== '') entries.push([key, v]);
  }
  for (const [k, v] of Object.entries(dep.extra ?? {})) {
    if (!entries.some(([e]) => e === k)) entries.push([k, v]);
  }
  return object(entries);
}

function commentJson(c: Comment): string {
  return object([['id', c.id], ['issue_id', c.issue_id], ['author', c.author], ['text', c.text], ['created_at', c.created_at]]);
}

/**
 * One issue as one JSONL line (no newline), as beads' Go exporter writes it: keys in
 * {@link ISSUE_KEY_ORDER} with `omitempty` (always `priority`, `created_at`, `updated_at`; 0 kept
 * for `estimated_minutes`; `metadata` kept whatever value it holds), labels sorted, dependencies in
 * stored order with keys `issue_id depends_on_id type created_at created_by metadata thread_id`
 * then their extras, comments with keys `id issue_id author text created_at`, then the
 * `issue.extra` keys in their stored order. Escaping per {@link goJson}.
 */
export function serializeIssue(issue: Issue): string {
  const parts: string[] = [];
  const rec = issue as unknown as Record<string, unknown>;
  for (const key of ISSUE_KEY_ORDER) {
    const value = rec[key];
    if (omitted(key, value)) continue;
    let json: string;
    if (key === 'labels') json = goJson([...new Set(value as string[])].sort());
    else if (key === 'dependencies') json = `[${(value as Dependency[]).map(dependencyJson).join(',')}]`;
    else if (key === 'comments') json = `[${(value as Comment[]).map(commentJson).join(',')}]`;
    else json = goJson(value);
    parts.push(`${goJson(key)}:${json}`);
  }
  for (const [key, value] of Object.entries(issue.extra ?? {})) {
    if (!KNOWN_ISSUE_KEYS.has(key) && value !== undefined) parts.push(`${goJson(key)}:${goJson(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Plain UTF-16 code-unit order, as Go's `sort.Strings` on ASCII ids. */
function byId(a: Issue, b: Issue): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The `issues.jsonl` text for a set of issues (beads.md §9 Produce 1): sorted by id, one
 * {@link serializeIssue} line each, LF line ends and a trailing newline; `''` for no issues.
 * Issues are written as given: filtering wisps/templates is the caller's job.
 */
export function exportJsonl(issues: Iterable<Issue>): string {
  const sorted = [...issues].sort(byId);
  return sorted.length ? `${sorted.map(serializeIssue).join('\n')}\n` : '';
}
