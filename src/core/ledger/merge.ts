/**
 * The git merge driver logic for `.beads/issues.jsonl` (`gt bd merge-driver %O %A %B`): merge three
 * versions of the ledger by issue id, field by field, so a merge never leaves conflict markers
 * or duplicate ids (beads.md §5 "Merge" row, §9 Produce 5).
 *
 * Rules, for an id present on both sides (`base` is the common ancestor, may be absent):
 * - Scalar fields: 3-way per field — a field changed on one side only takes that change; a field
 *   changed on both sides takes the side with the newer `updated_at` (a tie goes to ours, as git's
 *   `%A` is the branch being merged into). Without a base every differing field goes to the newer side.
 * - `updated_at` = the later of the two.
 * - Closed wins: if one side is closed the result is closed with that side's closed_at /
 *   close_reason / closed_by_session (both closed: the later closed_at). Exception, from the 3-way
 *   base: if the closed side did not change the status since base and the other side reopened it,
 *   the reopen stands.
 * - Tombstones: a tombstone whose `deleted_at` (else its updated_at) is at most 30 days before the
 *   newer `updated_at` wins over a live copy; an older one loses and the live copy resurrects.
 *   Two tombstones: the later deleted_at.
 * - `labels` and `waiters` = union; `comments` = union by (id, author, created_at, text);
 *   `dependencies` = union by depends_on_id, except an edge in base and removed on one side is
 *   removed (removals win); an edge changed on both sides goes to the newer side.
 * - `extra` keys: 3-way per key like scalar fields.
 * - Order of unioned lists: the newer side's items first (comments then sorted by created_at), so
 *   merging in either direction gives the same bytes unless updated_at ties.
 * For an id on one side only: kept if not in base; if in base, it was deleted on the other side and
 * is dropped when this side left it unchanged, kept when this side changed it.
 */
import { exportJsonl, goJson, serializeIssue } from './jsonl-export.js';
import { parseJsonl } from './jsonl-parse.js';
import { compareTime, timeMs } from './time.js';
import { ISSUE_KEY_ORDER, TOMBSTONE, type Comment, type Dependency, type Issue } from './types.js';

/** Result of {@link mergeJsonl}. */
export interface MergeResult {
  /** The merged `issues.jsonl` text (as {@link exportJsonl} writes it). */
  text: string;
  /** Human-readable notes of fields resolved by a rule, one per decision (for the log); never markers. */
  conflicts: string[];
}

/** A tombstone younger than this (relative to the newer updated_at) beats a live copy. */
const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const CLOSE_KEYS = ['status', 'closed_at', 'close_reason', 'closed_by_session'] as const;
/** Keys merged by their own rule, not as plain scalars. */
const SPECIAL = new Set<string>(['id', 'updated_at', 'labels', 'dependencies', 'comments', 'waiters', ...CLOSE_KEYS]);

type Side = 'ours' | 'theirs';
type Rec = Record<string, unknown>;

function eq(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && goJson(a) === goJson(b));
}

function sameIssue(a: Issue, b: Issue): boolean {
  return serializeIssue(a) === serializeIssue(b);
}

/** 3-way pick of one value; `newer` decides a real conflict, which is noted. */
function pick(what: string, o: unknown, t: unknown, b: unknown, hasBase: boolean, newer: Side, notes: string[]): unknown {
  if (eq(o, t)) return o;
  if (hasBase && eq(o, b)) return t;
  if (hasBase && eq(t, b)) return o;
  notes.push(`${what}: changed on both sides; took ${newer} (newer updated_at${newer === 'ours' ? ' or tie' : ''})`);
  return newer === 'ours' ? o : t;
}

function deletedAt(issue: Issue): string {
  const d = issue.extra?.deleted_at;
  return typeof d === 'string' && !Number.isNaN(timeMs(d)) ? d : issue.updated_at;
}

function later(a: string, b: string): string {
  return compareTime(b, a) > 0 ? b : a;
}

function unionBy<T>(a: T[] | undefined, b: T[] | undefined, key: (x: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of [...(a ?? []), ...(b ?? [])]) {
    const k = key(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

function commentKey(c: Comment): string {
  return `${String(c.id)}\u0000${c.author}\u0000${c.created_at}\u0000${c.text}`;
}

/**
 * Dependencies: union by depends_on_id, 3-way removals win, both-changed edges go to the newer side.
 * Order: the newer side's edges, then the other side's additions (so merging either way round agrees).
 */
function mergeDeps(id: string, base: Issue | undefined, ours: Issue, theirs: Issue, newer: Side, notes: string[]): Dependency[] {
  const map = (i: Issue | undefined): Map<string, Dependency> => new Map((i?.dependencies ?? []).map((d) => [d.depends_on_id, d]));
  const [b, o, t] = [map(base), map(ours), map(theirs)];
  const out: Dependency[] = [];
  for (const target of new Set(newer === 'ours' ? [...o.keys(), ...t.keys()] : [...t.keys(), ...o.keys()])) {
    const [od, td, bd] = [o.get(target), t.get(target), b.get(target)];
    if (bd && (!od || !td)) {
      if (od ? !eq(od, bd) : !eq(td, bd)) notes.push(`${id}: dependency on ${target} removed on ${od ? 'theirs' : 'ours'} (removal wins over a change)`);
      continue;
    }
    out.push(od && td ? (pick(`${id}: dependency on ${target}`, od, td, bd, base !== undefined, newer, notes) as Dependency) : (od ?? td)!);
  }
  return out;
}

/** status/closed_at/close_reason/closed_by_session: closed wins, unless the other side reopened an unchanged close. */
function mergeClose(id: string, base: Issue | undefined, ours: Issue, theirs: Issue, newer: Side, notes: string[]): Rec {
  const take = (i: Issue): Rec => ({ status: i.status, closed_at: i.closed_at, close_reason: i.close_reason, closed_by_session: i.closed_by_session });
  const oc = ours.status === 'closed';
  const tc = theirs.status === 'closed';
  if (oc && tc) {
    const c = compareTime(theirs.closed_at, ours.closed_at);
    const side: Side = c > 0 ? 'theirs' : c < 0 ? 'ours' : newer;
    const r = take(side === 'ours' ? ours : theirs);
    if (!eq(take(ours), take(theirs))) notes.push(`${id}: closed on both sides; kept the ${c === 0 ? 'newer' : 'later'} close (${side})`);
    return r;
  }
  if (oc !== tc) {
    const [closed, open, closedSide, openSide]: [Issue, Issue, Side, Side] = oc ? [ours, theirs, 'ours', 'theirs'] : [theirs, ours, 'theirs', 'ours'];
    if (base && base.status === 'closed' && eq(take(closed), take(base))) {
      notes.push(`${id}: reopened on ${openSide} (${open.status}); the close on ${closedSide} was the base's`);
      return take(open);
    }
    if (!base || !eq(take(open), take(base))) notes.push(`${id}: closed on ${closedSide}, ${open.status} on ${openSide}; closed wins`);
    return take(closed);
  }
  const r: Rec = {};
  for (const key of CLOSE_KEYS) r[key] = pick(`${id}: ${key}`, ours[key], theirs[key], base?.[key], base !== undefined, newer, notes);
  return r;
}

/** Tombstone vs live / tombstone vs tombstone; undefined when neither side is a tombstone. */
function mergeTombstones(id: string, ours: Issue, theirs: Issue, notes: string[]): Issue | undefined {
  const ot = ours.status === TOMBSTONE;
  const tt = theirs.status === TOMBSTONE;
  if (!ot && !tt) return undefined;
  const updated_at = later(ours.updated_at, theirs.updated_at);
  if (ot && tt) {
    const side = compareTime(deletedAt(theirs), deletedAt(ours)) > 0 ? theirs : ours;
    return { ...side, updated_at };
  }
  const [tomb, live, tombSide]: [Issue, Issue, Side] = ot ? [ours, theirs, 'ours'] : [theirs, ours, 'theirs'];
  const age = timeMs(updated_at) - timeMs(deletedAt(tomb));
  if (age <= TOMBSTONE_TTL_MS) {
    if (!sameIssue(tomb, live)) notes.push(`${id}: deleted on ${tombSide} (tombstone within 30 days wins over the live copy)`);
    return { ...tomb, updated_at };
  }
  notes.push(`${id}: tombstone on ${tombSide} is older than 30 days before the live copy's update; resurrected`);
  return live;
}

function mergeBoth(base: Issue | undefined, ours: Issue, theirs: Issue, notes: string[]): Issue {
  const id = ours.id;
  if (sameIssue(ours, theirs)) return ours;
  const tomb = mergeTombstones(id, ours, theirs, notes);
  if (tomb) return tomb;
  const newer: Side = compareTime(theirs.updated_at, ours.updated_at) > 0 ? 'theirs' : 'ours';
  const hasBase = base !== undefined;
  const o = ours as unknown as Rec;
  const t = theirs as unknown as Rec;
  const b = base as unknown as Rec | undefined;
  const merged: Rec = { ...mergeClose(id, base, ours, theirs, newer, notes) };
  for (const key of ISSUE_KEY_ORDER) {
    if (!SPECIAL.has(key)) merged[key] = pick(`${id}: ${key}`, o[key], t[key], b?.[key], hasBase, newer, notes);
  }
  merged.id = id;
  merged.updated_at = later(ours.updated_at, theirs.updated_at);
  merged.labels = [...new Set([...(ours.labels ?? []), ...(theirs.labels ?? [])])].sort();
  const [first, second] = newer === 'ours' ? [ours, theirs] : [theirs, ours];
  merged.waiters = unionBy(first.waiters, second.waiters, (w) => w);
  merged.comments = eq(ours.comments, theirs.comments)
    ? ours.comments
    : unionBy(first.comments, second.comments, commentKey).sort((x, y) => compareTime(x.created_at, y.created_at));
  merged.dependencies = mergeDeps(id, base, ours, theirs, newer, notes);
  const extra: Rec = {};
  for (const key of new Set([...Object.keys(ours.extra ?? {}), ...Object.keys(theirs.extra ?? {})])) {
    const v = pick(`${id}: ${key}`, ours.extra?.[key], theirs.extra?.[key], base?.extra?.[key], hasBase, newer, notes);
    if (v !== undefined) extra[key] = v;
  }
  if (merged.status !== 'closed' && merged.status !== TOMBSTONE) delete merged.closed_at;
  else merged.closed_at ??= merged.updated_at;
  const issue: Rec = {};
  for (const key of ISSUE_KEY_ORDER) {
    const v = merged[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) issue[key] = v;
  }
  if (Object.keys(extra).length) issue.extra = extra;
  return issue as unknown as Issue;
}

function mergeNoted(base: Issue | undefined, ours: Issue | undefined, theirs: Issue | undefined, notes: string[]): Issue | undefined {
  if (ours && theirs) return mergeBoth(base, ours, theirs, notes);
  const present = ours ?? theirs;
  if (!present || !base) return present;
  if (sameIssue(base, present)) return undefined; // deleted on the other side, untouched here
  notes.push(`${present.id}: deleted on ${ours ? 'theirs' : 'ours'} but changed on ${ours ? 'ours' : 'theirs'}; kept the changed copy`);
  return present;
}

/**
 * Merge one issue's three versions by the rules in this module's header (beads.md §5 "Merge").
 * Any argument may be undefined (absent on that side; base undefined = 2-way merge).
 *
 * @returns the merged issue, or undefined when it is deleted (absent on both sides, or deleted on
 *   one side and unchanged on the other).
 */
export function mergeIssues(base: Issue | undefined, ours: Issue | undefined, theirs: Issue | undefined): Issue | undefined {
  return mergeNoted(base, ours, theirs, []);
}

/**
 * Merge three `issues.jsonl` texts by id (the `gt bd merge-driver %O %A %B` logic): parse each
 * (any dialect), {@link mergeIssues} every id, and write the result with {@link exportJsonl} —
 * sorted, no duplicate ids, never conflict markers. An empty `baseText` means a 2-way merge.
 * Memory lines (dialect B) are not part of the merged export; dropping them is noted.
 *
 * @param files names used in parse errors (default `base`, `ours`, `theirs`).
 * @throws GtError JSONL_PARSE from {@link parseJsonl}, naming the file and line.
 */
export function mergeJsonl(
  baseText: string,
  oursText: string,
  theirsText: string,
  files: { base?: string; ours?: string; theirs?: string } = {},
): MergeResult {
  const base = baseText.trim() ? parseJsonl(baseText, files.base ?? 'base') : undefined;
  const ours = parseJsonl(oursText, files.ours ?? 'ours');
  const theirs = parseJsonl(theirsText, files.theirs ?? 'theirs');
  const byId = (issues: Issue[] | undefined): Map<string, Issue> => new Map((issues ?? []).map((i) => [i.id, i]));
  const [b, o, t] = [byId(base?.issues), byId(ours.issues), byId(theirs.issues)];
  const notes: string[] = [];
  const merged: Issue[] = [];
  for (const id of new Set([...o.keys(), ...t.keys(), ...b.keys()])) {
    const issue = mergeNoted(b.get(id), o.get(id), t.get(id), notes);
    if (issue) merged.push(issue);
  }
  const memories = ours.memories.length + theirs.memories.length;
  if (memories) notes.push(`${memories} memory line(s) dropped: the merged file holds issues only`);
  return { text: exportJsonl(merged), conflicts: notes };
}
