/**
 * Mail addresses, groups, kinds and limits (gastown-features.md §0 "Mail addresses", §3.5).
 *
 * One address names one mailbox: `mayor` (also `mayor/`), `deacon` (also `deacon/`), `overseer`
 * (the human), `<rig>/witness`, `<rig>/refinery`, `<rig>/polecats/<name>`, `<rig>/crew/<name>`,
 * and the short form `<rig>/<name>` for a polecat (a crew member when the rig has crew but no
 * polecat of that name). Groups expand to many mailboxes when a message is sent:
 *
 * - `@town` — every agent of the town that has an agent row and is not nuked (mayor, deacon,
 *   each rig's witness and refinery when they run as agents, every polecat) plus every crew
 *   member. Not the overseer: the human is addressed as `overseer`.
 * - `@rig/<rig>` — every such agent and crew member of that rig.
 * - `@polecats/<rig>` — that rig's polecats.
 *
 * Pure: the caller supplies what exists ({@link KnownAddresses}); nothing here reads the database.
 */
import { GtError, closeMatches } from '../errors.js';
import { parseAgentAddress } from '../work/names.js';

/** The human's mailbox (Gas Town's Overseer). */
export const OVERSEER = 'overseer';

/**
 * Message kinds: the Gas Town protocol messages this town speaks (§3.5 "Protocol subjects") and
 * `plain` for free text. Each protocol kind carries its structured fields as `key: value` lines.
 */
export const MAIL_KINDS = [
  'POLECAT_DONE', 'MERGE_READY', 'MERGED', 'MERGE_FAILED', 'FIX_NEEDED', 'REWORK_REQUEST',
  'HELP', 'HANDOFF', 'CONVOY_LANDED', 'plain',
] as const;

/** One of {@link MAIL_KINDS}. */
export type MailKind = (typeof MAIL_KINDS)[number];

/** Largest message body, in UTF-8 bytes (64 KB): mail is a note, not a file transfer. */
export const MAX_BODY_BYTES = 65_536;

/** Message priorities, Gas Town/beads style: 0 urgent, 1 high, 2 normal (default), 3 low, 4 backlog. */
export const MAIL_PRIORITY_NAMES = ['urgent', 'high', 'normal', 'low', 'backlog'] as const;

/**
 * A kind by name, case-insensitively (`help` → `HELP`, `Plain` → `plain`).
 *
 * @throws GtError INVALID_VALUE listing every kind.
 */
export function parseMailKind(text: string): MailKind {
  const t = text.trim();
  const kind = MAIL_KINDS.find((k) => k.toLowerCase() === t.toLowerCase());
  if (kind) return kind;
  throw new GtError('INVALID_VALUE', `unknown message kind "${t}"`, {
    fix: `use one of ${MAIL_KINDS.join(', ')}`, details: { kind: t, kinds: [...MAIL_KINDS] },
  });
}

/**
 * Refuse a body over {@link MAX_BODY_BYTES} UTF-8 bytes.
 *
 * @returns the body's size in bytes.
 * @throws GtError INVALID_VALUE naming the size and the limit.
 */
export function checkBodySize(body: string): number {
  const size = new TextEncoder().encode(body).length;
  if (size > MAX_BODY_BYTES) {
    throw new GtError('INVALID_VALUE', `the message body is ${size} bytes; the limit is ${MAX_BODY_BYTES} bytes (64 KB)`, {
      fix: 'put the detail in a bead or a file and mail a short pointer to it', details: { size, limit: MAX_BODY_BYTES },
    });
  }
  return size;
}

/**
 * A priority 0..4 (see {@link MAIL_PRIORITY_NAMES}).
 *
 * @throws GtError INVALID_PRIORITY for anything else.
 */
export function checkMailPriority(priority: number): number {
  if (Number.isInteger(priority) && priority >= 0 && priority <= 4) return priority;
  throw new GtError('INVALID_PRIORITY', `message priority must be 0..4, got ${String(priority)}`, {
    fix: '0 urgent, 1 high, 2 normal, 3 low, 4 backlog',
  });
}

/** What exists in the town, for resolving addresses ({@link resolveRecipients}). */
export interface KnownAddresses {
  /** Addresses of live agents and crew members: addressable and members of groups. */
  agents: readonly string[];
  /** Rig names: `<rig>/witness` and `<rig>/refinery` are always addressable for these. */
  rigs: readonly string[];
  /** Addressable but in no group (nuked polecats keep their mailbox). */
  retired?: readonly string[];
}

/** One resolved mailbox. */
export interface Recipient {
  /** The canonical address (`app/polecats/nux`, `mayor`, `overseer`). */
  address: string;
  /** The group it came through (`@town`, `@rig/app`, `@polecats/app`); undefined when named directly. */
  via?: string;
}

/** Options of {@link resolveRecipients}. */
export interface ResolveOptions {
  /** Left out of group expansions (the sender gets no copy of its own group mail). */
  exclude?: string;
  /** Accept a well-formed address that the town does not know (system senders, replies). */
  allowUnknown?: boolean;
}

/**
 * The canonical form of one address without checking that it exists: trailing `/` dropped,
 * `<rig>/<name>` → `<rig>/polecats/<name>`.
 *
 * @returns the address, or undefined when `text` is not a mailbox address (groups are not).
 */
export function normalizeMailAddress(text: string): string | undefined {
  const t = text.trim();
  if (t === OVERSEER || t === `${OVERSEER}/`) return OVERSEER;
  const agent = parseAgentAddress(t);
  if (agent) return agent.address;
  const short = /^([A-Za-z0-9][A-Za-z0-9_]*)\/([A-Za-z0-9][A-Za-z0-9_-]*)\/?$/.exec(t);
  if (short && short[2] !== 'polecats' && short[2] !== 'crew') return `${short[1]}/polecats/${short[2]}`;
  return undefined;
}

/** The groups that exist for `rigs`: `@town`, then `@rig/<r>` and `@polecats/<r>` per rig. */
export function groupNames(rigs: readonly string[]): string[] {
  return ['@town', ...rigs.flatMap((r) => [`@rig/${r}`, `@polecats/${r}`])];
}

/**
 * Every address and group a message can go to: overseer, mayor, deacon, each rig's witness and
 * refinery, the known agents and retired mailboxes, then the groups. Sorted, no duplicates.
 */
export function mailDirectory(known: KnownAddresses): string[] {
  const singles = [OVERSEER, 'mayor', 'deacon', ...known.rigs.flatMap((r) => [`${r}/witness`, `${r}/refinery`])];
  return [...new Set([...singles, ...known.agents, ...(known.retired ?? [])])].sort().concat(groupNames(known.rigs));
}

/**
 * The members of a group, in the order of `known.agents`.
 *
 * @returns undefined when `spec` is not a group of `known` (unknown form or rig).
 */
export function groupMembers(spec: string, known: KnownAddresses): string[] | undefined {
  const t = spec.trim().replace(/\/$/, '');
  if (t === '@town') return [...known.agents];
  const m = /^@(rig|polecats)\/(.+)$/.exec(t);
  if (!m || !known.rigs.includes(m[2]!)) return undefined;
  const rig = m[2]!;
  return known.agents.filter((a) => {
    const p = parseAgentAddress(a);
    return p !== undefined && p.rig === rig && (m[1] === 'rig' || p.role === 'polecat');
  });
}

function notFound(spec: string, known: KnownAddresses): GtError {
  const candidates = mailDirectory(known);
  const normal = normalizeMailAddress(spec);
  const near = [...new Set([...closeMatches(spec.trim(), candidates), ...(normal ? closeMatches(normal, candidates) : [])])].slice(0, 3);
  return new GtError('NOT_FOUND', `unknown mail address "${spec.trim()}"`, {
    fix: near.length
      ? `did you mean ${near.join(', ')}?`
      : 'addresses are overseer, mayor/, deacon/, <rig>/witness, <rig>/refinery, <rig>/polecats/<name>, <rig>/crew/<name>, or a group @town, @rig/<rig>, @polecats/<rig>',
    details: { address: spec.trim(), candidates: near },
  });
}

/** Resolve one non-group address against `known`, or undefined when it names no mailbox. */
function resolveOne(spec: string, known: KnownAddresses, allowUnknown: boolean): string | undefined {
  const address = normalizeMailAddress(spec);
  if (!address) return undefined;
  const all = new Set([...known.agents, ...(known.retired ?? [])]);
  if (address === OVERSEER || address === 'mayor' || address === 'deacon' || all.has(address)) return address;
  const p = parseAgentAddress(address)!;
  if ((p.role === 'witness' || p.role === 'refinery') && known.rigs.includes(p.rig)) return address;
  // the short form names a crew member when the rig has one of that name and no such polecat
  const short = /^[^/]+\/[^/]+\/?$/.test(spec.trim()) && p.role === 'polecat' ? `${p.rig}/crew/${p.name}` : undefined;
  if (short && all.has(short)) return short;
  return allowUnknown ? address : undefined;
}

/**
 * Resolve recipient specs (addresses and groups) to mailboxes, first occurrence first, without
 * duplicates; an address named directly keeps `via` undefined even when a group also covers it.
 * The excluded address (the sender) is dropped from group expansions only: a message sent to
 * oneself on purpose (a HANDOFF note to one's next session) is kept.
 *
 * @param spec one spec or a list (`['app/nux', '@polecats/app']`).
 * @returns the recipients; empty when every group named is empty.
 * @throws GtError NOT_FOUND naming the address and up to three close matches among the known
 *   addresses and groups.
 */
export function resolveRecipients(spec: string | readonly string[], known: KnownAddresses, options: ResolveOptions = {}): Recipient[] {
  const specs = typeof spec === 'string' ? [spec] : spec;
  const out = new Map<string, Recipient>();
  for (const raw of specs) {
    const s = raw.trim();
    if (!s) throw new GtError('INVALID_VALUE', 'an empty mail address', { fix: 'name a recipient: overseer, mayor/, <rig>/polecats/<name>, @town, …' });
    if (s.startsWith('@')) {
      const members = groupMembers(s, known);
      if (!members) throw notFound(s, known);
      const via = s.replace(/\/$/, '');
      for (const a of members) if (a !== options.exclude && !out.has(a)) out.set(a, { address: a, via });
      continue;
    }
    const address = resolveOne(s, known, options.allowUnknown ?? false);
    if (!address) throw notFound(s, known);
    out.set(address, { address });
  }
  return [...out.values()];
}
