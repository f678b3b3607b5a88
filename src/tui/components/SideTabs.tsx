/**
 * The tabs beside (or below) the grid: the overseer's mail inbox, the escalation queue
 * (severity and age), and the merge queue. The focused area picks the tab.
 */
import { memo } from 'react';
import type { Rect } from '../layout.js';
import { sameByValue } from './At.js';
import { escalationItems, filterFor, mailItems, queueItems } from '../state/selectors.js';
import type { Tab } from '../state/stores.js';
import { age, inert } from '../text.js';
import { useTheme, useTown, useUi } from './context.js';
import { Frame } from './Frame.js';
import { Row, scrollWindow, type Segment } from './Row.js';

const SEV_WORD: Record<string, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED ', low: 'LOW ' };

/** See the module comment. */
export const SideTabs = memo(function SideTabs({ rect }: { rect: Rect }) {
  const t = useTheme();
  const view = useTown((s) => s.view);
  const tab = useUi((s) => s.tab);
  const focus = useUi((s) => s.focus);
  const now = useUi((s) => s.now);
  const selected = useUi((s) => s.selected[s.tab]);
  const filter = useUi((s) => filterFor(s, s.tab));
  const focused = focus === tab;
  const w = rect.w - 2;
  const h = rect.h - 2;
  const openEsc = view.escalations.filter((e) => e.state === 'open').length;
  const label = (n: number, name: Tab, text: string) => (tab === name ? `[${n} ${text}]` : ` ${n} ${text} `);
  const title = `${label(4, 'mail', `Mail ${view.unread}/${view.mail.length}`)}${label(5, 'escalations', `Escalations ${openEsc}`)}${label(6, 'queue', `Queue ${view.queue.length}`)}`;
  let rows: Segment[][] = [];
  let empty = '';
  if (tab === 'mail') {
    rows = mailItems(view, filter).map((m) => [
      { text: m.delivery.read_at ? '  ' : '● ', color: t.colors.key },
      { text: `${age(m.message.created_at, now).padStart(3)} `, color: t.colors.muted },
      { text: `${inert(m.message.from)}: `, color: t.colors.accent, bold: !m.delivery.read_at },
      { text: inert(m.message.subject), bold: !m.delivery.read_at },
    ]);
    empty = 'no mail for you (overseer)';
  } else if (tab === 'escalations') {
    rows = escalationItems(view, filter).map((e) => [
      { text: `${SEV_WORD[e.severity] ?? e.severity} `, color: t.colors[e.severity as 'critical'] ?? t.colors.text, bold: true },
      { text: `${age(e.created_at, now).padStart(3)} `, color: t.colors.muted },
      { text: e.state === 'acked' ? 'acked ' : '', color: t.colors.ok },
      { text: inert(e.summary) },
      { text: ` · ${inert(e.source)}`, color: t.colors.muted },
    ]);
    empty = 'no open escalations';
  } else {
    rows = queueItems(view, filter).map((m, i) => [
      { text: `${i + 1}. `, color: t.colors.muted },
      { text: `${m.state === 'testing' ? '⟳ testing' : '· queued '} `, color: m.state === 'testing' ? t.colors.starting : t.colors.muted },
      { text: `${inert(m.bead_id)} `, bold: true },
      { text: inert(m.polecat), color: t.colors.muted },
    ]);
    empty = 'the merge queue is empty';
  }
  const [start, end] = scrollWindow(selected, rows.length, h);
  return (
    <Frame rect={rect} title={title} focused={focused} {...(filter ? { right: `/${inert(filter)}` } : {})}>
      {rows.length === 0 ? <Row width={w} segments={[{ text: empty, color: t.colors.muted }]} /> : null}
      {rows.slice(start, end).map((segs, k) => <Row key={start + k} width={w} segments={segs} selected={focused && start + k === selected} />)}
    </Frame>
  );
}, sameByValue);
