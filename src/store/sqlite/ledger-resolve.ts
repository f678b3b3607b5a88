/**
 * Partial id resolution as beads does it (beads.md §2 "Partial resolution"): exact id; then the
 * input normalized with the default prefix (`a3f8` → `hq-a3f8`); then a unique match on the
 * hash part; an ambiguous input lists the candidates, an unknown one its close matches.
 */
import { closeMatches, GtError } from '../../core/errors.js';
import type { Db } from './db.js';

const ALLOWED = /^[0-9A-Za-z._-]+$/;

/**
 * Resolve what a user typed to one bead id (tombstones are not matched).
 *
 * @param defaultPrefix prefix prepended to a bare hash (`hq`, or the rig's prefix).
 * @throws GtError INVALID_ID for characters beads does not allow, AMBIGUOUS_ID listing the
 * candidates, BEAD_NOT_FOUND naming the id and its close matches.
 */
export function resolveId(db: Db, input: string, defaultPrefix: string): string {
  const text = input.trim();
  if (!text || !ALLOWED.test(text)) {
    throw new GtError('INVALID_ID', `"${input}" is not a bead id`, { fix: 'ids use letters, digits, "-", "_" and "." (e.g. hq-a3f8)' });
  }
  const live = db.prepare("SELECT id FROM issues WHERE id = ? AND status <> 'tombstone'");
  if (live.get(text)) return text;
  const lower = text.toLowerCase();
  if (lower !== text && live.get(lower)) return lower;
  const normalized = /^[a-z0-9]{1,8}-/.test(lower) ? lower : `${defaultPrefix}-${lower}`;
  if (live.get(normalized)) return normalized;

  // The hash part: what follows the first hyphen of the normalized form.
  const hash = normalized.slice(normalized.indexOf('-') + 1);
  const rows = db.prepare(`SELECT id FROM issues WHERE status <> 'tombstone' AND instr(id, ?) > 0 ORDER BY id LIMIT 51`).all(hash) as Array<{ id: string }>;
  const exactHash = rows.filter((r) => r.id.endsWith(`-${hash}`));
  if (exactHash.length === 1) return exactHash[0]!.id;
  if (rows.length === 1) return rows[0]!.id;
  if (rows.length > 1) {
    const candidates = rows.slice(0, 10).map((r) => r.id);
    throw new GtError('AMBIGUOUS_ID', `ambiguous id "${input}" matches ${rows.length > 50 ? 'more than 50' : rows.length} beads: ${candidates.join(', ')}${rows.length > 10 ? ', …' : ''}`, {
      fix: 'type more of the id', details: { candidates },
    });
  }
  const all = (db.prepare("SELECT id FROM issues WHERE status <> 'tombstone'").all() as Array<{ id: string }>).map((r) => r.id);
  const near = closeMatches(normalized, all);
  throw new GtError('BEAD_NOT_FOUND', `no bead "${input}"`, {
    fix: near.length ? `did you mean ${near.join(', ')}?` : 'list beads with `gt bd list`',
    details: { id: input, candidates: near },
  });
}
