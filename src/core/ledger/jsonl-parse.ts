/**
 * Reading beads JSONL in all three dialects (../shared/research/beads.md §1.1, §9 "Accept" 1-8).
 *
 * Pure: text in, {@link ParsedLedger} out. A line that cannot be read (bad JSON, not an object,
 * no string `id`, priority outside 0-4) fails the whole parse with GtError `JSONL_PARSE` naming
 * `file:line`, so an import is all or nothing. Everything else is repaired leniently and reported
 * as a {@link ParseWarning}.
 */
import { GtError } from '../errors.js';
import { compareTime, isTime } from './time.js';
import {
  DERIVED_KEYS, ISSUE_KEY_ORDER, KNOWN_ISSUE_KEYS, PRIORITY_MAX, PRIORITY_MIN, TOMBSTONE,
  type Comment, type ConfigEntry, type Dependency, type Issue, type LedgerEvent, type Memory,
} from './types.js';

/** A repaired or suspicious input found while parsing; the data was still imported. */
export interface ParseWarning {
  /** File name as given to the parser, and 1-based line number in it. */
  file: string;
  line: number;
  /** What was found and what was done about it. */
  message: string;
}

/**
 * The result of reading one JSONL file (dialect A/B, or a dialect C `issues.jsonl`) or a whole
 * dialect C backup directory.
 */
export interface ParsedLedger {
  /** `A` plain export, `B` `bd export` (`_type`, counts, memories), `C` backup table dumps. */
  dialect: 'A' | 'B' | 'C';
  /** Deduped by id (newest `updated_at` wins); labels/dependencies/comments embedded on each issue. */
  issues: Issue[];
  /** Dialect B `_type:"memory"` lines and dialect C config rows `kv.memory.<k>` (key without the prefix). */
  memories: Memory[];
  /** Dialect C config rows other than `kv.memory.*`. */
  config: ConfigEntry[];
  /** Dialect C `events.jsonl` rows. */
  events: LedgerEvent[];
  /** Repairs made and oddities found (over-long titles, closed_at repaired, duplicates dropped, …). */
  warnings: ParseWarning[];
  /** How many issue lines were dropped as older duplicates of another line with the same id. */
  duplicates: number;
}

/** One table dump of a dialect C backup directory: its file name (for messages) and its text. */
export interface BackupTable { file: string; text: string }

/** The tables of a dialect C backup directory (`.beads/backup/<table>.jsonl`); absent ones are empty. */
export interface BackupTables {
  issues?: BackupTable; dependencies?: BackupTable; labels?: BackupTable;
  comments?: BackupTable; events?: BackupTable; config?: BackupTable;
}

/** Where a record came from, for messages. */
interface Where { file: string; line: number }

type Raw = Record<string, unknown>;

const NUMBER_KEYS = new Set(['estimated_minutes', 'compaction_level', 'original_size', 'timeout']);
/** Numbers Go writes with `omitempty` (0 means absent); `estimated_minutes` is a *int and keeps 0. */
const ZERO_IS_EMPTY = new Set(['compaction_level', 'original_size', 'timeout']);
const BOOL_KEYS = new Set(['ephemeral', 'no_history', 'pinned', 'is_template']);
/** Dialect C columns that are internal and never exported (beads.md §1.2 "Not exported"). */
const C_DROPPED = new Set(['content_hash', 'source_repo']);
/** Dialect C legacy columns stored as 0/1 that are booleans. */
const C_LEGACY_BOOLS = new Set(['crystallizes']);
const EDGE_KEYS = new Set(['issue_id', 'depends_on_id', 'type', 'created_at', 'created_by', 'metadata', 'thread_id']);
const MAX_TITLE = 500;

function fail({ file, line }: Where, what: string): never {
  throw new GtError('JSONL_PARSE', `${file}:${line}: ${what}`, { fix: 'fix or remove that line; nothing was imported', details: { file, line } });
}

const warn = (warnings: ParseWarning[], { file, line }: Where, message: string): void => void warnings.push({ file, line, message });
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse one non-blank line into an object, or throw JSONL_PARSE. */
function parseLine(src: string, where: Where): Raw {
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (e) {
    fail(where, `invalid JSON (${(e as Error).message}): ${src.slice(0, 60)}`);
  }
  if (!isObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    fail(where, `expected a JSON object, got ${kind}: ${src.slice(0, 60)}`);
  }
  return value;
}

/** Non-blank lines of a text with their 1-based numbers (CRLF and a leading BOM tolerated). */
function* records(src: string, file: string): Generator<[Raw, Where]> {
  const lines = src.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const where = { file, line: i + 1 };
    if (lines[i]!.trim()) yield [parseLine(lines[i]!.trim(), where), where];
  }
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
/** Text of an optional value: '' for null/undefined. */
const text = (v: unknown): string => (v === undefined || v === null ? '' : asString(v));
/** A non-empty string field, or the fallback. */
const strOr = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
/** Empty in Go's omitempty sense (and NULL in a dump). */
const isEmpty = (v: unknown): boolean => v === null || v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && !v.length);
/** A dialect C row: DB-only columns present (beads.md §9 Accept 2). */
const isDialectC = (raw: Raw): boolean => 'content_hash' in raw || 'timeout_ns' in raw;

/** JSON.parse, or undefined when the text is not JSON. */
function tryJson(src: string): unknown {
  try {
    return JSON.parse(src) as unknown;
  } catch {
    return undefined;
  }
}

function normalizeDependency(raw: unknown, issueId: string, where: Where, warnings: ParseWarning[]): Dependency | undefined {
  if (!isObject(raw) || typeof raw.depends_on_id !== 'string' || raw.depends_on_id === '') {
    warn(warnings, where, `dependency of ${issueId} without a depends_on_id dropped`);
    return undefined;
  }
  if (!strOr(raw.type, '')) warn(warnings, where, `dependency ${issueId} -> ${raw.depends_on_id} has no type; using "blocks"`);
  const dep: Dependency = { issue_id: strOr(raw.issue_id, issueId), depends_on_id: raw.depends_on_id, type: strOr(raw.type, 'blocks') };
  for (const key of ['created_at', 'created_by', 'metadata', 'thread_id'] as const) {
    if (text(raw[key]) !== '') dep[key] = text(raw[key]); // metadata objects are stringified
  }
  const extra: Raw = {};
  for (const [k, v] of Object.entries(raw)) if (!EDGE_KEYS.has(k)) extra[k] = v;
  if (Object.keys(extra).length) dep.extra = extra;
  return dep;
}

function normalizeComment(raw: unknown, issueId: string, where: Where, warnings: ParseWarning[]): Comment | undefined {
  if (!isObject(raw)) {
    warn(warnings, where, `comment of ${issueId} is not an object; dropped`);
    return undefined;
  }
  const id = typeof raw.id === 'number' || typeof raw.id === 'string' ? raw.id : 0;
  return { id, issue_id: strOr(raw.issue_id, issueId), author: text(raw.author), text: text(raw.text), created_at: text(raw.created_at) };
}

/** Dialect C `waiters` column: JSON array text or a comma-separated list. */
function splitWaiters(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(asString).filter((s) => s !== '');
  const s = asString(v).trim();
  const arr = s.startsWith('[') ? tryJson(s) : undefined;
  return (Array.isArray(arr) ? arr.map(asString) : s.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

/** Known-key values: type coercion, dialect C forms, omitempty. Returns undefined to drop. */
function knownValue(key: string, value: unknown, c: boolean, id: string, where: Where, warnings: ParseWarning[]): unknown {
  if (value === null || value === undefined) return undefined;
  if (BOOL_KEYS.has(key)) return value === true || value === 1 || value === '1' || value === 'true' ? true : undefined;
  if (NUMBER_KEYS.has(key)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) warn(warnings, where, `${key} ${JSON.stringify(value)} of ${id} is not a number; dropped`);
    return !Number.isFinite(n) || (n === 0 && ZERO_IS_EMPTY.has(key)) ? undefined : n;
  }
  switch (key) {
    case 'metadata':
      if (value === '' || (c && value === '{}')) return undefined;
      if (!c || typeof value !== 'string') return value;
      const parsed = tryJson(value);
      if (parsed === undefined) warn(warnings, where, `metadata of ${id} is not valid JSON; kept as text`);
      return parsed === undefined ? value : (parsed ?? undefined);
    case 'labels':
    case 'dependencies':
    case 'comments': {
      if (!Array.isArray(value)) {
        warn(warnings, where, `${key} of ${id} is not an array; dropped`);
        return undefined;
      }
      const list: unknown[] = key === 'labels'
        ? [...new Set(value.map(text).filter((l) => l !== ''))].sort()
        : value.map((v) => (key === 'dependencies' ? normalizeDependency : normalizeComment)(v, id, where, warnings)).filter((v) => v !== undefined);
      return list.length ? list : undefined;
    }
    case 'waiters': {
      const w = splitWaiters(value);
      return w.length ? w : undefined;
    }
    case 'bonded_from':
      return Array.isArray(value) && value.length ? value : undefined;
    default: {
      const s = asString(value);
      if (typeof value !== 'string') warn(warnings, where, `${key} should be a string; read ${JSON.stringify(value)} as "${s}"`);
      return s === '' ? undefined : s;
    }
  }
}

function buildIssue(raw: Raw, where: Where, warnings: ParseWarning[], c: boolean): Issue {
  const id = raw.id;
  if (typeof id !== 'string' || id === '') fail(where, `missing "id" (every issue line needs a non-empty string id)`);
  const known: Raw = {};
  const extra: Raw = {};
  for (const [key, value] of Object.entries(raw)) {
    if (DERIVED_KEYS.has(key) || (c && C_DROPPED.has(key))) continue;
    if (key === 'wisp') {
      if (value === true || value === 1) known.ephemeral = true;
    } else if (key === 'timeout_ns') {
      const v = knownValue('timeout', value, c, id, where, warnings);
      if (v !== undefined) known.timeout = v;
    } else if (!KNOWN_ISSUE_KEYS.has(key)) {
      if (!c) extra[key] = value;
      else if (!isEmpty(value)) extra[key] = C_LEGACY_BOOLS.has(key) && value === 1 ? true : value;
    } else if (key !== 'priority') {
      const v = knownValue(key, value, c, id, where, warnings);
      if (v !== undefined) known[key] = v; // `wisp: true` then `ephemeral: false` stays ephemeral
    }
  }
  known.id = id;
  known.priority = readPriority(raw.priority, where);
  finishIssue(known, where, warnings);
  const issue: Raw = {};
  for (const key of ISSUE_KEY_ORDER) if (known[key] !== undefined) issue[key] = known[key];
  if (Object.keys(extra).length) issue.extra = extra;
  return issue as unknown as Issue;
}

function readPriority(value: unknown, where: Where): number {
  if (value === undefined || value === null) return 0; // pre-Dec-2025 files omitted P0 (beads.md §1.2)
  if (typeof value !== 'number' || !Number.isInteger(value) || value < PRIORITY_MIN || value > PRIORITY_MAX) {
    fail(where, `priority ${JSON.stringify(value)} is not allowed; allowed values are integers ${PRIORITY_MIN}-${PRIORITY_MAX}`);
  }
  return value;
}

/** Defaults and repairs of §9 Accept 4-5 on the known fields of one issue. */
function finishIssue(known: Raw, where: Where, warnings: ParseWarning[]): void {
  const id = known.id as string;
  known.status = known.status === 'deleted' ? TOMBSTONE : (known.status ?? 'open');
  known.issue_type ??= 'task';
  const title = known.title as string | undefined;
  if (title === undefined) warn(warnings, where, `${id} has an empty title; using "(untitled)"`);
  else if (title.length > MAX_TITLE) warn(warnings, where, `${id} has a title of ${title.length} characters (limit ${MAX_TITLE}); kept`);
  known.title = title ?? '(untitled)';
  const stamp = known.created_at ?? known.updated_at ?? new Date().toISOString();
  known.created_at ??= stamp;
  known.updated_at ??= stamp;
  for (const key of ['created_at', 'updated_at'] as const) {
    if (!isTime(known[key] as string)) warn(warnings, where, `${id} ${key} "${String(known[key])}" is not RFC 3339; kept as written`);
  }
  if (known.status === 'closed' && known.closed_at === undefined) {
    warn(warnings, where, `${id} is closed without closed_at; set closed_at = updated_at`);
    known.closed_at = known.updated_at;
  } else if (known.status !== 'closed' && known.status !== TOMBSTONE && known.closed_at !== undefined) {
    warn(warnings, where, `${id} is ${String(known.status)} but has closed_at; dropped closed_at`);
    delete known.closed_at;
  }
}

/**
 * Normalize one issue record of any dialect into an {@link Issue} (beads.md §9 Accept 2-7).
 *
 * Dialect C rows (with `content_hash` or `timeout_ns`) get 0/1→bool, `metadata` text→value,
 * `waiters` text→array, `timeout_ns`→`timeout`, empty/NULL columns dropped. In every dialect:
 * defaults (status `open`, type `task`, missing priority 0, missing timestamp = the other or now),
 * `wisp`→`ephemeral`, `deleted`→`tombstone`, closed_at repaired, derived keys dropped, unknown keys
 * kept in `extra` in read order. Repairs are appended to `warnings`.
 *
 * @throws GtError JSONL_PARSE (`file:line`) when `id` is missing or not a string, or priority is
 *   not an integer 0-4.
 */
export function normalizeIssue(raw: Record<string, unknown>, where: { file: string; line: number }, warnings: ParseWarning[]): Issue {
  return buildIssue(raw, where, warnings, isDialectC(raw));
}

/** Mutable accumulator shared by both entry points. */
interface Acc {
  byId: Map<string, { issue: Issue; where: Where }>;
  memories: Map<string, string>;
  config: ConfigEntry[];
  events: LedgerEvent[];
  warnings: ParseWarning[];
  duplicates: number;
}

function newAcc(): Acc {
  return { byId: new Map(), memories: new Map(), config: [], events: [], warnings: [], duplicates: 0 };
}

/** Dedupe rule of §9 Accept 1: newest `updated_at` wins; on a tie the later line wins. */
function addIssue(acc: Acc, issue: Issue, where: Where): void {
  const prev = acc.byId.get(issue.id);
  if (!prev) return void acc.byId.set(issue.id, { issue, where });
  acc.duplicates++;
  const newer = compareTime(issue.updated_at, prev.issue.updated_at) >= 0;
  const [kept, dropped] = newer ? [where, prev.where] : [prev.where, where];
  warn(acc.warnings, dropped, `duplicate id ${issue.id}: dropped this older copy (kept ${kept.file}:${kept.line})`);
  if (newer) acc.byId.set(issue.id, { issue, where });
}

function addConfig(acc: Acc, raw: Raw, where: Where, memory: boolean): void {
  if (typeof raw.key !== 'string' || raw.key === '') fail(where, `${memory ? 'memory line' : 'config row'} without a string "key"`);
  if (memory || raw.key.startsWith('kv.memory.')) acc.memories.set(memory ? raw.key : raw.key.slice('kv.memory.'.length), text(raw.value));
  else acc.config.push({ key: raw.key, value: text(raw.value) });
}

function finish({ byId, memories, config, events, warnings, duplicates }: Acc, dialect: ParsedLedger['dialect']): ParsedLedger {
  const issues = [...byId.values()].map((e) => e.issue);
  return { dialect, issues, memories: [...memories].map(([key, value]) => ({ key, value })), config, events, warnings, duplicates };
}

/**
 * Parse one JSONL file of dialect A or B (or a dialect C `issues.jsonl`, detected per line by
 * `content_hash`/`timeout_ns`). Blank lines are skipped, `_schema` header lines ignored,
 * `_type:"memory"` lines become memories, other lines issues (see {@link normalizeIssue}).
 * The dialect is `C` if any line is a C row, else `B` if any line has `_type`, `_schema` or a
 * derived count key, else `A`.
 *
 * @param text the whole file.
 * @param file the name used in messages and warnings.
 * @throws GtError JSONL_PARSE naming `file:line` for a line that is not a JSON object, has no
 *   string `id`, or has a priority outside 0-4; nothing partial is returned.
 */
export function parseJsonl(text: string, file: string): ParsedLedger {
  const acc = newAcc();
  let b = false;
  let c = false;
  for (const [raw, where] of records(text, file)) {
    if ('_schema' in raw) {
      b = true;
      continue;
    }
    const type = raw._type;
    if (type === 'memory') {
      b = true;
      addConfig(acc, raw, where, true);
      continue;
    }
    if (type !== undefined && type !== 'issue') {
      warn(acc.warnings, where, `unknown _type ${JSON.stringify(type)}; line skipped`);
      continue;
    }
    if (type !== undefined || 'dependency_count' in raw || 'dependent_count' in raw || 'comment_count' in raw) b = true;
    const rowC = isDialectC(raw);
    c ||= rowC;
    addIssue(acc, buildIssue(raw, where, acc.warnings, rowC), where);
  }
  return finish(acc, c ? 'C' : b ? 'B' : 'A');
}

function issueIdOf(raw: Raw, where: Where): string {
  if (typeof raw.issue_id !== 'string' || raw.issue_id === '') fail(where, `row without a string "issue_id"`);
  return raw.issue_id;
}

/**
 * Parse a dialect C backup directory (`.beads/backup/*.jsonl`, beads.md §1.1 C): the `issues`
 * table (every row treated as dialect C, see {@link normalizeIssue}) joined with the
 * `dependencies`, `labels` and `comments` tables; `events` rows become {@link LedgerEvent}s
 * (ids kept); `config` rows become config entries, `kv.memory.<k>` rows memories `<k>`.
 * Join rows whose issue is not in the issues table are dropped with one warning per table
 * giving the count.
 *
 * @throws GtError JSONL_PARSE naming `file:line` of the first unreadable row (bad JSON, no id,
 *   no issue_id, no config key, bad priority); nothing partial is returned.
 */
export function parseBackupTables(tables: BackupTables): ParsedLedger {
  const acc = newAcc();
  if (tables.issues) {
    for (const [raw, where] of records(tables.issues.text, tables.issues.file)) {
      addIssue(acc, buildIssue(raw, where, acc.warnings, true), where);
    }
  }
  const join = (table: BackupTable | undefined, attach: (issue: Issue, raw: Raw, where: Where) => void): void => {
    if (!table) return;
    let orphans = 0;
    let first: Where | undefined;
    for (const [raw, where] of records(table.text, table.file)) {
      const target = acc.byId.get(issueIdOf(raw, where));
      if (target) attach(target.issue, raw, where);
      else if (++orphans === 1) first = where;
    }
    if (first) warn(acc.warnings, first, `${orphans} row(s) refer to issues absent from the issues table; not imported`);
  };
  join(tables.dependencies, (issue, raw, where) => {
    const dep = normalizeDependency(raw, issue.id, where, acc.warnings);
    if (dep) (issue.dependencies ??= []).push(dep);
  });
  join(tables.labels, (issue, raw) => {
    if (text(raw.label) !== '') (issue.labels ??= []).push(text(raw.label));
  });
  join(tables.comments, (issue, raw, where) => {
    const comment = normalizeComment(raw, issue.id, where, acc.warnings);
    if (comment) (issue.comments ??= []).push(comment);
  });
  for (const { issue } of acc.byId.values()) {
    if (issue.labels) issue.labels = [...new Set(issue.labels)].sort();
  }
  if (tables.events) {
    for (const [raw, where] of records(tables.events.text, tables.events.file)) acc.events.push(toEvent(raw, where));
  }
  if (tables.config) {
    for (const [raw, where] of records(tables.config.text, tables.config.file)) addConfig(acc, raw, where, false);
  }
  return finish(acc, 'C');
}

function toEvent(raw: Raw, where: Where): LedgerEvent {
  const event: LedgerEvent = { issue_id: issueIdOf(raw, where), event_type: text(raw.event_type), actor: text(raw.actor), created_at: text(raw.created_at) };
  const id = typeof raw.id === 'number' ? raw.id : typeof raw.id === 'string' && /^\d+$/.test(raw.id) ? Number(raw.id) : undefined;
  if (id !== undefined) event.id = id;
  for (const key of ['old_value', 'new_value', 'comment'] as const) {
    if (raw[key] !== undefined) event[key] = raw[key] === null ? null : asString(raw[key]); // NULL kept as null
  }
  return event;
}
