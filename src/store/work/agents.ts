/**
 * Repository over the agent tables of `town.db` (schema v2, migrations.ts): `agents`,
 * `sessions`, `agent_history`, `handoffs` and `merge_requests`.
 *
 * Every write is one short `BEGIN IMMEDIATE` transaction ({@link writeTx}); called inside a
 * caller's transaction it joins it (better-sqlite3 nests it as a savepoint), so callers can
 * combine several writes — a bead update and an agent's hook — into one atomic change.
 */
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import type { AgentRole } from '../../core/work/names.js';
import { readTx, writeTx, type Db } from '../sqlite/db.js';

/** Lifecycle states of an agent (gastown-features.md §3.10). */
export type AgentState = 'idle' | 'working' | 'done' | 'stalled' | 'nuked';

/** A row of `agents`: one agent identity (permanent; a nuked polecat keeps its row). */
export interface AgentRow {
  /** Primary key: `demo/polecats/nux`, `demo/crew/alice`, `mayor`. Also its BD_ACTOR. */
  address: string;
  /** `polecat`, `crew`, `mayor`, `witness`, `refinery` or `deacon`. */
  role: AgentRole | string;
  /** Its rig ('' for town agents). */
  rig: string;
  /** Its name within the role (`nux`). */
  name: string;
  /** Runtime preset of its sessions ('' = the rig/town default). */
  runtime: string;
  /** `idle` · `working` · `done` · `stalled` · `nuked`. */
  state: AgentState | string;
  /** The bead on its hook ('' = none); mirrors the bead's `status=hooked, assignee=address`. */
  hook_bead: string;
  /** Absolute sandbox path ('' when it has none). */
  worktree: string;
  /** Its current working branch ('' when none). */
  branch: string;
  /** Generation of its latest session (0 = never started); see {@link nextGeneration}. */
  generation: number;
  /** RFC 3339 creation time. */
  created_at: string;
  /** RFC 3339 time of the last change. */
  updated_at: string;
}

/** Fields of a new (or re-registered) agent. */
export interface AgentInput {
  address: string;
  role: AgentRole | string;
  rig?: string;
  name: string;
  runtime?: string;
  state?: AgentState;
  worktree?: string;
  branch?: string;
}

/** Fields {@link updateAgent} may change. */
export type AgentPatch = Partial<Pick<AgentRow, 'runtime' | 'state' | 'hook_bead' | 'worktree' | 'branch' | 'generation'>>;

const PATCHABLE = ['runtime', 'state', 'hook_bead', 'worktree', 'branch', 'generation'] as const satisfies ReadonlyArray<keyof AgentPatch>;

const AGENT_COLS = 'address, role, rig, name, runtime, state, hook_bead, worktree, branch, generation, created_at, updated_at';

/** One agent, or undefined. */
export function getAgent(db: Db, address: string): AgentRow | undefined {
  return db.prepare(`SELECT ${AGENT_COLS} FROM agents WHERE address = ?`).get(address) as AgentRow | undefined;
}

/**
 * One agent.
 *
 * @throws GtError AGENT_NOT_FOUND naming the address.
 */
export function requireAgent(db: Db, address: string): AgentRow {
  const row = getAgent(db, address);
  if (row) return row;
  throw new GtError('AGENT_NOT_FOUND', `no agent "${address}"`, { fix: 'list agents with `gt polecat list`', details: { address } });
}

/**
 * Insert an agent, or update an existing one's role, rig, name and the given fields (state,
 * hook, generation and creation time of an existing row are kept unless given).
 *
 * @returns the row as stored.
 */
export function upsertAgent(db: Db, input: AgentInput): AgentRow {
  return writeTx(db, () => {
    const now = nowTime();
    const cur = getAgent(db, input.address);
    if (!cur) {
      db.prepare(`INSERT INTO agents (${AGENT_COLS}) VALUES (@address, @role, @rig, @name, @runtime, @state, '', @worktree, @branch, 0, @now, @now)`).run({
        address: input.address, role: input.role, rig: input.rig ?? '', name: input.name, runtime: input.runtime ?? '',
        state: input.state ?? 'idle', worktree: input.worktree ?? '', branch: input.branch ?? '', now,
      });
    } else {
      db.prepare(`UPDATE agents SET role = @role, rig = @rig, name = @name, runtime = @runtime, state = @state,
        worktree = @worktree, branch = @branch, updated_at = @now WHERE address = @address`).run({
        address: input.address, role: input.role, rig: input.rig ?? cur.rig, name: input.name, runtime: input.runtime ?? cur.runtime,
        state: input.state ?? cur.state, worktree: input.worktree ?? cur.worktree, branch: input.branch ?? cur.branch, now,
      });
    }
    return getAgent(db, input.address)!;
  });
}

/**
 * Change some fields of an agent (state, hook, worktree, branch, runtime, generation).
 *
 * @returns the updated row.
 * @throws GtError AGENT_NOT_FOUND.
 */
export function updateAgent(db: Db, address: string, patch: AgentPatch): AgentRow {
  return writeTx(db, () => {
    requireAgent(db, address);
    const keys = PATCHABLE.filter((k) => patch[k] !== undefined);
    if (keys.length) {
      const sets = keys.map((k) => `${k} = @${k}`).join(', ');
      const values = Object.fromEntries(keys.map((k) => [k, patch[k]]));
      db.prepare(`UPDATE agents SET ${sets}, updated_at = @now WHERE address = @address`).run({ ...values, address, now: nowTime() });
    }
    return getAgent(db, address)!;
  });
}

/** Delete an agent row (used to roll back an allocation that failed). @returns true when a row was deleted. */
export function deleteAgent(db: Db, address: string): boolean {
  return writeTx(db, () => db.prepare('DELETE FROM agents WHERE address = ?').run(address).changes > 0);
}

/** Filters of {@link listAgents}. */
export interface AgentFilter {
  rig?: string;
  role?: string;
  /** Include nuked agents (default false). */
  includeNuked?: boolean;
}

/** Agents ordered by rig, role and name. */
export function listAgents(db: Db, filter: AgentFilter = {}): AgentRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.rig !== undefined) { where.push('rig = @rig'); params.rig = filter.rig; }
  if (filter.role !== undefined) { where.push('role = @role'); params.role = filter.role; }
  if (!filter.includeNuked) where.push("state <> 'nuked'");
  const sql = `SELECT ${AGENT_COLS} FROM agents${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY rig, role, name`;
  return readTx(db, () => db.prepare(sql).all(params) as AgentRow[]);
}

/**
 * Atomically increment an agent's session generation (ARCHITECTURE.md: every session gets a
 * generation so a stale message never acts on a fresh session).
 *
 * @returns the new generation (1 for the first session).
 * @throws GtError AGENT_NOT_FOUND.
 */
export function nextGeneration(db: Db, address: string): number {
  return writeTx(db, () => {
    const row = db.prepare('UPDATE agents SET generation = generation + 1, updated_at = ? WHERE address = ? RETURNING generation')
      .get(nowTime(), address) as { generation: number } | undefined;
    if (!row) requireAgent(db, address);
    return row!.generation;
  });
}

// ---------------------------------------------------------------- sessions

/** A row of `sessions`: one session an agent had. */
export interface SessionRow {
  /** `<address>#<generation>`. */
  id: string;
  /** The agent's address. */
  agent: string;
  generation: number;
  /** Runtime preset it ran. */
  runtime: string;
  /** JSON array: command and args. */
  argv: string;
  /** Working directory. */
  cwd: string;
  /** OS process id, when known. */
  pid: number | null;
  /** `running` or `exited`. */
  state: 'running' | 'exited' | string;
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
  /** Why it ended (`exited`, `killed`, `crashed`, …). */
  exit_reason: string | null;
  /** Path of its asciicast v2 recording, if any. */
  recording: string | null;
}

/** Fields of a starting session. */
export interface SessionInput {
  agent: string;
  generation: number;
  runtime: string;
  argv: string[];
  cwd: string;
  pid?: number;
  recording?: string;
}

const SESSION_COLS = 'id, agent, generation, runtime, argv, cwd, pid, state, started_at, ended_at, exit_code, exit_reason, recording';

/** Record a session as running. @returns the row (id `<agent>#<generation>`). */
export function insertSession(db: Db, input: SessionInput): SessionRow {
  return writeTx(db, () => {
    const id = `${input.agent}#${input.generation}`;
    db.prepare(`INSERT INTO sessions (${SESSION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, NULL, NULL, NULL, ?)`)
      .run(id, input.agent, input.generation, input.runtime, JSON.stringify(input.argv), input.cwd, input.pid ?? null, nowTime(), input.recording ?? null);
    return getSession(db, id)!;
  });
}

/** One session, or undefined. */
export function getSession(db: Db, id: string): SessionRow | undefined {
  return db.prepare(`SELECT ${SESSION_COLS} FROM sessions WHERE id = ?`).get(id) as SessionRow | undefined;
}

/**
 * Mark a session exited with its exit code and reason.
 *
 * @throws GtError SESSION_NOT_FOUND.
 */
export function markSessionExited(db: Db, id: string, exit: { code: number | null; reason: string }): SessionRow {
  return writeTx(db, () => {
    const r = db.prepare("UPDATE sessions SET state = 'exited', ended_at = ?, exit_code = ?, exit_reason = ? WHERE id = ?")
      .run(nowTime(), exit.code, exit.reason, id);
    if (!r.changes) throw new GtError('SESSION_NOT_FOUND', `no session "${id}"`, { fix: 'session ids are <address>#<generation>' });
    return getSession(db, id)!;
  });
}

/** Sessions of an agent, oldest first. */
export function listSessions(db: Db, agent: string): SessionRow[] {
  return db.prepare(`SELECT ${SESSION_COLS} FROM sessions WHERE agent = ? ORDER BY generation`).all(agent) as SessionRow[];
}

/** Per agent: how many sessions it had (for `gt seance` without an agent). */
export interface SessionSummary {
  /** The agent's address. */
  agent: string;
  /** Number of sessions recorded. */
  sessions: number;
  /** Generation of its newest session. */
  latest: number;
  /** RFC 3339 start of its newest session. */
  last_started: string;
  /** How many of its sessions have a recording. */
  recorded: number;
}

/** Every agent that has had a session, with its session count, by address. */
export function sessionSummaries(db: Db): SessionSummary[] {
  return db.prepare(`SELECT agent, COUNT(*) AS sessions, MAX(generation) AS latest, MAX(started_at) AS last_started,
    SUM(CASE WHEN recording IS NOT NULL AND recording <> '' THEN 1 ELSE 0 END) AS recorded
    FROM sessions GROUP BY agent ORDER BY agent`).all() as SessionSummary[];
}

// ---------------------------------------------------------------- history

/** What an agent did with a bead (`agent_history.outcome`). */
export type HistoryOutcome = 'slung' | 'done' | 'no_changes' | 'merged' | 'failed' | 'unslung' | 'restarted' | 'kept' | 'nuked';

/** A row of `agent_history`. */
export interface HistoryRow {
  id: number;
  agent: string;
  /** The bead ('' when the entry is about the agent itself, e.g. `nuked`). */
  bead_id: string;
  outcome: HistoryOutcome | string;
  /** Free text: a reason, an MR id, a kept branch. */
  detail: string | null;
  created_at: string;
}

/** Append a history entry. */
export function appendHistory(db: Db, entry: { agent: string; bead_id: string; outcome: HistoryOutcome; detail?: string }): HistoryRow {
  return writeTx(db, () => {
    const r = db.prepare('INSERT INTO agent_history (agent, bead_id, outcome, detail, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(entry.agent, entry.bead_id, entry.outcome, entry.detail ?? null, nowTime());
    return db.prepare('SELECT id, agent, bead_id, outcome, detail, created_at FROM agent_history WHERE id = ?').get(r.lastInsertRowid) as HistoryRow;
  });
}

/** An agent's history, oldest first (the last `limit` entries when given). */
export function listHistory(db: Db, agent: string, limit?: number): HistoryRow[] {
  const rows = db.prepare(`SELECT id, agent, bead_id, outcome, detail, created_at FROM agent_history WHERE agent = ? ORDER BY id DESC${limit ? ' LIMIT ?' : ''}`)
    .all(...(limit ? [agent, limit] : [agent])) as HistoryRow[];
  return rows.reverse();
}

// ---------------------------------------------------------------- handoffs

/** A row of `handoffs`: a note for the agent's next session. */
export interface HandoffRow {
  id: number;
  agent: string;
  note: string;
  created_at: string;
  /** 1 once a session has taken it. */
  consumed: number;
}

/** Leave a handoff note for an agent's next session. */
export function addHandoff(db: Db, agent: string, note: string): HandoffRow {
  if (!note.trim()) throw new GtError('INVALID_VALUE', 'a handoff needs a note', { fix: 'say what the next session should know' });
  return writeTx(db, () => {
    const r = db.prepare('INSERT INTO handoffs (agent, note, created_at) VALUES (?, ?, ?)').run(agent, note, nowTime());
    return db.prepare('SELECT id, agent, note, created_at, consumed FROM handoffs WHERE id = ?').get(r.lastInsertRowid) as HandoffRow;
  });
}

/** The latest unconsumed handoff of an agent without consuming it, or undefined. */
export function peekHandoff(db: Db, agent: string): HandoffRow | undefined {
  return db.prepare('SELECT id, agent, note, created_at, consumed FROM handoffs WHERE agent = ? AND consumed = 0 ORDER BY id DESC LIMIT 1')
    .get(agent) as HandoffRow | undefined;
}

/** Take the latest unconsumed handoff of an agent and mark it consumed (one transaction). */
export function takeHandoff(db: Db, agent: string): HandoffRow | undefined {
  return writeTx(db, () => {
    const row = peekHandoff(db, agent);
    if (row) db.prepare('UPDATE handoffs SET consumed = 1 WHERE id = ?').run(row.id);
    return row;
  });
}

// ---------------------------------------------------------------- merge requests

/** States of a merge request in the refinery. */
export type MergeRequestState = 'queued' | 'testing' | 'merged' | 'rework' | 'failed' | 'rejected';

/** A row of `merge_requests`: a branch `gt done` asked the refinery to merge. */
export interface MergeRequestRow {
  /** `<rig>-mr-<n>` (n counts per rig from 1). */
  id: string;
  rig: string;
  /** The polecat's branch (`polecat/nux/gt-a3f8`). */
  branch: string;
  /** Where it merges to (the rig's default branch). */
  target: string;
  /** The bead the work is for. */
  bead_id: string;
  /** The polecat's address. */
  polecat: string;
  /** Head of `branch` when the request was made. */
  commit_sha: string;
  /** The bead's priority (0..4). */
  priority: number;
  /** Convoy id, if the bead is tracked by one. */
  convoy: string | null;
  retries: number;
  state: MergeRequestState | string;
  created_at: string;
  updated_at: string;
}

/** Fields of a new merge request. */
export type MergeRequestInput = Pick<MergeRequestRow, 'rig' | 'branch' | 'target' | 'bead_id' | 'polecat' | 'commit_sha'> & {
  priority?: number;
  convoy?: string;
};

const MR_COLS = 'id, rig, branch, target, bead_id, polecat, commit_sha, priority, convoy, retries, state, created_at, updated_at';

/** One merge request, or undefined. */
export function getMergeRequest(db: Db, id: string): MergeRequestRow | undefined {
  return db.prepare(`SELECT ${MR_COLS} FROM merge_requests WHERE id = ?`).get(id) as MergeRequestRow | undefined;
}

/**
 * Record a merge request; idempotent on (branch, commit_sha) — the same branch at the same
 * commit returns the existing request (gastown-features.md §3.4 step 8).
 *
 * @returns the request and whether it was created now.
 */
export function createMergeRequest(db: Db, input: MergeRequestInput): { mr: MergeRequestRow; created: boolean } {
  return writeTx(db, () => {
    const existing = db.prepare(`SELECT ${MR_COLS} FROM merge_requests WHERE branch = ? AND commit_sha = ?`).get(input.branch, input.commit_sha) as MergeRequestRow | undefined;
    if (existing) return { mr: existing, created: false };
    const ids = db.prepare('SELECT id FROM merge_requests WHERE rig = ?').all(input.rig) as Array<{ id: string }>;
    const n = 1 + ids.reduce((max, r) => Math.max(max, Number(/-mr-(\d+)$/.exec(r.id)?.[1] ?? 0)), 0);
    const id = `${input.rig}-mr-${n}`;
    const now = nowTime();
    db.prepare(`INSERT INTO merge_requests (${MR_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'queued', ?, ?)`)
      .run(id, input.rig, input.branch, input.target, input.bead_id, input.polecat, input.commit_sha, input.priority ?? 2, input.convoy ?? null, now, now);
    return { mr: getMergeRequest(db, id)!, created: true };
  });
}

/** Merge requests, newest last, filtered by rig, state, branch or bead. */
export function listMergeRequests(db: Db, filter: { rig?: string; state?: string | string[]; branch?: string; bead?: string } = {}): MergeRequestRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.rig !== undefined) { where.push('rig = ?'); params.push(filter.rig); }
  if (filter.branch !== undefined) { where.push('branch = ?'); params.push(filter.branch); }
  if (filter.bead !== undefined) { where.push('bead_id = ?'); params.push(filter.bead); }
  if (filter.state !== undefined) {
    const states = Array.isArray(filter.state) ? filter.state : [filter.state];
    where.push(`state IN (${states.map(() => '?').join(', ') || "''"})`);
    params.push(...states);
  }
  const sql = `SELECT ${MR_COLS} FROM merge_requests${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, length(id), id`;
  return readTx(db, () => db.prepare(sql).all(...params) as MergeRequestRow[]);
}

/**
 * Set a merge request's state.
 *
 * @throws GtError NOT_FOUND.
 */
export function setMergeRequestState(db: Db, id: string, state: MergeRequestState): MergeRequestRow {
  return writeTx(db, () => {
    const r = db.prepare('UPDATE merge_requests SET state = ?, updated_at = ? WHERE id = ?').run(state, nowTime(), id);
    if (!r.changes) throw new GtError('NOT_FOUND', `no merge request "${id}"`, { fix: 'merge request ids look like <rig>-mr-<n>' });
    return getMergeRequest(db, id)!;
  });
}
