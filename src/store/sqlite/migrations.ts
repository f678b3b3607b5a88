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
  {
    version: 2,
    sql: `
-- agents: polecats, crew, mayor … (Gas Town roles); address is the agent's mail address and BD_ACTOR
CREATE TABLE agents (
  address    TEXT PRIMARY KEY,          -- 'demo/polecats/nux', 'demo/crew/alice', 'mayor'
  role       TEXT NOT NULL,             -- polecat | crew | mayor | witness | refinery | deacon
  rig        TEXT NOT NULL DEFAULT '',
  name       TEXT NOT NULL,
  runtime    TEXT NOT NULL DEFAULT '',  -- runtime preset of its sessions
  state      TEXT NOT NULL DEFAULT 'idle', -- idle | working | done | stalled | nuked
  hook_bead  TEXT NOT NULL DEFAULT '',  -- the bead on its hook ('' = none)
  worktree   TEXT NOT NULL DEFAULT '',  -- sandbox path (polecats, crew)
  branch     TEXT NOT NULL DEFAULT '',
  generation INTEGER NOT NULL DEFAULT 0, -- generation of its latest session
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX agents_rig ON agents(rig, role);

-- every session an agent ever had; id = '<address>#<generation>'
CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,
  agent       TEXT NOT NULL,
  generation  INTEGER NOT NULL,
  runtime     TEXT NOT NULL,
  argv        TEXT NOT NULL,            -- JSON array: command and args
  cwd         TEXT NOT NULL,
  pid         INTEGER,
  state       TEXT NOT NULL,            -- running | exited
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  exit_code   INTEGER,
  exit_reason TEXT,
  recording   TEXT                      -- asciicast v2 file
) WITHOUT ROWID;
CREATE INDEX sessions_agent ON sessions(agent, generation);

-- what each agent did with each bead (identity and work history)
CREATE TABLE agent_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  agent      TEXT NOT NULL,
  bead_id    TEXT NOT NULL,
  outcome    TEXT NOT NULL,             -- slung | done | no_changes | merged | failed | unslung | restarted
  detail     TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX agent_history_agent ON agent_history(agent);

-- merge requests recorded by gt done, worked by the refinery
CREATE TABLE merge_requests (
  id         TEXT PRIMARY KEY,          -- '<rig>-mr-<n>'
  rig        TEXT NOT NULL,
  branch     TEXT NOT NULL,
  target     TEXT NOT NULL,
  bead_id    TEXT NOT NULL,
  polecat    TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  priority   INTEGER NOT NULL DEFAULT 2,
  convoy     TEXT,
  retries    INTEGER NOT NULL DEFAULT 0,
  state      TEXT NOT NULL DEFAULT 'queued', -- queued | testing | merged | rework | failed | rejected
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (branch, commit_sha)
) WITHOUT ROWID;
CREATE INDEX merge_requests_rig ON merge_requests(rig, state);

-- handoff notes for an agent's next session (shown by gt prime)
CREATE TABLE handoffs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  agent      TEXT NOT NULL,
  note       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  consumed   INTEGER NOT NULL DEFAULT 0
);

-- nudges: text typed into a live session, delivered exactly once
CREATE TABLE nudges (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  agent        TEXT NOT NULL,
  generation   INTEGER,                 -- only for this session generation (NULL: any)
  text         TEXT NOT NULL,
  urgent       INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL DEFAULT 'queued', -- queued | delivered | failed | stale
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  created_at   TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX nudges_agent ON nudges(agent, state);
`,
  },
  {
    version: 3,
    sql: `
-- refinery bookkeeping (issue #4)
ALTER TABLE merge_requests ADD COLUMN merged_sha TEXT;
ALTER TABLE merge_requests ADD COLUMN error TEXT;
ALTER TABLE merge_requests ADD COLUMN batch_id TEXT;

-- one batch the refinery assembled: what it tested, and where it stands (for crash recovery)
CREATE TABLE refinery_batches (
  id         TEXT PRIMARY KEY,
  rig        TEXT NOT NULL,
  target     TEXT NOT NULL,
  base       TEXT NOT NULL,            -- target sha the batch was built on
  mr_ids     TEXT NOT NULL,            -- JSON array, in merge order
  state      TEXT NOT NULL,            -- testing | landing | landed | failed | abandoned | preexisting
  tip        TEXT,                     -- the tested tip being landed
  runs       INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX refinery_batches_rig ON refinery_batches(rig, state);

-- every gate run: which stack, which tip, which gate failed, flaky or not
CREATE TABLE gate_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  rig         TEXT NOT NULL,
  batch_id    TEXT NOT NULL,
  stack       TEXT NOT NULL,           -- JSON array of MR ids
  tip         TEXT,
  passed      INTEGER NOT NULL,
  flaky       INTEGER NOT NULL DEFAULT 0,
  failed_gate TEXT,
  result      TEXT NOT NULL,           -- JSON: every gate run
  duration_ms INTEGER NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX gate_runs_batch ON gate_runs(batch_id);

-- per rig: paused by a user, or blocked because the target itself fails its gates
CREATE TABLE refinery_state (
  rig            TEXT PRIMARY KEY,
  paused         INTEGER NOT NULL DEFAULT 0,
  blocked_sha    TEXT,
  blocked_reason TEXT,
  good_sha       TEXT,                 -- the last target sha known to pass the gates
  updated_at     TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    sql: `
-- coordination (issue #5): typed mail, escalations, town events, the sling queue, witness state

-- one message; its recipients are mail_deliveries rows
CREATE TABLE messages (
  id         TEXT PRIMARY KEY,          -- 'msg-<n>'
  thread_id  TEXT NOT NULL,             -- the first message's id
  reply_to   TEXT,
  sender     TEXT NOT NULL,             -- an address ('app/refinery', 'overseer', …)
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  kind       TEXT NOT NULL,             -- POLECAT_DONE MERGE_READY MERGED MERGE_FAILED FIX_NEEDED REWORK_REQUEST HELP HANDOFF CONVOY_LANDED plain
  fields     TEXT NOT NULL DEFAULT '{}', -- JSON: the protocol's structured fields
  priority   INTEGER NOT NULL DEFAULT 2,
  urgent     INTEGER NOT NULL DEFAULT 0,
  bead_id    TEXT,                      -- the bead it is about, if any
  created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX messages_thread ON messages(thread_id);

-- one recipient of one message: read and archived state, and the announcement nudge
CREATE TABLE mail_deliveries (
  message_id  TEXT NOT NULL,
  address     TEXT NOT NULL,
  role        TEXT NOT NULL,            -- to | cc
  via         TEXT,                     -- the group it came through ('@town', …), if any
  read_at     TEXT,
  archived_at TEXT,
  announce    TEXT NOT NULL DEFAULT 'pending', -- pending | queued | done | skipped
  PRIMARY KEY (message_id, address)
) WITHOUT ROWID;
CREATE INDEX mail_deliveries_inbox ON mail_deliveries(address, archived_at, read_at);

-- per-agent preferences (do not disturb)
CREATE TABLE agent_prefs (
  address    TEXT PRIMARY KEY,
  dnd        INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- escalations: severity-ranked requests for attention, routed up witness → deacon → mayor → overseer
CREATE TABLE escalations (
  id              TEXT PRIMARY KEY,     -- 'esc-<n>'
  severity        TEXT NOT NULL,        -- critical | high | medium | low
  category        TEXT NOT NULL,        -- decision | help | blocked | failed | emergency | lifecycle
  summary         TEXT NOT NULL,
  detail          TEXT NOT NULL DEFAULT '',
  bead_id         TEXT,
  source          TEXT NOT NULL,        -- who raised it (an address)
  source_generation INTEGER,            -- the session generation it is about, if any
  level           TEXT NOT NULL,        -- witness | deacon | mayor | overseer: where it is now
  assignee        TEXT NOT NULL,        -- the address that should act
  state           TEXT NOT NULL DEFAULT 'open', -- open | acked | closed
  reescalations   INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  escalated_at    TEXT NOT NULL,        -- when it reached its current level
  acked_at        TEXT,
  acked_by        TEXT,
  closed_at       TEXT,
  close_reason    TEXT
) WITHOUT ROWID;
CREATE INDEX escalations_state ON escalations(state, severity);

-- every state change of the town (also appended to <town>/.events.jsonl)
CREATE TABLE town_events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  ts      TEXT NOT NULL,
  type    TEXT NOT NULL,                -- domain.pastTense: bead.slung, polecat.done, mr.merged, mail.sent, …
  actor   TEXT NOT NULL,
  rig     TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',     -- the main id (bead, agent, MR, convoy, …)
  payload TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX town_events_ts ON town_events(ts);
CREATE INDEX town_events_rig ON town_events(rig, id);

-- slings past capacity wait here and are dispatched in priority order (scheduler)
CREATE TABLE sling_queue (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  bead_id       TEXT NOT NULL,
  rig           TEXT NOT NULL,
  target        TEXT NOT NULL,          -- what was asked: '<rig>' or '<rig>/<polecat>'
  runtime       TEXT,
  priority      INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'queued', -- queued | dispatched | failed | cleared
  attempts      INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  created_at    TEXT NOT NULL,
  dispatched_at TEXT
);
CREATE INDEX sling_queue_state ON sling_queue(state, priority, id);

-- what the witness knows of each agent's session (thresholds and restart counts)
CREATE TABLE witness_state (
  address       TEXT PRIMARY KEY,
  generation    INTEGER NOT NULL,
  bead_id       TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT '',
  since         TEXT NOT NULL,          -- when it entered that status
  stuck_stage   INTEGER NOT NULL DEFAULT 0, -- 0 none, 1 nudged, 2 handed off, 3 escalated
  restarts      INTEGER NOT NULL DEFAULT 0, -- restarts for bead_id
  escalation_id TEXT,
  updated_at    TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
