/**
 * Schema migrations of `town.db`, applied in order inside one transaction each; the applied
 * version is SQLite's `user_version`. Never edit a shipped migration: add a new one.
 *
 * Layout (beads.md §1.2-1.3): `issues` keeps each bead's full JSON document (`doc`, beads field
 * names, unknown fields kept) plus projected columns used by queries; `is_blocked` is the
 * materialized blocked state (beads' `blocked_issues_cache` idea) kept current in the same
 * transaction as every change, so ready work is one indexed query.
 */

/** One migration: its version (1, 2, …) and the SQL that brings the schema from version-1 to it. */
export interface Migration {
  version: number;
  sql: string;
}

/** All migrations, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE issues (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  status      TEXT NOT NULL,
  priority    INTEGER NOT NULL,
  issue_type  TEXT NOT NULL,
  assignee    TEXT NOT NULL DEFAULT '',
  created_key TEXT NOT NULL,           -- UTC, 9 fractional digits: sorts as time
  updated_key TEXT NOT NULL,
  defer_key   TEXT,                    -- defer_until as a key, or NULL
  pinned      INTEGER NOT NULL DEFAULT 0,
  ephemeral   INTEGER NOT NULL DEFAULT 0,
  is_template INTEGER NOT NULL DEFAULT 0,
  is_blocked  INTEGER NOT NULL DEFAULT 0,
  doc         TEXT NOT NULL            -- the bead as JSON, without labels/dependencies/comments
);
CREATE INDEX issues_ready ON issues(status, is_blocked, priority, created_key DESC, id);
CREATE INDEX issues_assignee ON issues(assignee) WHERE assignee <> '';
CREATE INDEX issues_updated ON issues(updated_key);

CREATE TABLE dependencies (
  issue_id      TEXT NOT NULL,
  depends_on_id TEXT NOT NULL,
  type          TEXT NOT NULL,
  doc           TEXT NOT NULL,         -- the edge as JSON (beads field names), for round-trip
  UNIQUE (issue_id, depends_on_id)     -- one edge per ordered pair (beads); rowid keeps insertion order
);
CREATE INDEX dependencies_target ON dependencies(depends_on_id, type);

CREATE TABLE labels (
  issue_id TEXT NOT NULL,
  label    TEXT NOT NULL,
  PRIMARY KEY (issue_id, label)
) WITHOUT ROWID;
CREATE INDEX labels_label ON labels(label);

CREATE TABLE comments (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL,            -- JSON of the original id (number or string)
  issue_id   TEXT NOT NULL,
  author     TEXT NOT NULL,
  text       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX comments_issue ON comments(issue_id);

CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  issue_id   TEXT NOT NULL,
  event_type TEXT NOT NULL,
  actor      TEXT NOT NULL,
  old_value  TEXT,
  new_value  TEXT,
  comment    TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX events_issue ON events(issue_id);

-- beads config rows (issue_prefix, types.custom, kv.memory.*, …)
CREATE TABLE config (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE child_counters (
  parent_id  TEXT PRIMARY KEY,
  last_child INTEGER NOT NULL
) WITHOUT ROWID;

-- ledger bookkeeping: change counter, export/import fingerprints, flusher lease
CREATE TABLE ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- the rigs of the town (the registry; per-rig settings live in <rig>/settings/config.json)
CREATE TABLE rigs (
  name           TEXT PRIMARY KEY,
  prefix         TEXT NOT NULL UNIQUE,
  git_url        TEXT NOT NULL,
  default_branch TEXT NOT NULL,
  added_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE crew (
  rig        TEXT NOT NULL,
  name       TEXT NOT NULL,
  branch     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (rig, name)
) WITHOUT ROWID;
`,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
