/**
 * Bead ids, compatible with beads (../shared/research/beads.md §2).
 *
 * - Hash ids: `sha256("title|description|creator|createdAtUnixNanos|nonce")`, the first k bytes
 *   as a big-endian integer in lowercase base36, left-padded with `0` and cut to the last `len`
 *   characters (beads `internal/idgen/hash.go`), so the same inputs give the same id as `bd`.
 * - Adaptive length: the smallest length in [3..8] whose birthday collision probability for the
 *   current number of top-level ids stays ≤ 0.25.
 * - Child ids `parent.N`.
 */
import { createHash } from 'node:crypto';
import { GtError } from '../errors.js';

/** Default collision probability bound (beads config `max_collision_prob`). */
export const MAX_COLLISION_PROB = 0.25;
/** Shortest hash suffix (beads config `min_hash_length`). */
export const MIN_HASH_LENGTH = 3;
/** Longest hash suffix (beads config `max_hash_length`). */
export const MAX_HASH_LENGTH = 8;
/** Deepest child nesting (`bd-a.1.2.3`), beads' `hierarchy.max-depth`. */
export const MAX_CHILD_DEPTH = 3;
/** Nonces tried per length before a longer hash is used. */
export const NONCES_PER_LENGTH = 10;

const BYTES_FOR_LENGTH: Readonly<Record<number, number>> = { 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 5 };

/** Lowercase base36 of a big-endian byte string, left-padded with 0 and cut to the last `length` chars. */
export function encodeBase36(bytes: Uint8Array, length: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = n.toString(36);
  if (s.length < length) s = s.padStart(length, '0');
  return s.slice(s.length - length);
}

/** Inputs of {@link hashId}. */
export interface HashIdInput {
  /** Bead prefix without the trailing hyphen (`hq`, `gt`, `beads-vscode`). */
  prefix: string;
  title: string;
  description: string;
  /** The creating actor. */
  creator: string;
  /** Creation time as epoch nanoseconds (bigint, to keep Go's UnixNano precision). */
  createdAtNanos: bigint;
  /** Suffix length, 3..8. */
  length: number;
  /** Collision nonce, 0..9. */
  nonce: number;
}

/** One hash id candidate exactly as beads computes it (`prefix-xxxx`). */
export function hashId(input: HashIdInput): string {
  const prefix = input.prefix.replace(/-$/, '');
  const content = `${input.title}|${input.description}|${input.creator}|${input.createdAtNanos}|${input.nonce}`;
  const digest = createHash('sha256').update(content, 'utf8').digest();
  const numBytes = BYTES_FOR_LENGTH[input.length] ?? 3;
  return `${prefix}-${encodeBase36(digest.subarray(0, numBytes), input.length)}`;
}

/**
 * The suffix length for a prefix that already has `topLevelCount` top-level ids: the smallest
 * length in [min..max] whose birthday probability `1 - e^(-n²/(2·36^len))` is ≤ `maxProb`.
 */
export function adaptiveLength(topLevelCount: number, maxProb = MAX_COLLISION_PROB, min = MIN_HASH_LENGTH, max = MAX_HASH_LENGTH): number {
  const n = topLevelCount;
  for (let len = min; len <= max; len++) {
    const space = 36 ** len;
    const p = 1 - Math.exp(-(n * n) / (2 * space));
    if (p <= maxProb) return len;
  }
  return max;
}

/**
 * Generate a new hash id, trying nonces 0..9 at each length from the adaptive one up to 8 and
 * taking the first candidate for which `exists` is false.
 *
 * @throws GtError INTERNAL after every candidate collided (beads: 10 × lengths).
 */
export function generateHashId(
  base: Omit<HashIdInput, 'length' | 'nonce'>,
  topLevelCount: number,
  exists: (id: string) => boolean,
): string {
  for (let len = adaptiveLength(topLevelCount); len <= MAX_HASH_LENGTH; len++) {
    for (let nonce = 0; nonce < NONCES_PER_LENGTH; nonce++) {
      const id = hashId({ ...base, length: len, nonce });
      if (!exists(id)) return id;
    }
  }
  throw new GtError('INTERNAL', `could not find a free id for prefix "${base.prefix}" after ${NONCES_PER_LENGTH * (MAX_HASH_LENGTH - MIN_HASH_LENGTH + 1)} tries`);
}

/** Epoch nanoseconds of an epoch-millisecond clock reading plus extra sub-ms nanoseconds. */
export function toNanos(ms: number, subMsNanos = 0): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(subMsNanos);
}

const ID_CHARS = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

/**
 * Check that an id uses only beads' characters `[0-9A-Za-z.-_]` and has a prefix.
 *
 * @throws GtError INVALID_ID naming the id.
 */
export function assertValidId(id: string): void {
  if (!ID_CHARS.test(id) || !id.includes('-') || id.length > 255) {
    throw new GtError('INVALID_ID', `"${id}" is not a valid bead id`, {
      fix: 'ids look like <prefix>-<hash>, e.g. hq-a3f8 or gt-x7k2m.1, using letters, digits, "-", "_" and "."',
    });
  }
}

/** The parent of a dotted child id (`hq-abc.2` → `hq-abc`), or undefined for a top-level id. */
export function parentOfChildId(id: string): string | undefined {
  const dash = id.indexOf('-');
  const dot = id.lastIndexOf('.');
  return dot > dash && dash >= 0 ? id.slice(0, dot) : undefined;
}

/** Depth of a child id: 0 for `hq-abc`, 1 for `hq-abc.1`, 2 for `hq-abc.1.3`. */
export function childDepth(id: string): number {
  const dash = id.indexOf('-');
  return dash < 0 ? 0 : id.slice(dash).split('.').length - 1;
}

/**
 * The prefix of an id (beads.md §2 "Prefix extraction"): split at the last hyphen when the
 * suffix is numeric or hash-like (3 base36 chars, or 4–8 chars containing a digit), else at the
 * first hyphen. Child suffixes (`.N`) are ignored. `known` prefixes win, longest first.
 */
export function prefixOfId(id: string, known: Iterable<string> = []): string {
  const top = id.split('.')[0] ?? id;
  const sorted = [...known].sort((a, b) => b.length - a.length);
  for (const p of sorted) if (top.startsWith(`${p}-`)) return p;
  const last = top.lastIndexOf('-');
  if (last < 0) return top;
  const suffix = top.slice(last + 1);
  const hashLike = /^\d+$/.test(suffix) || /^[0-9a-z]{3}$/.test(suffix) || (/^[0-9a-z]{4,8}$/.test(suffix) && /\d/.test(suffix));
  return hashLike ? top.slice(0, last) : top.slice(0, top.indexOf('-'));
}

/**
 * Derive a bead prefix from a rig name (Gas Town `gt rig add`): initials of the name's parts
 * (`my_cool-app` → `mca`, `gasTown` → `gt`); a single short word is used whole up to 4 chars
 * (`demo` → `demo`), a longer single word gives its first two letters (`gastown` → `ga`).
 * Always 2..8 lowercase alphanumerics, never `hq` (the town prefix).
 */
export function derivePrefix(rigName: string): string {
  const parts = rigName
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
  let prefix: string;
  if (parts.length >= 2) prefix = parts.map((p) => p[0]).join('');
  else {
    const word = parts[0] ?? 'rig';
    prefix = word.length <= 4 ? word : word.slice(0, 2);
  }
  prefix = prefix.replace(/[^a-z0-9]/g, '').slice(0, 8);
  if (prefix.length < 2) prefix = (prefix + (parts.join('') || 'rig')).slice(0, 2);
  if (prefix === 'hq') prefix = 'hqr';
  return prefix;
}
