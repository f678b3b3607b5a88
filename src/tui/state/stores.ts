/**
 * The TUI's zustand stores, made by factories (a fresh pair per app and per test) and read
 * through selectors only (CONVENTIONS.md).
 *
 * - the town store mirrors SQLite (the read model) and the daemon's session stream (status,
 *   exits, connection state); it holds nothing SQLite or the daemon does not;
 * - the UI store holds view state: focus, selections, filter, grid, modal, toasts.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DayCosts } from '../../store/costs/costs.js';
import { emptyTownView, type TownView } from './read-model.js';

/** What the daemon says about one agent's session. */
export interface SessionView {
  address: string;
  generation: number;
  /** starting · working · waiting · idle · stuck · exited (core/agents/status.ts). */
  status: string;
  /** Why the daemon thinks so. */
  why: string;
  /** Set once the session exited: its code and reason. */
  exit?: { code: number | null; reason: string };
}

/** The daemon connection as the banner shows it. */
export interface DaemonLink {
  state: 'connecting' | 'up' | 'down';
  /** Why it is down (the connect error). */
  reason?: string;
  /** When the next try happens (ms since the epoch). */
  retryAt?: number;
}

/** Town store state. */
export interface TownState {
  view: TownView;
  /** Live session state by agent address. */
  sessions: Record<string, SessionView>;
  daemon: DaemonLink;
  /** Sessions whose output this UI mirrors (subscribed; content drawn by the compositor). */
  attached: Record<string, true>;
  /** Error of the last failed read of town.db, shown in the banner. */
  readError?: string;
  /** Today's token usage and cost from the runtimes' logs (absent until first computed). */
  costs?: DayCosts;
}

/** Areas that take focus, in Tab order; `focus.N` focuses the N-th. */
export const AREAS = ['tree', 'ready', 'panes', 'mail', 'escalations', 'queue'] as const;
/** A focusable area. */
export type Area = (typeof AREAS)[number];
/** The right-hand (or bottom) tabs, in order. */
export const TABS = ['mail', 'escalations', 'queue'] as const;
/** One of {@link TABS}. */
export type Tab = (typeof TABS)[number];

/** A line editor's state (modal fields, the filter). */
export interface Field {
  label: string;
  value: string;
  /** Choices cycle with left/right instead of typing. */
  choices?: string[];
}

/** A modal dialog; keys go to it first. */
export type Modal =
  | { kind: 'sling'; bead: string; title: string; targets: Array<{ label: string; target: string }>; index: number }
  | { kind: 'form'; purpose: 'bead' | 'mail' | 'reply' | 'nudge' | 'close'; title: string; fields: Field[]; index: number; context?: string }
  | { kind: 'confirm'; title: string; text: string; argv: string[]; done: string }
  | { kind: 'mail'; id: string };

/** A toast (event or result), shown on the message line for a few seconds. */
export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'ok' | 'error';
  at: number;
}

/** UI store state. */
export interface UiState {
  focus: Area;
  tab: Tab;
  /** Selected row per list (index into the filtered list). */
  selected: Record<'tree' | 'ready' | 'mail' | 'escalations' | 'queue', number>;
  /** Selected agent address (panes follow it). */
  agent?: string;
  /** List filter text per area ('' = none) and whether it is being typed. */
  filter: { area?: Area; text: string; editing: boolean };
  /** Panes wanted in the grid (1, 2, 4, 6, 9). */
  gridSize: number;
  zoom: boolean;
  /** Address of the entered pane: every key goes to it until the leave chord. */
  entered?: string;
  modal?: Modal;
  help: boolean;
  toasts: Toast[];
  /** Screen size in cells. */
  cols: number;
  rows: number;
  /** ms since the epoch, advanced every few seconds for ages. */
  now: number;
}

/** Make a town store. */
export function createTownStore(initial: Partial<TownState> = {}): StoreApi<TownState> {
  return createStore<TownState>(() => ({ view: emptyTownView(), sessions: {}, attached: {}, daemon: { state: 'connecting' }, ...initial }));
}

/** Make a UI store. */
export function createUiStore(initial: Partial<UiState> = {}): StoreApi<UiState> {
  return createStore<UiState>(() => ({
    focus: 'tree', tab: 'mail', selected: { tree: 0, ready: 0, mail: 0, escalations: 0, queue: 0 },
    filter: { text: '', editing: false }, gridSize: 4, zoom: false, help: false, toasts: [],
    cols: 120, rows: 40, now: Date.now(), ...initial,
  }));
}

/** The pair of stores an app runs on. */
export interface Stores {
  town: StoreApi<TownState>;
  ui: StoreApi<UiState>;
}

let toastSeq = 1;

/** Add a toast (kept for `ms`, default 4 s; the app's clock removes expired ones). */
export function pushToast(ui: StoreApi<UiState>, text: string, kind: Toast['kind'] = 'info'): void {
  const t: Toast = { id: toastSeq++, text, kind, at: Date.now() };
  ui.setState((s) => ({ toasts: [...s.toasts.slice(-4), t] }));
}

/** How long a toast stays, in ms. */
export const TOAST_MS = 4_000;
