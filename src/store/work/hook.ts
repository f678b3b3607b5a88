/**
 * The hook: the bead attached to an agent (gastown-features.md §3.3). On the bead it is
 * `status=hooked, assignee=<agent address>`; on the agent it is mirrored in `agents.hook_bead`.
 * Both are written in one write transaction, so they never disagree. Also builds what
 * `gt prime` tells an agent ({@link primeContextOf}), which starts from its hook.
 */
import { GtError } from '../../core/errors.js';
import { nowTime } from '../../core/ledger/time.js';
import type { Issue } from '../../core/ledger/types.js';
import { beadPrefix, parseAgentAddress, type AgentAddress } from '../../core/work/names.js';
import { PRIME_MAIL_LIMIT, rulesFor, type PrimeContext } from '../../core/work/prime.js';
import { listEscalations } from '../escalations.js';
import { primeMoleculeOf } from '../molecule-progress.js';
import { unreadEntries } from '../mail/mail.js';
import { recordEvent } from '../events.js';
import { writeTx } from '../sqlite/db.js';
import { Ledger } from '../sqlite/ledger.js';
import { getRig, rigSettings } from '../town/rigs.js';
import type { Town } from '../town/town.js';
import { appendHistory, getAgent, peekHandoff, takeHandoff, updateAgent, upsertAgent } from './agents.js';

/** Options of the hook writes. */
export interface HookOptions {
  /** Who acts (recorded on bead events and comments); default `gt`. */
  actor?: string;
  /** Take the bead from its holder, and replace what is on the agent's hook. */
  force?: boolean;
}

/** What {@link hookBead} did. */
export interface HookResult {
  /** The bead as it is now. */
  bead: Issue;
  /** The agent's address. */
  address: string;
  /** False when the bead was already on this agent's hook (nothing written). */
  changed: boolean;
  /** With `force`: the agent the bead was taken from. */
  displaced?: string;
  /** With `force`: the bead that was on the agent's hook before. */
  replaced?: string;
}

function ledgerFor(town: Town, actor: string | undefined): Ledger {
  return new Ledger(town.db, { actor: actor ?? 'gt', prefix: town.json.prefix });
}

function parseOrThrow(address: string): AgentAddress {
  const parsed = parseAgentAddress(address);
  if (parsed) return parsed;
  throw new GtError('INVALID_VALUE', `"${address}" is not an agent address`, {
    fix: 'use <rig>/polecats/<name>, <rig>/crew/<name> or mayor',
  });
}

function rigOfPrefix(town: Town, prefix: string): string | undefined {
  return (town.db.prepare('SELECT name FROM rigs WHERE prefix = ?').get(prefix) as { name: string } | undefined)?.name;
}

/** Resolve a bead id; a deleted bead (which the resolver hides) is refused as such. */
function resolveForHook(town: Town, ledger: Ledger, beadId: string): string {
  try {
    return ledger.resolve(beadId);
  } catch (e) {
    const row = town.db.prepare('SELECT status FROM issues WHERE id = ?').get(beadId) as { status: string } | undefined;
    if (row?.status === 'tombstone') {
      throw new GtError('INVALID_STATUS', `cannot hook ${beadId}: it is deleted`, { fix: 'pick another bead (gt bd ready)', details: { id: beadId, status: 'tombstone' } });
    }
    throw e;
  }
}

/** Put a bead back to open, unassigned, and clear every agent hook pointing at it (inside a tx). */
function release(town: Town, ledger: Ledger, id: string, from: string, reason: string | undefined): void {
  ledger.update(id, { set: { status: 'open', assignee: '' } });
  ledger.comment(id, `unhooked from ${from || '(nobody)'}${reason ? `: ${reason}` : ''}`);
  town.db.prepare(`UPDATE agents SET hook_bead = '', state = CASE WHEN state = 'working' THEN 'idle' ELSE state END, updated_at = ?
    WHERE hook_bead = ?`).run(nowTime(), id);
  if (from) appendHistory(town.db, { agent: from, bead_id: id, outcome: 'unslung', ...(reason ? { detail: reason } : {}) });
}

/**
 * Hook a bead to an agent: status `hooked`, assignee = the address, `agents.hook_bead`, a
 * comment `hooked to <address>` and a `slung` history entry, all in one write transaction.
 * Hooking a bead already on this agent's hook changes nothing.
 *
 * @throws GtError INVALID_VALUE (not an address; the bead's prefix belongs to another rig than
 *   the agent's — naming both), INVALID_STATUS (bead closed or deleted — with its close reason;
 *   agent nuked; agent already holds another bead, unless `force`), ALREADY_CLAIMED (hooked or
 *   in progress by someone else — naming the holder — unless `force`), BEAD_NOT_FOUND.
 */
export function hookBead(town: Town, beadId: string, address: string, options: HookOptions = {}): HookResult {
  const agent = parseOrThrow(address);
  const ledger = ledgerFor(town, options.actor);
  return writeTx(town.db, () => {
    const id = resolveForHook(town, ledger, beadId);
    const bead = ledger.get(id);
    if (bead.status === 'closed' || bead.status === 'tombstone') {
      const why = bead.status === 'closed' ? `closed${bead.close_reason ? ` (${bead.close_reason})` : ''}` : 'deleted';
      throw new GtError('INVALID_STATUS', `cannot hook ${id}: it is ${why}`, {
        fix: bead.status === 'closed' ? `reopen it first (gt bd reopen ${id}) or pick another bead` : 'pick another bead (gt bd ready)',
        details: { id, status: bead.status },
      });
    }
    const prefix = beadPrefix(id);
    const owner = prefix ? rigOfPrefix(town, prefix) : undefined;
    if (owner && agent.rig && owner !== agent.rig) {
      throw new GtError('INVALID_VALUE', `${id} belongs to rig "${owner}" (prefix ${prefix}), but ${agent.address} works in rig "${agent.rig}"`, {
        fix: `hook it to an agent of rig "${owner}" (gt sling ${id} ${owner})`,
        details: { id, beadRig: owner, agentRig: agent.rig },
      });
    }
    const busy = bead.status === 'hooked' || bead.status === 'in_progress';
    const holder = busy && bead.assignee && bead.assignee !== agent.address ? bead.assignee : undefined;
    if (holder && !options.force) {
      throw new GtError('ALREADY_CLAIMED', `${id} is already ${bead.status === 'hooked' ? 'hooked' : 'in progress'} by ${holder}`, {
        fix: `unsling it first (gt unsling ${id}), or pass --force to take it`,
        details: { id, holder, status: bead.status },
      });
    }
    const row = getAgent(town.db, agent.address) ?? upsertAgent(town.db, { address: agent.address, role: agent.role, rig: agent.rig, name: agent.name });
    if (row.state === 'nuked') {
      throw new GtError('INVALID_STATUS', `${agent.address} is nuked`, { fix: `sling to the rig instead (gt sling ${id} ${agent.rig || '<rig>'})` });
    }
    if (bead.status === 'hooked' && bead.assignee === agent.address) {
      if (row.hook_bead !== id) updateAgent(town.db, agent.address, { hook_bead: id });
      return { bead, address: agent.address, changed: false };
    }
    const result: HookResult = { bead, address: agent.address, changed: true };
    const current = row.hook_bead && row.hook_bead !== id ? row.hook_bead : undefined;
    if (current) {
      const cur = ledger.get(current);
      if (cur.status === 'hooked' && cur.assignee === agent.address) {
        if (!options.force) {
          throw new GtError('INVALID_STATUS', `${agent.address} already has ${current} on its hook`, {
            fix: `finish it (gt done) or unsling it (gt unsling ${current}) first, or pass --force`,
            details: { address: agent.address, hook: current },
          });
        }
        release(town, ledger, current, agent.address, `replaced by ${id}`);
        result.replaced = current;
      }
    }
    if (holder) {
      release(town, ledger, id, holder, `taken by ${agent.address} (--force)`);
      result.displaced = holder;
    }
    ledger.update(id, { set: { status: 'hooked', assignee: agent.address } });
    ledger.comment(id, `hooked to ${agent.address}`);
    updateAgent(town.db, agent.address, { hook_bead: id });
    appendHistory(town.db, { agent: agent.address, bead_id: id, outcome: 'slung' });
    result.bead = ledger.get(id);
    return result;
  });
}

/** What {@link unhookBead} did. */
export interface UnhookResult {
  /** The bead as it is now (open, unassigned). */
  bead: Issue;
  /** The agent it was taken from. */
  address: string;
}

/**
 * Take a bead off its hook (`gt unsling`, `gt hook detach`): status `open`, assignee cleared,
 * the agent's `hook_bead` cleared (a working agent becomes idle), a comment with the reason
 * and an `unslung` history entry — one write transaction.
 *
 * @param target a bead id, or an agent address (its hooked bead).
 * @throws GtError INVALID_STATUS (the bead is not hooked; the agent's hook is empty), BEAD_NOT_FOUND.
 */
export function unhookBead(town: Town, target: string, options: { reason?: string; actor?: string } = {}): UnhookResult {
  const ledger = ledgerFor(town, options.actor);
  const agent = parseAgentAddress(target);
  return writeTx(town.db, () => {
    let id: string;
    let address: string;
    if (agent) {
      const hooked = hookOf(town, agent.address);
      if (!hooked) throw new GtError('INVALID_STATUS', `${agent.address} has nothing on its hook`, { fix: 'see hooks with `gt hook --agent <address>`' });
      id = hooked.id;
      address = agent.address;
    } else {
      id = ledger.resolve(target);
      const bead = ledger.get(id);
      if (bead.status !== 'hooked') {
        throw new GtError('INVALID_STATUS', `${id} is not on a hook (it is ${bead.status}${bead.assignee ? `, assigned to ${bead.assignee}` : ''})`, {
          fix: 'only hooked beads can be unslung; change other beads with `gt bd update`',
          details: { id, status: bead.status },
        });
      }
      address = bead.assignee ?? '';
    }
    release(town, ledger, id, address, options.reason);
    recordEvent(town, { type: 'bead.unslung', actor: options.actor ?? address, rig: parseAgentAddress(address)?.rig ?? '', subject: id, payload: { agent: address, ...(options.reason ? { reason: options.reason } : {}) } });
    return { bead: ledger.get(id), address };
  });
}

/**
 * The bead on an agent's hook: the bead with status `hooked` and assignee = the address
 * (preferring the one `agents.hook_bead` names), or undefined.
 */
export function hookOf(town: Town, address: string): Issue | undefined {
  const ledger = ledgerFor(town, undefined);
  const mirrored = getAgent(town.db, address)?.hook_bead;
  if (mirrored) {
    const row = town.db.prepare('SELECT status, assignee FROM issues WHERE id = ?').get(mirrored) as { status: string; assignee: string } | undefined;
    if (row?.status === 'hooked' && row.assignee === address) return ledger.get(mirrored);
  }
  const found = town.db.prepare("SELECT id FROM issues WHERE assignee = ? AND status = 'hooked' ORDER BY updated_key DESC, id LIMIT 1").get(address) as { id: string } | undefined;
  return found ? ledger.get(found.id) : undefined;
}

/** Options of {@link primeContextOf}. */
export interface PrimeOptions {
  /** Mark the handoff note consumed (a session start); default true. `false` only peeks. */
  consumeHandoff?: boolean;
  /** Runtime to report when the agent row names none (e.g. `GT_AGENT`). */
  runtime?: string;
}

/**
 * Everything `gt prime` tells an agent: identity, rules of its role, its hook (with the steps of
 * its molecule, when it has one), the latest handoff note (taken: consumed, unless
 * `consumeHandoff` is false), its unread mail (not marked read: prime only lists it) and the
 * open escalations assigned to it.
 */
export function primeContextOf(town: Town, agent: AgentAddress, options: PrimeOptions = {}): PrimeContext {
  const row = getAgent(town.db, agent.address);
  const hook = hookOf(town, agent.address);
  const handoff = options.consumeHandoff === false ? peekHandoff(town.db, agent.address) : takeHandoff(town.db, agent.address);
  let rigAgent: string | undefined;
  if (agent.rig) {
    try {
      getRig(town, agent.rig);
      rigAgent = rigSettings(town, agent.rig).agent;
    } catch {
      rigAgent = undefined;
    }
  }
  const runtime = row?.runtime || options.runtime || rigAgent || town.settings().default_agent;
  const molecule = hook ? primeMoleculeOf(town.db, hook, agent.address) : undefined;
  return {
    address: agent.address,
    role: agent.role,
    rig: agent.rig,
    name: agent.name,
    town: town.root,
    runtime,
    ...(hook ? { hook: { id: hook.id, title: hook.title, status: hook.status, ...(hook.description ? { description: hook.description } : {}), priority: hook.priority } } : {}),
    ...(molecule ? { molecule } : {}),
    ...(handoff ? { handoff: { note: handoff.note, created_at: handoff.created_at } } : {}),
    mail: unreadEntries(town.db, agent.address, PRIME_MAIL_LIMIT).map(({ message: m }) => ({
      id: m.id, from: m.from, kind: m.kind, subject: m.subject, priority: m.priority, urgent: m.urgent, created_at: m.created_at,
    })),
    escalations: listEscalations(town, { assignee: agent.address }).map((e) => ({
      id: e.id, severity: e.severity, category: e.category, summary: e.summary, bead_id: e.bead_id, source: e.source,
    })),
    rules: rulesFor(agent.role, { branch: row?.branch || undefined, hookId: hook?.id }),
  };
}
