/**
 * The TUI's root component: everything placed by the screen plan (plan.ts). Live pane content
 * is not drawn here; the compositor draws it inside the pane frames.
 */
import { Box, Text } from 'ink';
import { Component, type ReactNode } from 'react';
import { MIN_COLS, MIN_ROWS } from '../layout.js';
import { screenPlan, scopesOf } from '../plan.js';
import { At } from './At.js';
import { Banner, HintBar, MessageLine } from './Chrome.js';
import { useTheme, useTown, useUi } from './context.js';
import { Header } from './Header.js';
import { HelpOverlay, ModalView } from './Overlays.js';
import { PaneGrid } from './PaneGrid.js';
import { SideTabs } from './SideTabs.js';
import { leftColumn, ReadyList, TownTree } from './TownTree.js';

/** The whole screen. */
export function App() {
  const t = useTheme();
  const town = useTown((s) => s);
  const ui = useUi((s) => s);
  const plan = screenPlan(town, ui);
  const { layout } = plan;
  if (layout.tooSmall) {
    return (
      <Box width={ui.cols} height={ui.rows} flexDirection="column" justifyContent="center" alignItems="center">
        <Text color={t.colors.error} bold>enlarge to {MIN_COLS}x{MIN_ROWS}</Text>
        <Text color={t.colors.muted}>this terminal is {ui.cols}x{ui.rows}; q quits (agents keep running)</Text>
      </Box>
    );
  }
  const left = leftColumn(layout.tree);
  const live = new Set(Object.keys(town.attached));
  if (plan.helpRect) {
    return (
      <Box width={layout.cols} height={layout.rows} flexDirection="column">
        <At rect={layout.header}><Header width={layout.cols} /></At>
        <HelpOverlay rect={plan.helpRect} />
        <At rect={layout.message}><MessageLine width={layout.cols} /></At>
        <At rect={layout.hints}><HintBar width={layout.cols} scopes={scopesOf(ui)} /></At>
      </Box>
    );
  }
  return (
    <Box width={layout.cols} height={layout.rows} flexDirection="column">
      <At rect={layout.header}><Header width={layout.cols} /></At>
      {layout.banner ? <At rect={layout.banner}><Banner width={layout.cols} /></At> : null}
      <At rect={left.tree}><TownTree rect={left.tree} /></At>
      <At rect={left.ready}><ReadyList rect={left.ready} /></At>
      <PaneGrid rects={layout.panes} agents={plan.visible} live={live} grid={layout.grid} />
      <At rect={layout.tabs}><SideTabs rect={layout.tabs} /></At>
      <At rect={layout.message}><MessageLine width={layout.cols} /></At>
      <At rect={layout.hints}><HintBar width={layout.cols} scopes={scopesOf(ui)} /></At>
      {ui.modal && plan.modalRect ? <ModalView modal={ui.modal} rect={plan.modalRect} /> : null}
    </Box>
  );
}

/** Keeps the terminal usable when a component throws: shows the error and how to leave. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }
  override render(): ReactNode {
    if (this.state.error) {
      return (
        <Box flexDirection="column">
          <Text color="red" bold>✕ the screen failed to draw: {this.state.error.message}</Text>
          <Text>q quits; every agent keeps running (gt agents lists them). Please report this with gt daemon logs.</Text>
        </Box>
      );
    }
    return this.props.children;
  }
}
