/**
 * beads' large-ledger fixture recipe (../shared/research/beads.md §7, `internal/testutil/fixtures`)
 * as a deterministic generator: 10 % epics, 30 % features, 60 % tasks linked epic → feature →
 * task by `parent-child` edges; about half open (the rest closed within the last 30 days, some in
 * progress); 20 % of tasks get a `blocks` edge onto a task of another epic; ages up to
 * 180/150/120 days for epics/features/tasks; labels and assignees from small fixed pools.
 * beads' sizes: Large = 10,000 issues with seed 42, XLarge = 20,000 with seed 43.
 *
 * Everything comes from one seeded PRNG ({@link mulberry32}) and a fixed clock
 * ({@link FIXTURE_NOW}), so `makeFixture(n, seed)` is the same on every machine and run, and its
 * JSONL can be cached ({@link fixtureJsonl}).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJsonl } from '../src/core/ledger/jsonl-export.js';
import type { Dependency, Issue } from '../src/core/ledger/types.js';
import { clockNs, elapsedMs } from './stats.js';

/** beads' Large fixture: 10,000 issues, seed 42. */
export const LARGE = { n: 10_000, seed: 42 } as const;
/** beads' XLarge fixture: 20,000 issues, seed 43. */
export const XLARGE = { n: 20_000, seed: 43 } as const;

/**
 * The fixture's "now" (2026-11-01T00:00:00Z): ages and closing times are measured back from
 * it, so the output does not depend on the day it is generated. It is in the past, so no bead
 * is created in the future.
 */
export const FIXTURE_NOW = Date.UTC(2026, 10, 1);

/** Bump when the recipe changes, so cached JSONL from an older recipe is not reused. */
export const RECIPE_VERSION = 1;

const DAY = 86_400_000;

/**
 * mulberry32: a small, fast, seeded 32-bit PRNG.
 *
 * @returns a function giving floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LABELS = ['backend', 'frontend', 'api', 'db', 'ui', 'perf', 'security', 'docs', 'infra', 'testing'] as const;
const ASSIGNEES = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'gastown/polecats/nux', 'gastown/crew/max'] as const;
const CREATORS = ['overseer', 'mayor', 'alice', 'bob'] as const;
const VERBS = ['Implement', 'Fix', 'Refactor', 'Document', 'Test', 'Optimize', 'Review', 'Migrate', 'Design', 'Remove'] as const;
const NOUNS = ['login flow', 'merge queue', 'search index', 'cache layer', 'export job', 'rate limiter', 'config loader',
  'session store', 'billing page', 'audit log', 'retry policy', 'schema migration'] as const;
const SENTENCES = [
  'The current behaviour is inconsistent under load and needs a closer look.',
  'Acceptance: covered by tests, documented, and reviewed by one other agent.',
  'Keep the public API unchanged; callers depend on the existing shape.',
  'See the linked design notes for the trade-offs that were considered.',
  'Measure before and after; the change must not slow the hot path.',
  'Split into smaller steps if this turns out larger than a day of work.',
] as const;

function pick<T>(rng: () => number, pool: readonly T[]): T {
  return pool[Math.floor(rng() * pool.length)]!;
}

/** RFC 3339 UTC with whole seconds, as beads' Dolt era writes it (`2026-03-05T23:46:56Z`). */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `bd-` + 6 base36 characters from the PRNG, unique within `used`. */
function newId(rng: () => number, used: Set<string>): string {
  for (;;) {
    let s = '';
    for (let i = 0; i < 6; i++) s += Math.floor(rng() * 36).toString(36);
    const id = `bd-${s}`;
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/**
 * Generate `n` issues with beads' fixture recipe (see the module comment), deterministically
 * from `seed`. Order is generation order: all epics, then features, then tasks. `blocks` edges
 * only point at an earlier task (of another epic), so there are no cycles.
 */
export function makeFixture(n: number, seed: number): Issue[] {
  const rng = mulberry32(seed);
  const used = new Set<string>();
  const nEpics = Math.max(1, Math.round(n * 0.1));
  const nFeatures = Math.max(1, Math.round(n * 0.3));
  const nTasks = Math.max(0, n - nEpics - nFeatures);
  const issues: Issue[] = [];

  const make = (type: 'epic' | 'feature' | 'task', index: number, maxAgeDays: number): Issue => {
    const id = newId(rng, used);
    const createdMs = FIXTURE_NOW - Math.floor(rng() * maxAgeDays * DAY);
    const createdBy = pick(rng, CREATORS);
    const r = rng();
    const status = r < 0.5 ? 'open' : r < 0.6 ? 'in_progress' : 'closed';
    const issue: Issue = {
      id,
      title: `${pick(rng, VERBS)} ${pick(rng, NOUNS)} (${type} ${index + 1})`,
      description: `${pick(rng, SENTENCES)} ${pick(rng, SENTENCES)}`,
      status,
      priority: Math.floor(rng() * 5),
      issue_type: type,
      created_at: rfc3339(createdMs),
      created_by: createdBy,
      updated_at: rfc3339(createdMs),
    };
    const ageMs = FIXTURE_NOW - createdMs;
    if (status === 'closed') {
      const closedMs = FIXTURE_NOW - Math.floor(rng() * Math.min(30 * DAY, ageMs));
      issue.closed_at = rfc3339(closedMs);
      issue.updated_at = issue.closed_at;
      issue.close_reason = 'done';
      issue.assignee = pick(rng, ASSIGNEES);
    } else if (status === 'in_progress') {
      const startedMs = createdMs + Math.floor(rng() * ageMs);
      issue.started_at = rfc3339(startedMs);
      issue.updated_at = issue.started_at;
      issue.assignee = pick(rng, ASSIGNEES);
    } else {
      issue.updated_at = rfc3339(createdMs + Math.floor(rng() * ageMs));
      if (rng() < 0.5) issue.assignee = pick(rng, ASSIGNEES);
    }
    const nLabels = Math.floor(rng() * 3);
    if (nLabels) issue.labels = [...new Set(Array.from({ length: nLabels }, () => pick(rng, LABELS)))].sort();
    return issue;
  };

  const edge = (child: Issue, target: string, type: string): void => {
    const dep: Dependency = { issue_id: child.id, depends_on_id: target, type, created_at: child.created_at, created_by: child.created_by ?? 'overseer' };
    (child.dependencies ??= []).push(dep);
  };

  const epics: Issue[] = [];
  for (let i = 0; i < nEpics; i++) epics.push(make('epic', i, 180));
  const features: Array<{ issue: Issue; epic: number }> = [];
  for (let i = 0; i < nFeatures; i++) {
    const issue = make('feature', i, 150);
    const epic = Math.floor(rng() * nEpics);
    edge(issue, epics[epic]!.id, 'parent-child');
    features.push({ issue, epic });
  }
  const tasks: Array<{ issue: Issue; epic: number }> = [];
  for (let i = 0; i < nTasks; i++) {
    const issue = make('task', i, 120);
    const feature = features[Math.floor(rng() * nFeatures)]!;
    edge(issue, feature.issue.id, 'parent-child');
    if (i > 0 && rng() < 0.2) {
      // A task of another epic, earlier in generation order (no cycles); give up after a few tries.
      for (let attempt = 0; attempt < 8; attempt++) {
        const other = tasks[Math.floor(rng() * i)]!;
        if (other.epic !== feature.epic) {
          edge(issue, other.issue.id, 'blocks');
          break;
        }
      }
    }
    tasks.push({ issue, epic: feature.epic });
  }
  issues.push(...epics, ...features.map((f) => f.issue), ...tasks.map((t) => t.issue));
  return issues;
}

/** Directory of the fixture cache, `bench/.cache/` (gitignored). */
export const CACHE_DIR = fileURLToPath(new URL('.cache/', import.meta.url));

/** A fixture as JSONL text, and where it came from. */
export interface FixtureText {
  /** `exportJsonl(makeFixture(n, seed))`. */
  text: string;
  /** The cache file. */
  file: string;
  /** True when read from the cache, false when generated now. */
  cached: boolean;
  /** Time to read or generate (and write) it, ms. */
  ms: number;
}

/**
 * The JSONL of `makeFixture(n, seed)` (beads dialect A, via exportJsonl), cached in
 * `bench/.cache/ledger-fixture-v<RECIPE_VERSION>-n<n>-s<seed>.jsonl`.
 */
export function fixtureJsonl(n: number, seed: number): FixtureText {
  const start = clockNs();
  const file = join(CACHE_DIR, `ledger-fixture-v${RECIPE_VERSION}-n${n}-s${seed}.jsonl`);
  if (existsSync(file)) return { text: readFileSync(file, 'utf8'), file, cached: true, ms: elapsedMs(start) };
  const text = exportJsonl(makeFixture(n, seed));
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return { text, file, cached: false, ms: elapsedMs(start) };
}
