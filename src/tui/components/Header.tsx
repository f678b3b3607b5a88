/**
 * The header row: town, agents by status, convoys in flight, unread mail, open escalations by
 * severity, merge queue length, and today's token cost (from the runtimes' logs, fed every ~30 s
 * by `watchDayCosts`, never computed here). Every figure has a word next to it (never colour alone).
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { inert, pad } from '../text.js';
import { statusCounts } from '../state/selectors.js';
import type { DayCosts } from '../../store/costs/costs.js';
import { useTheme, useTown } from './context.js';

/** Tokens in short: `950`, `90.4k`, `1.2M`. */
export function shortTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** The header's cost figure: `today $1.23 · 90.4k tok` (`+?` when some model has no price). */
export function costText(c: DayCosts): string {
  return `today $${c.usd.toFixed(2)}${c.complete ? '' : '+?'} · ${shortTokens(c.tokens)} tok`;
}

/** See the module comment. */
export const Header = memo(function Header({ width }: { width: number }) {
  const t = useTheme();
  const view = useTown((s) => s.view);
  const sessions = useTown((s) => s.sessions);
  const costs = useTown((s) => s.costs);
  const counts = statusCounts(view, sessions);
  const inFlight = view.convoys.filter((c) => !c.landed).length;
  const sev = (s: string) => view.escalations.filter((e) => e.severity === s && e.state === 'open').length;
  const stuck = (counts.stuck ?? 0) + (counts.exited ?? 0) + (counts.stalled ?? 0);
  const agentText = [
    `●${counts.working ?? 0} working`,
    counts.waiting ? `◐${counts.waiting} waiting` : '',
    (counts.idle ?? 0) + (counts.done ?? 0) ? `○${(counts.idle ?? 0) + (counts.done ?? 0)} idle` : '',
    counts.starting ? `⟳${counts.starting} starting` : '',
    stuck ? `✕${stuck} stuck` : '',
  ].filter(Boolean).join(' ');
  const sevText = ['critical', 'high', 'medium', 'low'].map((x) => (sev(x) ? `${sev(x)} ${x}` : '')).filter(Boolean).join(' ');
  // Most important first: what is cut on a narrow terminal is at the right.
  const parts: Array<[string, string | undefined]> = [
    [` Gas Town · ${inert(view.name) || '…'} `, t.colors.header],
    [`│ ${agentText} `, t.colors.header],
    [`│ escalations ${sevText || '0'} `, sev('critical') + sev('high') ? t.colors.critical : t.colors.header],
    [`│ mail ${view.unread} unread `, view.unread ? t.colors.key : t.colors.header],
    // Before queue and convoys, which the side tabs and the tree also show.
    ...(costs ? [[`│ ${costText(costs)} `, t.colors.header] as [string, string | undefined]] : []),
    [`│ queue ${view.queue.length} `, t.colors.header],
    [`│ convoys ${inFlight} `, t.colors.header],
  ];
  let used = 0;
  const shown: Array<[string, string | undefined]> = [];
  for (const [text, color] of parts) {
    const n = [...text].length;
    if (used + n > width) break;
    shown.push([text, color]);
    used += n;
  }
  return (
    <Box width={width} height={1}>
      <Text backgroundColor={t.colors.headerBg} inverse={!t.color} bold>
        {shown.map(([text, color], i) => <Text key={i} color={color} backgroundColor={t.colors.headerBg}>{text}</Text>)}
        <Text backgroundColor={t.colors.headerBg}>{pad('', width - used)}</Text>
      </Text>
    </Box>
  );
});
