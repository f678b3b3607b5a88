/**
 * The TUI's one command table (CONVENTIONS.md "Keys", aesthetics.md §3.3): every user action as
 * a command id with its default keys, scope, label, description and category. Data only — the
 * panes supply handlers and disabled reasons; the help bar, the `?` overlay, the README key
 * reference, user overrides (`tui.keys`) and e2e tests all read this table.
 *
 * Keys are canonical names (see key-names.ts). Resolution goes through a scope stack, focused
 * scope first (`['modal']`, `['ready', 'global']`), so a scope may shadow a global key only when
 * the shadowing command names the global command in `shadows` (findConflicts checks this).
 */

/**
 * Where a command's keys are live.
 * - `global`: everywhere except in a modal or an entered pane.
 * - `tree`, `ready`, `panes`, `mail`, `escalations`, `queue`: while that area has focus (the town
 *   tree, the ready-work list, the agent pane grid, and the right-hand tabs mail / escalations /
 *   merge queue); checked before `global`.
 * - `modal`: while a dialog is open; replaces every other scope.
 * - `entered`: while a live agent pane is entered; every key goes to the agent except the leave
 *   chord ({@link DEFAULT_LEAVE_CHORD}), so this scope has no commands of its own.
 */
export type Scope = 'global' | 'tree' | 'ready' | 'panes' | 'mail' | 'escalations' | 'queue' | 'modal' | 'entered';

/** Every scope, in the order help and docs list them. */
export const SCOPES: readonly Scope[] = ['global', 'tree', 'ready', 'panes', 'mail', 'escalations', 'queue', 'modal', 'entered'];

/** Help overlay sections, in display order. */
export const CATEGORIES = ['Navigation', 'Panes', 'Work', 'Mail', 'Escalations', 'Agents', 'App'] as const;
/** A help overlay section. */
export type Category = (typeof CATEGORIES)[number];

/** One user action. */
export interface CommandSpec {
  /** Stable `domain.verb` id (`bead.sling`), the same in overrides, help and e2e tests. */
  id: string;
  /** Default keys, canonical names (`j`, `down`, `ctrl+g`); the first is the one hints show. */
  keys: string[];
  /** Where the keys are live. */
  scope: Scope;
  /** Short label for the hint bar, a few lowercase words (`sling`). */
  label: string;
  /** One sentence for the `?` overlay and the README. */
  description: string;
  /** Help overlay section. */
  category: Category;
  /** Show it in the one-line hint bar when reachable. */
  bar?: boolean;
  /**
   * Ids of `global` commands whose keys this (non-global) command deliberately takes over while
   * its scope has focus (`sling.toRig1` shadows `focus.1`). Any other overlap is a conflict.
   */
  shadows?: string[];
}

/** The chord that leaves an entered agent pane. Configurable (`tui.leave_chord`); not a command. */
export const DEFAULT_LEAVE_CHORD = 'ctrl+q';

const DIGITS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

const focusArea: CommandSpec[] = DIGITS.map((n) => ({
  id: `focus.${n}`, keys: [String(n)], scope: 'global', label: `focus ${n}`,
  description: `Focus area ${n}; the areas in order: town tree, ready beads, agent panes, mail, escalations, merge queue.`, category: 'Navigation',
}));

const slingToRig: CommandSpec[] = DIGITS.map((n) => ({
  id: `sling.toRig${n}`, keys: [String(n)], scope: 'ready', label: `to rig ${n}`,
  description: `Sling the selected ready bead to rig ${n} (rigs numbered in tree order).`, category: 'Work',
  shadows: [`focus.${n}`],
}));

/** The shipped commands, in help order within each category. */
export const COMMANDS: readonly CommandSpec[] = [
  // Navigation
  { id: 'focus.next', keys: ['tab'], scope: 'global', label: 'next area', description: 'Move focus to the next area of the screen.', category: 'Navigation', bar: true },
  { id: 'focus.prev', keys: ['shift+tab'], scope: 'global', label: 'previous area', description: 'Move focus to the previous area of the screen.', category: 'Navigation' },
  ...focusArea,
  { id: 'list.down', keys: ['j', 'down'], scope: 'global', label: 'down', description: 'Select the next item of the focused list.', category: 'Navigation' },
  { id: 'list.up', keys: ['k', 'up'], scope: 'global', label: 'up', description: 'Select the previous item of the focused list.', category: 'Navigation' },
  { id: 'list.top', keys: ['g', 'home'], scope: 'global', label: 'top', description: 'Select the first item of the focused list.', category: 'Navigation' },
  { id: 'list.bottom', keys: ['G', 'end'], scope: 'global', label: 'bottom', description: 'Select the last item of the focused list.', category: 'Navigation' },
  { id: 'list.filter', keys: ['/'], scope: 'global', label: 'filter', description: 'Filter the focused list by typed text.', category: 'Navigation' },
  { id: 'tab.next', keys: [']'], scope: 'global', label: 'next tab', description: 'Show the next right-hand tab (mail, escalations, merge queue).', category: 'Navigation' },
  { id: 'tab.prev', keys: ['['], scope: 'global', label: 'previous tab', description: 'Show the previous right-hand tab (mail, escalations, merge queue).', category: 'Navigation' },
  // Panes
  { id: 'pane.enter', keys: ['enter'], scope: 'panes', label: 'enter pane', description: 'Type into the focused agent pane: every key goes to the agent until the leave chord.', category: 'Panes', bar: true },
  { id: 'pane.zoom', keys: ['z'], scope: 'panes', label: 'zoom', description: 'Show the focused agent pane alone, full size; again to go back to the grid.', category: 'Panes' },
  { id: 'pane.grid', keys: ['ctrl+g'], scope: 'global', label: 'grid', description: 'Cycle the pane grid through 1, 2, 4, 6 and 9 panes.', category: 'Panes' },
  { id: 'agent.show', keys: ['enter'], scope: 'tree', label: 'show', description: 'Show the selected agent in the pane grid and focus its pane.', category: 'Panes' },
  // Work
  { id: 'bead.new', keys: ['n'], scope: 'global', label: 'new bead', description: 'Create a bead in the town or a rig ledger.', category: 'Work' },
  { id: 'bead.sling', keys: ['s'], scope: 'ready', label: 'sling', description: 'Sling the selected ready bead: pick a rig or a polecat.', category: 'Work', bar: true },
  { id: 'bead.slingTop', keys: ['S'], scope: 'global', label: 'sling top', description: 'Sling the top ready bead to an idle polecat.', category: 'Work', bar: true },
  ...slingToRig,
  // Mail
  { id: 'mail.compose', keys: ['m'], scope: 'global', label: 'mail', description: 'Write mail to an agent, a rig or the Mayor.', category: 'Mail' },
  { id: 'mail.read', keys: ['enter'], scope: 'mail', label: 'read', description: 'Open the selected message and mark it read.', category: 'Mail' },
  { id: 'mail.reply', keys: ['r'], scope: 'mail', label: 'reply', description: 'Reply to the selected message.', category: 'Mail', bar: true },
  { id: 'mail.archive', keys: ['e'], scope: 'mail', label: 'archive', description: 'Archive the selected message.', category: 'Mail' },
  // Escalations
  { id: 'escalation.ack', keys: ['a'], scope: 'escalations', label: 'ack', description: 'Acknowledge the selected escalation so it stops climbing the ladder.', category: 'Escalations', bar: true },
  { id: 'escalation.close', keys: ['x'], scope: 'escalations', label: 'close', description: 'Close the selected escalation as resolved.', category: 'Escalations' },
  { id: 'escalation.jump', keys: ['enter'], scope: 'escalations', label: 'go to', description: "Focus the pane of the agent the selected escalation is about.", category: 'Escalations' },
  // Agents
  { id: 'agent.nudge', keys: ['N'], scope: 'global', label: 'nudge', description: 'Nudge the selected agent: type a reminder into its session.', category: 'Agents' },
  { id: 'agent.handoff', keys: ['H'], scope: 'global', label: 'handoff', description: 'Restart the selected agent with a fresh session that picks up its hook.', category: 'Agents' },
  { id: 'agent.nuke', keys: ['K'], scope: 'global', label: 'nuke', description: "Nuke the selected polecat: stop it and remove its sandbox (asks first).", category: 'Agents' },
  // App
  { id: 'app.help', keys: ['?'], scope: 'global', label: 'help', description: 'Show every key and what it does.', category: 'App', bar: true },
  { id: 'app.mayor', keys: ['M'], scope: 'global', label: 'mayor', description: "Open the Mayor's pane.", category: 'App' },
  { id: 'app.quit', keys: ['q'], scope: 'global', label: 'quit', description: 'Leave the TUI; agents keep running in the daemon.', category: 'App', bar: true },
  { id: 'modal.confirm', keys: ['enter'], scope: 'modal', label: 'confirm', description: 'Confirm the open dialog.', category: 'App', bar: true },
  { id: 'modal.cancel', keys: ['escape'], scope: 'modal', label: 'cancel', description: 'Close the open dialog without doing anything.', category: 'App', bar: true },
  { id: 'modal.next', keys: ['tab', 'down'], scope: 'modal', label: 'next', description: 'Move to the next field or choice of the open dialog.', category: 'App' },
  { id: 'modal.prev', keys: ['shift+tab', 'up'], scope: 'modal', label: 'previous', description: 'Move to the previous field or choice of the open dialog.', category: 'App' },
];
