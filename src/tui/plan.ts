/**
 * The screen plan: from the stores, what goes where — the layout, the agents in the visible
 * panes, and the rectangles drawn over everything (help, modal). The Ink tree and the runtime
 * (which places each pane's mirror terminal) both use it, so they cannot disagree.
 */
import type { AgentRow } from '../store/work/agents.js';
import { computeLayout, GRID_SIZES, inner, modalRect, type Layout, type Rect } from './layout.js';
import { agentsInOrder, visibleAgents } from './state/selectors.js';
import type { TownState, UiState } from './state/stores.js';

/** See the module comment. */
export interface ScreenPlan {
  layout: Layout;
  /** Agents of the visible panes, one per `layout.panes` entry (may be fewer). */
  visible: AgentRow[];
  /** Inside of each visible pane (where its mirror is drawn), by address. */
  contentRects: Map<string, Rect>;
  /** The help overlay, when open. */
  helpRect?: Rect;
  /** The modal, when open. */
  modalRect?: Rect;
}

/** Height of a modal for its content. */
function modalHeight(ui: UiState): number {
  const m = ui.modal;
  if (!m) return 0;
  if (m.kind === 'sling') return m.targets.length + 7;
  if (m.kind === 'form') return m.fields.length + 6;
  if (m.kind === 'confirm') return m.text.split('\n').length + 5;
  return 22;
}

/** Compute the plan. */
export function screenPlan(town: Pick<TownState, 'view' | 'daemon' | 'readError'>, ui: UiState): ScreenPlan {
  const banner = town.daemon.state !== 'up' || Boolean(town.readError);
  // A grid with more slots than agents wastes the screen: show as many panes as there are agents.
  const agents = agentsInOrder(town.view).length;
  const panes = Math.min(ui.gridSize, GRID_SIZES.find((n) => n >= Math.max(1, agents)) ?? ui.gridSize);
  const layout = computeLayout(ui.cols, ui.rows, { panes, zoom: ui.zoom, banner });
  let visible: AgentRow[];
  if (ui.zoom) {
    const all = agentsInOrder(town.view);
    const a = all.find((x) => x.address === ui.agent) ?? all[0];
    visible = a ? [a] : [];
  } else visible = visibleAgents(town.view, ui.agent, layout.panes.length);
  const contentRects = new Map<string, Rect>();
  visible.forEach((a, i) => {
    const r = layout.panes[i];
    if (r) contentRects.set(a.address, inner(r));
  });
  const plan: ScreenPlan = { layout, visible, contentRects };
  // Help takes the whole body: nothing under it is drawn (half the text for Ink to lay out, so
  // the overlay opens fast), and the panes are hidden by it.
  if (ui.help) plan.helpRect = { x: 0, y: layout.header.h, w: layout.cols, h: layout.rows - layout.header.h - 2 };
  if (ui.modal) plan.modalRect = modalRect(layout, ui.modal.kind === 'mail' ? 90 : 72, modalHeight(ui));
  return plan;
}

/** The key scopes active now, most specific first (CONVENTIONS.md: modal → focused pane → global). */
export function scopesOf(ui: Pick<UiState, 'modal' | 'entered' | 'help' | 'focus'>): string[] {
  if (ui.entered) return ['entered'];
  if (ui.modal || ui.help) return ['modal'];
  return [ui.focus, 'global'];
}
