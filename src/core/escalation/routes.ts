/**
 * Escalation routing (issue #5; Gas Town §3.8): a severity-ranked request for attention goes to
 * the first address of its severity's route (settings `escalation.routes`), and an escalation
 * nobody acknowledged moves to the next address after `escalation.reescalate_ms[severity]`. The
 * last address keeps it. Route entries are addresses; `witness` alone means the witness of the
 * escalation's rig (`<rig>/witness`) and is skipped when there is no rig.
 */
import { GtError } from '../errors.js';
import { SEVERITIES, type Severity } from '../town/settings.js';

/** Escalation categories (Gas Town's `HELP:` classification). */
export const CATEGORIES = ['decision', 'help', 'blocked', 'failed', 'emergency', 'lifecycle'] as const;
/** An escalation category. */
export type Category = (typeof CATEGORIES)[number];

/**
 * Read a severity.
 *
 * @throws GtError INVALID_VALUE listing the severities.
 */
export function parseSeverity(input: string): Severity {
  const s = input.trim().toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) {
    throw new GtError('INVALID_VALUE', `invalid severity "${input}"`, { fix: `use one of: ${SEVERITIES.join(', ')}` });
  }
  return s as Severity;
}

/**
 * Read a category.
 *
 * @throws GtError INVALID_VALUE listing the categories.
 */
export function parseCategory(input: string): Category {
  const c = input.trim().toLowerCase();
  if (!(CATEGORIES as readonly string[]).includes(c)) {
    throw new GtError('INVALID_VALUE', `invalid category "${input}"`, { fix: `use one of: ${CATEGORIES.join(', ')}` });
  }
  return c as Category;
}

/** The concrete addresses of a route for an escalation about `rig` ('' = none). */
export function routeAddresses(route: readonly string[], rig: string): string[] {
  const out: string[] = [];
  for (const entry of route) {
    const a = entry === 'witness' ? (rig ? `${rig}/witness` : '') : entry.replace(/\/$/, '');
    if (a && !out.includes(a)) out.push(a);
  }
  return out;
}

/** Where an escalation goes next: the address after `current` on its route, or undefined at the end. */
export function nextAddress(route: readonly string[], rig: string, current: string): string | undefined {
  const addresses = routeAddresses(route, rig);
  const at = addresses.indexOf(current);
  return at >= 0 ? addresses[at + 1] : addresses[0];
}

/** Rank for sorting: critical first. */
export function severityRank(s: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
}
