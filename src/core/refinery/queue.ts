/**
 * Merge-queue order (issue #4). Gas Town's documented priority score (gastown-features.md §3.6):
 *
 *   score = 1000 + 10·convoyAgeHours + 100·(4 − priority) − min(50·retries, 300) + 1·ageHours
 *
 * so urgent beads go first, old convoys are not starved, a retried MR yields to fresh work
 * (bounded, so it is not starved either), and age breaks ties. Higher score first; then older
 * first; then id.
 */
import { timeMs } from '../ledger/time.js';

/** The fields of a merge request the order looks at. */
export interface QueueItem {
  id: string;
  /** Bead priority 0..4 (0 = critical). */
  priority: number;
  /** How many times it was sent back and queued again. */
  retries: number;
  /** RFC 3339 time the MR was created. */
  created_at: string;
  /** RFC 3339 time its convoy was created, if it belongs to one. */
  convoy_created_at?: string | null;
}

const HOUR_MS = 3_600_000;

/** The priority score of an MR at time `now` (epoch ms). */
export function priorityScore(mr: QueueItem, now: number): number {
  const age = Math.max(0, (now - (timeMs(mr.created_at) || now)) / HOUR_MS);
  const convoyAge = mr.convoy_created_at ? Math.max(0, (now - (timeMs(mr.convoy_created_at) || now)) / HOUR_MS) : 0;
  const priority = Math.min(4, Math.max(0, mr.priority));
  return 1000 + 10 * convoyAge + 100 * (4 - priority) - Math.min(50 * mr.retries, 300) + age;
}

/** The queue in merge order: score descending, then oldest, then id. */
export function orderQueue<T extends QueueItem>(items: readonly T[], now: number): T[] {
  return [...items]
    .map((item) => ({ item, score: priorityScore(item, now), created: timeMs(item.created_at) || 0 }))
    .sort((a, b) => b.score - a.score || a.created - b.created || a.item.id.localeCompare(b.item.id))
    .map((x) => x.item);
}
