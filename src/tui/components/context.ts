/**
 * React contexts of the TUI: the theme and the stores (fresh per app and per test).
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Theme } from '../theme.js';
import type { Stores, TownState, UiState } from '../state/stores.js';

/** The theme in use (colours empty under NO_COLOR). */
export const ThemeContext = createContext<Theme>({ name: 'none', description: '', color: false, colors: {} });

/** The app's stores. */
export const StoresContext = createContext<Stores | undefined>(undefined);

/** The current theme. */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}

function useStores(): Stores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('TUI components need a StoresContext provider');
  return s;
}

/** Select from the town store (re-renders only when the selected value changes). */
export function useTown<T>(selector: (s: TownState) => T): T {
  return useStore(useStores().town, selector);
}

/** Select from the UI store. */
export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(useStores().ui, selector);
}

/** What components need to know about keys (from the command table; see src/tui/keys). */
export interface KeyInfo {
  /** Hint-bar entries for the current scope stack. */
  hints: (scopes: string[]) => Array<{ keys: string; label: string }>;
  /** Rows of the `?` overlay. */
  help: () => Array<{ category: string; keys: string; label: string; description: string }>;
  /** The leave chord, for display (`Ctrl-Q`). */
  leave: string;
  /** Display form of a command's first key (`s`, `Enter`), '' when unbound. */
  keyOf: (id: string) => string;
}

/** Key info (empty until the app provides it). */
export const KeysContext = createContext<KeyInfo>({ hints: () => [], help: () => [], leave: 'Ctrl-Q', keyOf: () => '' });

/** The key info. */
export function useKeys(): KeyInfo {
  return useContext(KeysContext);
}
