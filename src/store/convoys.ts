/**
 * Convoys (issue #5; Gas Town §3.11): a tracked batch of beads. A convoy is a bead of type
 * `convoy` (town prefix, label `gt:convoy`) with a `tracks` dependency on each tracked bead and
 * `{owner, notify[]}` in its metadata. It **lands when every tracked bead is merged** (a merged
 * merge request), not merely closed: then it is closed `landed`, CONVOY_LANDED goes to its owner
 * and watchers, and an event is recorded. An empty convoy never lands. A convoy with ready beads
 * and nobody working on any of its beads is stranded.
 */
import { GtError } from '../core/errors.js';
import type { Issue } from '../core/ledger/types.js';
import { recordEvent } from './events.js';
import { OVERSEER } from '../core/mail/addresses.js';
import { mailboxAddress, sendMail } from './mail/mail.js';
import { writeTx } from './sqlite/db.js';
import { Ledger } from './sqlite/ledger.js';
import { getIssueDoc } from './sqlite/ledger-rows.js';
import { readyWork } from './sqlite/ledger-query.js';
import type { Town } from './town/town.js';

/** A convoy's metadata. */
export interface ConvoyMeta {
  owner: string;
  notify: string[];
}

/** One tracked bead and where it stands. */
export interface TrackedBead {
  id: string;
  title: string;
  status: string;
  assignee: string;
  /** open (not started), in_progress (someone has it), merged, closed (closed without a merge). */
  stage: 'open' | 'in_progress' | 'merged' | 'closed';
}

/** A convoy with its progress. */
export interface ConvoyInfo {
  id: string;
  title: string;
  status: string;
  owner: string;
  notify: string[];
  created_at: string;
  tracked: TrackedBead[];
  counts: { total: number; open: number; in_progress: number; merged: number; closed: number };
  landed: boolean;
  stranded: boolean;
}

function ledgerAs(town: Town, actor: string): Ledger {
  return new Ledger(town.db, { actor, prefix: town.json.prefix });
}

function metaOf(issue: Issue): ConvoyMeta {
  const m = (issue.metadata ?? {}) as Partial<ConvoyMeta>;
  return { owner: typeof m.owner === 'string' ? m.owner : 'overseer', notify: Array.isArray(m.notify) ? m.notify.map(String) : [] };
}

function mustConvoy(town: Town, ledger: Ledger, input: string): Issue {
  const issue = ledger.get(input);
  if (issue.issue_type !== 'convoy') throw new GtError('INVALID_VALUE', `${issue.id} is a ${issue.issue_type}, not a convoy`, { fix: 'list convoys with gt convoy list' });
  return issue;
}

/**
 * The full id of a convoy named by a (partial) id.
 *
 * @throws GtError BEAD_NOT_FOUND (with close matches), INVALID_VALUE when the bead is not a convoy.
 */
export function resolveConvoy(town: Town, input: string): string {
  return mustConvoy(town, ledgerAs(town, 'gt'), input).id;
}

/** Create a convoy tracking `beads` (partial ids resolved). */
export function createConvoy(town: Town, input: { title: string; beads?: string[]; owner: string; notify?: string[]; actor?: string }): ConvoyInfo {
  const ledger = ledgerAs(town, input.actor ?? input.owner);
  const id = writeTx(town.db, () => {
    const ids = (input.beads ?? []).map((b) => ledger.resolve(b));
    const convoy = ledger.create({
      title: input.title, issue_type: 'convoy', priority: 2, labels: ['gt:convoy'],
      metadata: { owner: input.owner, notify: input.notify ?? [] } satisfies ConvoyMeta,
      deps: ids.map((t) => ({ type: 'tracks', id: t })),
    });
    recordEvent(town, { type: 'convoy.created', actor: input.actor ?? input.owner, subject: convoy.id, payload: { title: input.title, beads: ids } });
    return convoy.id;
  });
  return convoyInfo(town, id);
}

/** Track more beads (a landed convoy opens again, as in Gas Town). */
export function addToConvoy(town: Town, convoyId: string, beads: string[], actor: string): ConvoyInfo {
  const ledger = ledgerAs(town, actor);
  const id = writeTx(town.db, () => {
    const convoy = mustConvoy(town, ledger, convoyId);
    for (const b of beads) ledger.addDependency(convoy.id, ledger.resolve(b), 'tracks');
    if (convoy.status === 'closed') ledger.reopen(convoy.id, { reason: 'more work added' });
    return convoy.id;
  });
  return convoyInfo(town, id);
}

/** The open convoy tracking a bead, if any. */
export function convoyOf(town: Town, beadId: string): string | undefined {
  const row = town.db.prepare(`SELECT d.issue_id FROM dependencies d JOIN issues c ON c.id = d.issue_id
    WHERE d.depends_on_id = ? AND d.type = 'tracks' AND c.issue_type = 'convoy' AND c.status <> 'closed' AND c.status <> 'tombstone' LIMIT 1`).get(beadId) as { issue_id: string } | undefined;
  return row?.issue_id;
}

/** A convoy and its progress. @throws GtError BEAD_NOT_FOUND, INVALID_VALUE (not a convoy). */
export function convoyInfo(town: Town, input: string): ConvoyInfo {
  const ledger = ledgerAs(town, 'gt');
  const convoy = mustConvoy(town, ledger, input);
  const targets = (town.db.prepare("SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type = 'tracks' ORDER BY rowid").all(convoy.id) as Array<{ depends_on_id: string }>).map((r) => r.depends_on_id);
  const merged = new Set((town.db.prepare(`SELECT DISTINCT bead_id FROM merge_requests WHERE state = 'merged' AND bead_id IN (${targets.map(() => '?').join(',') || "''"})`).all(...targets) as Array<{ bead_id: string }>).map((r) => r.bead_id));
  const ready = new Set(readyWork(town.db, { limit: 0, ids: targets }).map((i) => i.id));
  const tracked: TrackedBead[] = targets.map((id) => {
    const b = getIssueDoc(town.db, id);
    const status = b?.status ?? 'missing';
    const stage: TrackedBead['stage'] = merged.has(id) ? 'merged'
      : status === 'closed' || status === 'tombstone' ? 'closed'
        : status === 'open' && !b?.assignee ? 'open' : 'in_progress';
    return { id, title: b?.title ?? '(not in this ledger)', status, assignee: b?.assignee ?? '', stage };
  });
  const count = (s: TrackedBead['stage']) => tracked.filter((t) => t.stage === s).length;
  const counts = { total: tracked.length, open: count('open'), in_progress: count('in_progress'), merged: count('merged'), closed: count('closed') };
  const meta = metaOf(convoy);
  return {
    id: convoy.id, title: convoy.title, status: convoy.status, owner: meta.owner, notify: meta.notify, created_at: convoy.created_at, tracked, counts,
    landed: convoy.status === 'closed' && convoy.close_reason === 'landed',
    stranded: convoy.status !== 'closed' && tracked.some((t) => ready.has(t.id)) && counts.in_progress === 0,
  };
}

/** Every convoy (open ones unless `all`), newest first. */
export function listConvoys(town: Town, options: { all?: boolean } = {}): ConvoyInfo[] {
  const ids = (town.db.prepare(`SELECT id FROM issues WHERE issue_type = 'convoy' AND status <> 'tombstone' ${options.all ? '' : "AND status <> 'closed'"} ORDER BY created_key DESC`).all() as Array<{ id: string }>).map((r) => r.id);
  return ids.map((id) => convoyInfo(town, id));
}

/** Add an address to a convoy's watchers (told when it lands). */
export function watchConvoy(town: Town, convoyId: string, address: string, actor: string): ConvoyInfo {
  const ledger = ledgerAs(town, actor);
  writeTx(town.db, () => {
    const convoy = mustConvoy(town, ledger, convoyId);
    const meta = metaOf(convoy);
    if (!meta.notify.includes(address)) ledger.update(convoy.id, { set: { metadata: { ...meta, notify: [...meta.notify, address] } } });
  });
  return convoyInfo(town, convoyId);
}

/**
 * Close a convoy by hand. Refuses while tracked beads are not merged or closed, unless `force`.
 *
 * @throws GtError CLOSE_GUARD naming the unfinished beads.
 */
export function closeConvoy(town: Town, convoyId: string, options: { reason?: string; force?: boolean; actor: string }): ConvoyInfo {
  const info = convoyInfo(town, convoyId);
  const unfinished = info.tracked.filter((t) => t.stage === 'open' || t.stage === 'in_progress');
  if (unfinished.length && !options.force) {
    throw new GtError('CLOSE_GUARD', `${info.id} still tracks unfinished beads: ${unfinished.map((t) => t.id).join(', ')}`, { fix: 'finish them, or pass --force' });
  }
  ledgerAs(town, options.actor).close(info.id, { reason: options.reason ?? 'closed', force: true });
  return convoyInfo(town, info.id);
}

/**
 * Land every open convoy whose tracked beads are all merged: close it `landed`, mail
 * CONVOY_LANDED to its owner and watchers, record `convoy.landed`. Returns the landed ids.
 *
 * An owner or watcher that is no mailbox (a convoy made by `gt sling` outside any agent records
 * the shell user's name) is told through the overseer's inbox instead, so the mail never blocks
 * the landing. One convoy that cannot land does not keep the others from landing.
 *
 * @throws GtError INTERNAL after trying every candidate, naming the convoys that failed.
 */
export function landReadyConvoys(town: Town): string[] {
  const landed: string[] = [];
  // The daemon asks every second: find the candidates in one query, then look closer at those.
  const candidates = town.db.prepare(`SELECT c.id FROM issues c WHERE c.issue_type = 'convoy' AND c.status NOT IN ('closed', 'tombstone')
    AND EXISTS (SELECT 1 FROM dependencies d WHERE d.issue_id = c.id AND d.type = 'tracks')
    AND NOT EXISTS (SELECT 1 FROM dependencies d WHERE d.issue_id = c.id AND d.type = 'tracks'
      AND NOT EXISTS (SELECT 1 FROM merge_requests m WHERE m.bead_id = d.depends_on_id AND m.state = 'merged'))
    ORDER BY c.created_key`).pluck().all() as string[];
  const failed: string[] = [];
  const mailbox = (a: string) => {
    try {
      return mailboxAddress(town.db, a);
    } catch {
      return OVERSEER;
    }
  };
  for (const id of candidates) {
    try {
      const c = convoyInfo(town, id);
      if (c.counts.total === 0 || c.counts.merged !== c.counts.total) continue;
      landConvoy(town, c, [...new Set([c.owner, ...c.notify].map(mailbox))]);
      landed.push(c.id);
    } catch (e) {
      failed.push(`${id}: ${(e as Error).message}`);
    }
  }
  if (failed.length) throw new GtError('INTERNAL', `could not land ${failed.length} convoy(s): ${failed.join('; ')}`, { fix: 'see gt convoy status <id>' });
  return landed;
}

/** Close a convoy as landed and tell `to`, in one transaction. */
function landConvoy(town: Town, c: ConvoyInfo, to: string[]): void {
  {
    writeTx(town.db, () => {
      ledgerAs(town, 'deacon').close(c.id, { reason: 'landed', force: true });
      sendMail(town, {
        from: 'deacon', to, kind: 'CONVOY_LANDED', subject: `Convoy landed: ${c.title}`,
        body: `Every tracked bead is merged:\n${c.tracked.map((t) => `- ${t.id} ${t.title}`).join('\n')}`,
        fields: { Convoy: c.id, Beads: c.counts.total }, beadId: c.id,
      });
      recordEvent(town, { type: 'convoy.landed', actor: 'deacon', subject: c.id, payload: { title: c.title, beads: c.tracked.map((t) => t.id) } });
    });
  }
}
