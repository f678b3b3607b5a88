/**
 * The beads issue schema (../shared/research/beads.md §1.2, §1.3) as TypeScript types.
 *
 * Field names and JSON shapes are beads' own (`types.Issue` in beads' Go code), so an agent
 * trained on `bd` reads and writes them unchanged. Timestamps are kept as the RFC 3339 text they
 * were written with (beads.md §9 Accept 6 is satisfied by {@link ../time.timeKey} for ordering);
 * unknown and legacy fields are kept in {@link Issue.extra} so export round-trips.
 */

/** Built-in statuses (beads.md §1.2 `status`). Custom statuses are allowed on import. */
export const STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked'] as const;

/** Soft-delete status of the SQLite era: kept as a row, excluded from every view (beads.md §9 Accept 4). */
export const TOMBSTONE = 'tombstone';

/** Built-in issue types (beads.md §1.2 `issue_type`) plus Gas Town's custom types. */
export const ISSUE_TYPES = [
  'bug', 'feature', 'task', 'epic', 'chore', 'decision', 'message', 'molecule', 'gate', 'spike',
  'story', 'milestone', 'event',
  // Gas Town custom types (types.custom in a Gas Town town).
  'agent', 'role', 'rig', 'convoy', 'slot', 'queue', 'merge-request', 'escalation',
] as const;

/** Input aliases for issue types accepted by `create` and `update` (beads.md §1.2). */
export const ISSUE_TYPE_ALIASES: Readonly<Record<string, string>> = {
  enhancement: 'feature', feat: 'feature', dec: 'decision', adr: 'decision',
  investigation: 'spike', timebox: 'spike', 'user-story': 'story', user_story: 'story',
  ms: 'milestone', mr: 'merge-request', mol: 'molecule',
};

/** Types never shown as ready work (beads.md §3 ready rule 4). */
export const NON_WORK_TYPES = ['merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig'] as const;

/** Dependency types that block readiness directly (beads.md §3). */
export const BLOCKING_DEP_TYPES = ['blocks', 'conditional-blocks'] as const;

/** Dependency types checked for cycles on write (beads.md §3: only blocks + conditional-blocks). */
export const CYCLE_CHECKED_DEP_TYPES = BLOCKING_DEP_TYPES;

/** Well-known dependency types; any other string of 1..50 chars is accepted too. */
export const KNOWN_DEP_TYPES = [
  'blocks', 'parent-child', 'related', 'discovered-from', 'waits-for', 'conditional-blocks', 'tracks',
  'relates-to', 'replies-to', 'duplicates', 'supersedes', 'until', 'caused-by', 'validates',
] as const;

/** Lowest and highest priority (0 = critical/P0, 4 = backlog; default 2 on create). */
export const PRIORITY_MIN = 0;
/** See {@link PRIORITY_MIN}. */
export const PRIORITY_MAX = 4;
/** Priority a new bead gets when none is given (beads' default). */
export const DEFAULT_PRIORITY = 2;

/** One dependency edge: `issue_id` depends on `depends_on_id` (beads.md §1.3, §3 direction). */
export interface Dependency {
  /** The dependent issue (the one that waits). */
  issue_id: string;
  /** The issue depended on; may be missing locally, a wisp, another prefix or `external:<proj>:<x>`. */
  depends_on_id: string;
  /** Edge type: one of {@link KNOWN_DEP_TYPES} or any other string of at most 50 chars. */
  type: string;
  /** RFC 3339 text as written. */
  created_at?: string;
  /** Actor who added the edge. */
  created_by?: string;
  /** JSON text (beads stores it as a string, e.g. `"{}"` or `{"gate":"any-children"}`). */
  metadata?: string;
  /** Thread id of `replies-to` edges. */
  thread_id?: string;
  /** Unknown keys of the edge, kept for round-trip. */
  extra?: Record<string, unknown>;
}

/** One comment (beads.md §1.3). `id` is an integer (SQLite era) or a UUID string (Dolt era). */
export interface Comment {
  /** Integer or string id, as written. */
  id: number | string;
  /** The commented issue. */
  issue_id: string;
  /** Author actor. */
  author: string;
  /** Markdown text. */
  text: string;
  /** RFC 3339 text as written. */
  created_at: string;
}

/** One audit event (beads.md §1.3). Values are often JSON snapshots as strings. */
export interface LedgerEvent {
  /** Integer id (local autoincrement). */
  id?: number;
  /** The issue the event is about. */
  issue_id: string;
  /** `created updated status_changed commented closed reopened dependency_added dependency_removed label_added label_removed …`. */
  event_type: string;
  /** Who did it. */
  actor: string;
  /** Previous value (JSON text or plain), if any. */
  old_value?: string | null;
  /** New value (JSON text or plain), if any. */
  new_value?: string | null;
  /** Free text, if any. */
  comment?: string | null;
  /** RFC 3339 text. */
  created_at: string;
}

/**
 * One issue (bead) with beads' JSON field names. Optional fields are absent when empty
 * (`omitempty`), except `priority`, `created_at` and `updated_at`, which are always present.
 */
export interface Issue {
  id: string;
  title: string;
  description?: string;
  design?: string;
  acceptance_criteria?: string;
  notes?: string;
  spec_id?: string;
  /** Built-in {@link STATUSES}, `tombstone`, or a custom status. */
  status: string;
  /** 0..4. */
  priority: number;
  issue_type: string;
  assignee?: string;
  owner?: string;
  /** Minutes, >= 0. */
  estimated_minutes?: number;
  created_at: string;
  created_by?: string;
  updated_at: string;
  started_at?: string;
  /** Set iff status is closed (tombstones may keep it). */
  closed_at?: string;
  close_reason?: string;
  closed_by_session?: string;
  due_at?: string;
  defer_until?: string;
  external_ref?: string;
  source_system?: string;
  /** Arbitrary JSON value (beads stores raw JSON). */
  metadata?: unknown;
  compaction_level?: number;
  compacted_at?: string;
  compacted_at_commit?: string;
  /** Bytes. */
  original_size?: number;
  /** Sorted, unique. */
  labels?: string[];
  /** Outgoing edges only (`issue_id` is this issue). */
  dependencies?: Dependency[];
  comments?: Comment[];
  sender?: string;
  ephemeral?: boolean;
  no_history?: boolean;
  wisp_type?: string;
  pinned?: boolean;
  is_template?: boolean;
  bonded_from?: unknown[];
  await_type?: string;
  await_id?: string;
  /** Go duration in nanoseconds. */
  timeout?: number;
  waiters?: string[];
  source_formula?: string;
  source_location?: string;
  mol_type?: string;
  work_type?: string;
  event_kind?: string;
  actor?: string;
  target?: string;
  payload?: string;
  /** Unknown and legacy fields (`deleted_at`, `hook_bead`, …) in the order they were read. */
  extra?: Record<string, unknown>;
}

/**
 * Export key order: beads' Go struct order (beads.md §9 Produce 1). Keys outside this list
 * ({@link Issue.extra}) follow in the order they were read.
 */
export const ISSUE_KEY_ORDER = [
  'id', 'title', 'description', 'design', 'acceptance_criteria', 'notes', 'spec_id', 'status', 'priority',
  'issue_type', 'assignee', 'owner', 'estimated_minutes', 'created_at', 'created_by', 'updated_at',
  'started_at', 'closed_at', 'close_reason', 'closed_by_session', 'due_at', 'defer_until', 'external_ref',
  'source_system', 'metadata', 'compaction_level', 'compacted_at', 'compacted_at_commit', 'original_size',
  'labels', 'dependencies', 'comments', 'sender', 'ephemeral', 'no_history', 'wisp_type', 'pinned',
  'is_template', 'bonded_from', 'await_type', 'await_id', 'timeout', 'waiters', 'source_formula',
  'source_location', 'mol_type', 'work_type', 'event_kind', 'actor', 'target', 'payload',
] as const satisfies ReadonlyArray<keyof Issue>;

/** Keys of {@link ISSUE_KEY_ORDER}, as a set for lookups. */
export const KNOWN_ISSUE_KEYS: ReadonlySet<string> = new Set<string>(ISSUE_KEY_ORDER);

/** Fields derived by `bd export`/CLI output that are ignored on import (beads.md §1.2). */
export const DERIVED_KEYS: ReadonlySet<string> = new Set(['dependency_count', 'dependent_count', 'comment_count', 'parent', '_type']);

/** A memory line of dialect B (`{"_type":"memory","key","value"}`), stored as config `kv.memory.<key>`. */
export interface Memory {
  key: string;
  value: string;
}

/** A config row (dialect C `config.jsonl`, and `kv.memory.*`). */
export interface ConfigEntry {
  key: string;
  value: string;
}
