/**
 * The grid of agent panes: each pane's frame (status glyph and word, hook, generation) is drawn
 * here; the live content inside is drawn by the compositor straight from the agent's mirror
 * terminal. A pane without a live session says why instead: never started, or exited with its
 * reason and code.
 */
import { Text } from 'ink';
import { memo } from 'react';
import { At, sameByValue } from './At.js';
import type { Rect } from '../layout.js';
import type { AgentRow } from '../../store/work/agents.js';
import { statusLook } from '../state/selectors.js';
import { inert } from '../text.js';
import { useKeys, useTheme, useTown, useUi } from './context.js';
import { Frame } from './Frame.js';
import { Row } from './Row.js';

/** Props of {@link PaneGrid}. */
export interface PaneGridProps {
  /** Outer rectangles, in order. */
  rects: Rect[];
  /** The agents shown, one per rect. */
  agents: AgentRow[];
  /** Addresses whose mirror is attached (content drawn by the compositor). */
  live: ReadonlySet<string>;
  /** The whole grid area (used when there is no agent to show). */
  grid: Rect;
}

/** See the module comment. */
export const PaneGrid = memo(function PaneGrid({ rects, agents, live, grid }: PaneGridProps) {
  const t = useTheme();
  const keys = useKeys();
  const sessions = useTown((s) => s.sessions);
  const molecules = useTown((s) => s.view.molecules);
  const daemon = useTown((s) => s.daemon);
  const focusedArea = useUi((s) => s.focus === 'panes');
  const selected = useUi((s) => s.agent);
  const entered = useUi((s) => s.entered);
  if (!agents.length) {
    const r = grid;
    return (
      <At rect={r}>
        <Frame rect={r} title="3 Agents" focused={focusedArea}>
          <Row width={r.w - 2} segments={[{ text: 'no agents yet: select a ready bead and press s (or S) to sling it', color: t.colors.muted }]} />
        </Frame>
      </At>
    );
  }
  return (
    <>
      {agents.map((a, i) => {
        const rect = rects[i]!;
        const s = sessions[a.address];
        const look = statusLook(a, s);
        const isEntered = entered === a.address;
        const name = a.rig ? `${a.rig}/${a.role === 'crew' ? 'crew/' : ''}${a.name}` : a.address;
        const mol = molecules[a.address];
        const step = mol ? ` · ${mol.current ? `${inert(mol.current)} ` : ''}${mol.done}/${mol.total}` : '';
        const title = `${look.glyph} ${inert(name)} ${look.word}${a.hook_bead ? ` · ${inert(a.hook_bead)}` : ''}${step}`;
        const right = isEntered ? `typing · ${keys.leave} leaves` : s ? `gen ${s.generation}` : undefined;
        let lines: Array<{ text: string; color?: string | undefined }> = [];
        if (!live.has(a.address)) {
          if (daemon.state !== 'up') lines = [{ text: 'the daemon is unreachable; retrying', color: t.colors.error }];
          else if (s?.exit) lines = [
            { text: `✕ session exited: ${inert(s.exit.reason)}${s.exit.code !== null ? ` (code ${s.exit.code})` : ''}`, color: t.colors.stuck },
            { text: a.hook_bead ? `its work stays hooked (${inert(a.hook_bead)}); the witness restarts it` : 'no work on its hook', color: t.colors.muted },
          ];
          else if (s) lines = [{ text: 'connecting to the session…', color: t.colors.muted }];
          else lines = [{ text: 'no session', color: t.colors.muted }, { text: 'sling a bead to it: select one in Ready, press s', color: t.colors.muted }];
        }
        return (
          <At key={a.address} rect={rect}>
            <Frame rect={rect} title={title} focused={focusedArea && selected === a.address} accent={isEntered} {...(right ? { right } : {})}>
              {lines.map((l, k) => <Text key={k} color={l.color} wrap="wrap">{l.text}</Text>)}
            </Frame>
          </At>
        );
      })}
    </>
  );
}, sameByValue);
