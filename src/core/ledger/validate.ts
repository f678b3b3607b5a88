/**
 * Validation of user input to the ledger (beads.md §1.2): priorities, statuses, types,
 * dependency types, titles. Every error lists the allowed values.
 */
import { GtError } from '../errors.js';
import {
  ISSUE_TYPE_ALIASES, ISSUE_TYPES, PRIORITY_MAX, PRIORITY_MIN, STATUSES, TOMBSTONE,
} from './types.js';

/** Longest title beads accepts (SQLite CHECK in beads). */
export const MAX_TITLE_LENGTH = 500;
/** Longest dependency type string (beads.md §9 Accept 7). */
export const MAX_DEP_TYPE_LENGTH = 50;

const PRIORITY_WORDS: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, normal: 2, low: 3, backlog: 4 };

/**
 * Read a priority: `0`..`4`, `P0`..`P4` (any case), or a word (critical, high, medium, low, backlog).
 *
 * @throws GtError INVALID_PRIORITY listing the allowed values.
 */
export function parsePriority(input: string | number): number {
  const text = String(input).trim().toLowerCase();
  const m = /^p?([0-9]+)$/.exec(text);
  const n = m ? Number(m[1]) : PRIORITY_WORDS[text];
  if (n === undefined || !Number.isInteger(n) || n < PRIORITY_MIN || n > PRIORITY_MAX) {
    throw new GtError('INVALID_PRIORITY', `invalid priority "${input}"`, {
      fix: 'use 0-4 or P0-P4 (0 = critical, 1 = high, 2 = medium, 3 = low, 4 = backlog)',
      details: { allowed: [0, 1, 2, 3, 4] },
    });
  }
  return n;
}

/**
 * Custom statuses from beads config `status.custom` (`name[:active|wip|done|frozen]`, comma
 * separated): returns the names.
 */
export function customStatuses(configValue: string | undefined): string[] {
  if (!configValue) return [];
  return configValue.split(',').map((s) => s.trim().split(':')[0]!.trim()).filter((s) => /^[a-z][a-z0-9_-]*$/.test(s));
}

/**
 * Check a status given on the command line: a built-in status or a configured custom one.
 * `tombstone` is not settable (use delete).
 *
 * @throws GtError INVALID_STATUS listing the allowed values.
 */
export function parseStatus(input: string, custom: readonly string[] = []): string {
  const s = input.trim().toLowerCase().replace(/-/g, '_');
  const allowed = [...STATUSES, ...custom];
  if (!allowed.includes(s) || s === TOMBSTONE) {
    throw new GtError('INVALID_STATUS', `invalid status "${input}"`, {
      fix: `use one of: ${allowed.join(', ')}`,
      details: { allowed },
    });
  }
  return s;
}

/**
 * Read an issue type, resolving beads' aliases (feat → feature, mr → merge-request, …).
 * Custom types from config `types.custom` are accepted.
 *
 * @throws GtError INVALID_VALUE listing the allowed types.
 */
export function parseIssueType(input: string, custom: readonly string[] = []): string {
  const t = input.trim().toLowerCase();
  const resolved = ISSUE_TYPE_ALIASES[t] ?? t;
  const allowed: string[] = [...ISSUE_TYPES, ...custom];
  if (!allowed.includes(resolved)) {
    throw new GtError('INVALID_VALUE', `invalid issue type "${input}"`, {
      fix: `use one of: ${allowed.join(', ')}`,
      details: { allowed },
    });
  }
  return resolved;
}

/**
 * Check a dependency type: any non-empty string of at most 50 characters without spaces
 * (beads.md §3: unknown types are stored and treated as non-blocking).
 *
 * @throws GtError INVALID_VALUE.
 */
export function parseDepType(input: string): string {
  const t = input.trim();
  if (!t || t.length > MAX_DEP_TYPE_LENGTH || /\s/.test(t)) {
    throw new GtError('INVALID_VALUE', `invalid dependency type "${input}"`, {
      fix: 'use blocks, parent-child, related, discovered-from, waits-for, conditional-blocks, tracks, or another word of at most 50 chars',
    });
  }
  return t;
}

/**
 * Check a title: non-empty after trimming, at most 500 characters.
 *
 * @throws GtError INVALID_VALUE.
 */
export function checkTitle(title: string): string {
  const t = title.trim();
  if (!t) throw new GtError('INVALID_VALUE', 'a bead needs a title', { fix: 'give a title: gt bd create "Fix the login bug"' });
  if (t.length > MAX_TITLE_LENGTH) {
    throw new GtError('INVALID_VALUE', `title is ${t.length} characters; the limit is ${MAX_TITLE_LENGTH}`, {
      fix: 'shorten the title and put the detail in --description',
    });
  }
  return t;
}

/**
 * Read `--deps` as beads does: comma-separated `id` or `type:id` items (`blocks:hq-a1,hq-b2`).
 * Bare ids mean `blocks`.
 */
export function parseDepsOption(value: string): Array<{ type: string; id: string }> {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const colon = item.indexOf(':');
    if (colon > 0 && !item.startsWith('external:')) {
      return { type: parseDepType(item.slice(0, colon)), id: item.slice(colon + 1) };
    }
    return { type: 'blocks', id: item };
  });
}
