/**
 * `gt feed [--follow] [--json] [--rig r] [--since 1h|RFC3339] [--type t] [-n N]`: the town's
 * event stream (gastown-features.md §4.1 "Event stream", §3.12 events), oldest first. With
 * `--follow` it keeps printing new events as any process records them, until Ctrl-C.
 * `--json` prints one JSON object per line (JSON Lines), so `gt feed --follow --json` pipes.
 */
import type { Command } from 'commander';
import { formatEvent, type TownEvent } from '../../core/events/types.js';
import { followEvents, latestEventId, listEvents } from '../../store/events.js';
import { openTown, resolveTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, intOption, type CliContext, type JsonOption } from '../context.js';

export { followEvents } from '../../store/events.js';

/** How many events `gt feed` shows without `-n`. */
export const DEFAULT_FEED_COUNT = 50;

interface FeedOptions extends JsonOption {
  follow?: boolean;
  rig?: string;
  since?: string;
  type?: string;
  limit?: string;
}

/** The line `gt feed` prints for an event: JSON with `--json`, else {@link formatEvent} made inert. */
export function feedLine(e: TownEvent, json: boolean): string {
  return json ? JSON.stringify(e) : inert(formatEvent(e));
}

/** Register `gt feed`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('feed')
    .description('the town\'s events, oldest first; --follow keeps printing new ones')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--rig <rig>', 'only this rig\'s events')
    .option('--since <when>', 'only events since a duration ago (10m, 2h, 1d) or an RFC 3339 time')
    .option('--type <type>', 'only this event type (mr.merged) or domain (mr)')
    .option('-n, --limit <n>', `show the last N events (default ${DEFAULT_FEED_COUNT}; 0 = none, only new ones with --follow)`)
    .option('--json', 'one JSON object per line')
    .action(action(ctx, 'gt', async (o: FeedOptions) => {
      const limit = intOption('-n', o.limit, 0) ?? DEFAULT_FEED_COUNT;
      const filter = {
        ...(o.rig !== undefined ? { rig: o.rig } : {}),
        ...(o.type !== undefined ? { type: o.type } : {}),
      };
      const json = Boolean(o.json);
      const town = openTown(resolveTown(ctx.cwd, ctx.env));
      try {
        // The high-water mark is taken before the backlog is read, so nothing falls in between.
        const start = latestEventId(town);
        const backlog = limit === 0 ? [] : listEvents(town, { ...filter, ...(o.since !== undefined ? { since: o.since } : {}), limit });
        for (const e of backlog) if (e.id <= start) ctx.io.out(`${feedLine(e, json)}\n`);
        if (!o.follow) {
          if (!backlog.length && !json) ctx.io.out('No events yet.\n');
          return;
        }
        const controller = new AbortController();
        const onSigint = (): void => controller.abort();
        process.once('SIGINT', onSigint);
        try {
          await followEvents(town, { ...filter, afterId: start }, (e) => ctx.io.out(`${feedLine(e, json)}\n`), controller.signal);
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      } finally {
        town.close();
      }
    }));
}
