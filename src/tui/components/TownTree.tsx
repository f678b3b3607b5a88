/**
 * The left column: the town tree (rigs → polecats and crew with status glyph and word, town
 * agents, convoys with progress bars) and, below it, the ready beads (digits sling to rig N).
 */
import { memo } from 'react';
import type { Rect } from '../layout.js';
import { sameByValue } from './At.js';
import { readyItems, selectable, statusLook, treeItems, filterFor } from '../state/selectors.js';
import { bar, inert } from '../text.js';
import { useTheme, useTown, useUi } from './context.js';
import { Frame } from './Frame.js';
import { Row, scrollWindow, type Segment } from './Row.js';

/** Split the left column into the tree (top) and the ready list (bottom). */
export function leftColumn(rect: Rect): { tree: Rect; ready: Rect } {
  const readyH = Math.max(6, Math.floor(rect.h * 0.4));
  const treeH = Math.max(0, rect.h - readyH);
  return { tree: { ...rect, h: treeH }, ready: { x: rect.x, y: rect.y + treeH, w: rect.w, h: readyH } };
}

/** The town tree. */
export const TownTree = memo(function TownTree({ rect }: { rect: Rect }) {
  const t = useTheme();
  const view = useTown((s) => s.view);
  const sessions = useTown((s) => s.sessions);
  const focused = useUi((s) => s.focus === 'tree');
  const filter = useUi((s) => filterFor(s, 'tree'));
  const selectedIdx = useUi((s) => s.selected.tree);
  const items = treeItems(view, filter);
  const sel = selectable(items)[selectedIdx];
  const w = rect.w - 2;
  const h = rect.h - 2;
  const [start, end] = scrollWindow(sel ?? 0, items.length, h);
  const rows = items.slice(start, end).map((it, k) => {
    const i = start + k;
    let segs: Segment[];
    if (it.kind === 'rig') segs = [{ text: `▾ ${inert(it.rig.name)}`, color: t.colors.accent, bold: true }, { text: it.rig.paused ? '  refinery paused' : '', color: t.colors.muted }];
    else if (it.kind === 'heading') segs = [{ text: `▾ ${it.text}`, color: t.colors.accent, bold: true }];
    else if (it.kind === 'agent') {
      const look = statusLook(it.agent, sessions[it.agent.address]);
      const name = it.agent.role === 'crew' ? `crew/${it.agent.name}` : it.agent.rig ? it.agent.name : it.agent.address;
      const mol = view.molecules[it.agent.address];
      segs = [{ text: '  ' }, { text: `${look.glyph} `, color: t.colors[look.color] }, { text: inert(name), bold: true }, { text: ` ${look.word}`, color: t.colors[look.color] },
        { text: mol ? ` ${mol.done}/${mol.total}` : '', color: t.colors.accent },
        { text: it.agent.hook_bead ? ` ${inert(it.agent.hook_bead)}` : '', color: t.colors.muted }];
    } else {
      const c = it.convoy;
      segs = [{ text: '  ' }, { text: c.landed ? '✓ ' : '⛟ ', color: c.landed ? t.colors.ok : t.colors.accent }, { text: `${bar(c.done, c.total, 8)} ${c.done}/${c.total} ` , color: c.landed ? t.colors.ok : t.colors.text },
        { text: inert(c.title) }, { text: c.stranded ? ' stranded' : c.landed ? ' landed' : '', color: c.stranded ? t.colors.stuck : t.colors.ok }];
    }
    return <Row key={i} width={w} segments={segs} selected={focused && i === sel} />;
  });
  const right = filter ? `/${inert(filter)}` : undefined;
  return (
    <Frame rect={rect} title="1 Town" focused={focused} {...(right ? { right } : {})}>
      {items.length ? rows : <Row width={w} segments={[{ text: 'no rigs yet: gt rig add <name> <git-url>', color: t.colors.muted }]} />}
    </Frame>
  );
}, sameByValue);

/** The ready list. */
export const ReadyList = memo(function ReadyList({ rect }: { rect: Rect }) {
  const t = useTheme();
  const view = useTown((s) => s.view);
  const focused = useUi((s) => s.focus === 'ready');
  const filter = useUi((s) => filterFor(s, 'ready'));
  const selected = useUi((s) => s.selected.ready);
  const items = readyItems(view, filter);
  const w = rect.w - 2;
  const [start, end] = scrollWindow(selected, items.length, rect.h - 2);
  const prio = ['P0', 'P1', 'P2', 'P3', 'P4'];
  return (
    <Frame rect={rect} title={`2 Ready (${items.length})`} focused={focused} {...(filter ? { right: `/${inert(filter)}` } : {})}>
      {items.length === 0 ? <Row width={w} segments={[{ text: 'nothing ready: n makes a bead', color: t.colors.muted }]} /> : null}
      {items.slice(start, end).map((r, k) => (
        <Row key={r.id} width={w} selected={focused && start + k === selected} segments={[
          { text: `${prio[r.priority] ?? 'P?'} `, color: r.priority <= 1 ? t.colors.high : t.colors.muted },
          { text: `${inert(r.id)} `, color: t.colors.muted }, { text: inert(r.title) },
        ]} />
      ))}
    </Frame>
  );
}, sameByValue);
