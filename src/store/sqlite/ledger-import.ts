/**
 * Import parsed JSONL into the ledger and read the whole ledger back out for export.
 *
 * Import is an upsert in one transaction (beads.md §9 Accept 8): a bead whose incoming
 * `updated_at` is older than the local one is skipped (stale), one whose content is identical
 * is skipped, others are created or replaced (fields, labels, outgoing dependencies and
 * comments as in the file). Absence never deletes. A failure rolls everything back.
 */
import { serializeIssue } from '../../core/ledger/jsonl-export.js';
import type { ParsedLedger } from '../../core/ledger/jsonl-parse.js';
import { compareTime, nowTime } from '../../core/ledger/time.js';
import type { Comment, Dependency, Issue } from '../../core/ledger/types.js';
import { recomputeAllBlocked } from './blocked-state.js';
import { writeTx, type Db } from './db.js';
import { addEvent, bumpChange, getIssueDoc, hydrate, putComment, putDependency, putIssue, setConfig, setLabels } from './ledger-rows.js';

/** What an import did (beads `bd import --json` shape, beads.md §4.1). */
export interface ImportResult {
  source: string;
  created: number;
  updated: number;
  skipped: number;
  /** Beads skipped because the local copy is newer. */
  stale_skipped_ids: string[];
  /** Older duplicate lines dropped while parsing. */
  dedup_skipped: number;
  memories: number;
  events: number;
  /** Ids created or updated. */
  ids: string[];
  dry_run: boolean;
}

/** Same bead content, compared in the canonical export form (key order and empties normalized). */
function sameContent(a: Issue, b: Issue): boolean {
  return serializeIssue(a) === serializeIssue(b);
}

function writeBead(db: Db, issue: Issue): void {
  putIssue(db, issue);
  setLabels(db, issue.id, issue.labels ?? []);
  db.prepare('DELETE FROM dependencies WHERE issue_id = ?').run(issue.id);
  for (const d of issue.dependencies ?? []) putDependency(db, { ...d, issue_id: issue.id });
  db.prepare('DELETE FROM comments WHERE issue_id = ?').run(issue.id);
  for (const c of issue.comments ?? []) putComment(db, { ...c, issue_id: issue.id });
}

/**
 * Upsert a parsed ledger. With `dryRun` nothing is written (the transaction is rolled back)
 * but the counts are computed the same way.
 */
export function importParsed(db: Db, parsed: ParsedLedger, options: { source: string; actor: string; dryRun?: boolean }): ImportResult {
  const result: ImportResult = {
    source: options.source, created: 0, updated: 0, skipped: 0, stale_skipped_ids: [], dedup_skipped: parsed.duplicates,
    memories: 0, events: 0, ids: [], dry_run: Boolean(options.dryRun),
  };
  const rollback = new Error('dry run');
  try {
    writeTx(db, () => {
      const now = nowTime();
      for (const incoming of parsed.issues) {
        const local = getIssueDoc(db, incoming.id);
        if (local) {
          if (compareTime(incoming.updated_at, local.updated_at) < 0) {
            result.skipped++;
            result.stale_skipped_ids.push(incoming.id);
            continue;
          }
          if (sameContent(hydrate(db, local), incoming)) {
            result.skipped++;
            continue;
          }
          writeBead(db, incoming);
          addEvent(db, { issue_id: incoming.id, event_type: 'updated', actor: options.actor, old_value: null, new_value: null, comment: `imported from ${options.source}`, created_at: now });
          result.updated++;
        } else {
          writeBead(db, incoming);
          addEvent(db, { issue_id: incoming.id, event_type: 'created', actor: options.actor, old_value: null, new_value: null, comment: `imported from ${options.source}`, created_at: now });
          result.created++;
        }
        result.ids.push(incoming.id);
      }
      const seen = db.prepare('SELECT 1 FROM events WHERE issue_id = ? AND event_type = ? AND actor = ? AND created_at = ? AND coalesce(new_value, \'\') = coalesce(?, \'\') LIMIT 1');
      for (const e of parsed.events) {
        if (seen.get(e.issue_id, e.event_type, e.actor, e.created_at, e.new_value ?? null)) continue;
        addEvent(db, e);
        result.events++;
      }
      for (const c of parsed.config) setConfig(db, c.key, c.value);
      for (const m of parsed.memories) {
        setConfig(db, `kv.memory.${m.key}`, m.value);
        result.memories++;
      }
      if (result.created || result.updated) {
        recomputeAllBlocked(db);
        bumpChange(db, options.actor);
      }
      if (options.dryRun) throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return result;
}

/**
 * Every bead for export (beads.md §9 Produce 1): tombstones included (so deletions propagate),
 * ephemeral wisps and templates excluded unless asked for; labels, outgoing dependencies and
 * comments embedded. Loaded in bulk (four queries), not per bead.
 */
export function allIssuesForExport(db: Db, options: { includeEphemeral?: boolean; includeTemplates?: boolean } = {}): Issue[] {
  const where: string[] = [];
  if (!options.includeEphemeral) where.push('ephemeral = 0');
  if (!options.includeTemplates) where.push('is_template = 0');
  const rows = db.prepare(`SELECT doc FROM issues ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`).all() as Array<{ doc: string }>;
  const labels = new Map<string, string[]>();
  for (const r of db.prepare('SELECT issue_id, label FROM labels ORDER BY issue_id, label').all() as Array<{ issue_id: string; label: string }>) {
    let l = labels.get(r.issue_id);
    if (!l) labels.set(r.issue_id, (l = []));
    l.push(r.label);
  }
  const deps = new Map<string, Dependency[]>();
  for (const r of db.prepare('SELECT issue_id, doc FROM dependencies ORDER BY rowid').all() as Array<{ issue_id: string; doc: string }>) {
    let l = deps.get(r.issue_id);
    if (!l) deps.set(r.issue_id, (l = []));
    l.push(JSON.parse(r.doc) as Dependency);
  }
  const comments = new Map<string, Comment[]>();
  for (const r of db.prepare('SELECT id, issue_id, author, text, created_at FROM comments ORDER BY seq').all() as Array<{ id: string; issue_id: string; author: string; text: string; created_at: string }>) {
    let l = comments.get(r.issue_id);
    if (!l) comments.set(r.issue_id, (l = []));
    l.push({ ...r, id: JSON.parse(r.id) as number | string });
  }
  return rows.map((r) => {
    const issue = JSON.parse(r.doc) as Issue;
    const l = labels.get(issue.id);
    const d = deps.get(issue.id);
    const c = comments.get(issue.id);
    return { ...issue, ...(l ? { labels: l } : {}), ...(d ? { dependencies: d } : {}), ...(c ? { comments: c } : {}) };
  });
}
