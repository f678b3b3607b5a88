/**
 * RFC 3339 timestamps as beads writes them (beads.md §1.2, §9 Accept 6): `Z` or `±hh:mm`
 * offsets, 0–9 fractional digits. Beads keeps the text it was given; ordering and comparison
 * use {@link timeKey}, a UTC form with nanosecond precision that sorts as a string.
 */
import { GtError } from '../errors.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$/;

/** The zero time beads sanitizes to on export (beads.md §1.2 `created_at`). */
export const ZERO_TIME = '1970-01-01T00:00:00Z';

/**
 * Parse RFC 3339 text into epoch milliseconds plus the sub-millisecond nanoseconds.
 * Returns undefined when the text is not RFC 3339.
 */
export function parseTime(text: string): { ms: number; subMsNanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const fracNs = Number(frac.padEnd(9, '0') || '0');
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    ms -= sign * offMin * 60_000;
  }
  ms += Math.floor(fracNs / 1_000_000);
  return { ms, subMsNanos: fracNs % 1_000_000 };
}

/** True when `text` is RFC 3339 as beads accepts it. */
export function isTime(text: string): boolean {
  return parseTime(text) !== undefined;
}

/**
 * A sortable UTC key for a timestamp: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (always 9 fractional
 * digits), so string order is time order across offsets and precisions.
 *
 * @throws GtError INVALID_VALUE when `text` is not RFC 3339.
 */
export function timeKey(text: string): string {
  const t = parseTime(text);
  if (!t) {
    throw new GtError('INVALID_VALUE', `"${text}" is not an RFC 3339 timestamp`, {
      fix: 'write it like 2026-01-31T12:00:00Z or 2026-01-31T12:00:00.5-08:00',
    });
  }
  const iso = new Date(t.ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${String(t.subMsNanos).padStart(6, '0')}Z`;
}

/** Epoch milliseconds of a timestamp, or NaN when it is not RFC 3339. */
export function timeMs(text: string): number {
  return parseTime(text)?.ms ?? Number.NaN;
}

/** Compare two timestamps in time order (-1, 0, 1); invalid text sorts first. */
export function compareTime(a: string | undefined, b: string | undefined): number {
  const ka = a && isTime(a) ? timeKey(a) : '';
  const kb = b && isTime(b) ? timeKey(b) : '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The current time as RFC 3339 UTC text with millisecond precision (`2026-11-21T13:00:00.123Z`). */
export function nowTime(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}

/**
 * Parse a user-given time for `--due`/`--defer`: RFC 3339, a date `YYYY-MM-DD` (midnight UTC),
 * or a relative duration `+30m`, `+2h`, `+3d`, `+1w` from now.
 *
 * @throws GtError INVALID_VALUE naming the accepted forms.
 */
export function parseUserTime(text: string, now: number = Date.now()): string {
  const trimmed = text.trim();
  if (isTime(trimmed)) return trimmed;
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed) && !Number.isNaN(Date.parse(`${trimmed}T00:00:00Z`))) {
    return `${trimmed}T00:00:00Z`;
  }
  const rel = /^\+?(\d+)([mhdw])$/.exec(trimmed);
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now + Number(rel[1]) * unit).toISOString();
  }
  throw new GtError('INVALID_VALUE', `cannot read "${text}" as a time`, {
    fix: 'use RFC 3339 (2026-12-01T09:00:00Z), a date (2026-12-01) or a duration from now (+2h, +3d, +1w)',
  });
}
