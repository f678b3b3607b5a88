/**
 * The town watcher: tells subscribed UIs when town.db changed, so they re-read it instead of
 * polling per pane (issue #6: "pushed by the daemon on change").
 *
 * Every {@link WATCH_MS} it asks SQLite two cheap questions: `PRAGMA data_version` (changes when
 * another connection committed — a CLI command, an agent's `bd` call) and `total_changes()` of the
 * daemon's own connection (its own writes). When either moved, it publishes `town.changed` on the
 * `town` topic with the town events recorded since the last push (at most 200), which UIs turn
 * into toasts. No subscriber, no work beyond the two numbers.
 */
import { listEvents, latestEventId } from '../store/events.js';
import type { DaemonContext, DaemonService } from './daemon.js';

/** How often the watcher looks, in ms. */
export const WATCH_MS = 150;

/** Make the town watcher service. */
export function townWatchService(ctx: DaemonContext): DaemonService {
  let timer: NodeJS.Timeout | undefined;
  let lastVersion = -1;
  let lastChanges = -1;
  let lastEvent = 0;
  const tick = () => {
    const version = ctx.town.db.pragma('data_version', { simple: true }) as number;
    const changes = (ctx.town.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    if (version === lastVersion && changes === lastChanges) return;
    lastVersion = version;
    lastChanges = changes;
    const events = listEvents(ctx.town, { afterId: lastEvent, limit: 200 });
    if (events.length) lastEvent = events[events.length - 1]!.id;
    ctx.publish('town', 'town.changed', { events });
  };
  return {
    name: 'town-watch',
    start: () => {
      lastEvent = latestEventId(ctx.town);
      timer = setInterval(() => {
        try {
          tick();
        } catch (e) {
          ctx.log(`town watch failed: ${(e as Error).message}`);
        }
      }, WATCH_MS);
      timer.unref();
    },
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
