/**
 * Layout numbers (panes inside the grid, no overlap, minimum size) and themes (every shipped
 * theme loads, NO_COLOR, bad names and bad files).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeLayout, inner, type Rect } from '../../src/tui/layout.js';
import { listThemes, loadTheme, shippedThemesDir } from '../../src/tui/theme.js';
import { thrown } from '../helpers/errors.js';

function expectGtError(fn: () => unknown, code: string, message: RegExp, fix?: RegExp): void {
  const e = thrown(fn);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  if (fix) expect(e.fix ?? '').toMatch(fix);
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const within = (a: Rect, b: Rect) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;

describe('layout', () => {
  it.each([
    [80, 24, 4, 2, 'bottom'], [120, 40, 4, 4, 'bottom'], [200, 50, 4, 4, 'right'], [200, 50, 9, 9, 'right'],
    [200, 50, 6, 6, 'right'], [140, 40, 2, 2, 'right'], [200, 50, 1, 1, 'right'],
  ] as const)('%ix%i with %i panes wanted shows %i, tabs %s', (cols, rows, wanted, shown, tabsAt) => {
    const l = computeLayout(cols, rows, { panes: wanted });
    expect(l.tooSmall).toBe(false);
    expect(l.panes).toHaveLength(shown);
    expect(l.tabsAt).toBe(tabsAt);
    for (const p of l.panes) {
      expect(within(p, l.grid)).toBe(true);
      expect(inner(p).w).toBeGreaterThanOrEqual(20);
      expect(inner(p).h).toBeGreaterThanOrEqual(5);
    }
    for (let i = 0; i < l.panes.length; i++) for (let j = i + 1; j < l.panes.length; j++) expect(overlaps(l.panes[i]!, l.panes[j]!)).toBe(false);
    for (const r of [l.tree, l.grid, l.tabs]) expect(within(r, { x: 0, y: 1, w: cols, h: rows - 3 })).toBe(true);
    expect(overlaps(l.grid, l.tabs)).toBe(false);
    expect(overlaps(l.tree, l.grid)).toBe(false);
  });

  it('smaller than 80x24 is too small', () => {
    expect(computeLayout(79, 24, { panes: 4 }).tooSmall).toBe(true);
    expect(computeLayout(80, 23, { panes: 4 }).tooSmall).toBe(true);
    expect(computeLayout(80, 24, { panes: 4 }).tooSmall).toBe(false);
  });

  it('zoom shows one pane over the whole grid; a banner takes a row', () => {
    const l = computeLayout(200, 50, { panes: 9, zoom: true, banner: true });
    expect(l.panes).toEqual([l.grid]);
    expect(l.banner).toEqual({ x: 0, y: 1, w: 200, h: 1 });
    expect(l.grid.y).toBe(2);
  });
});

describe('themes', () => {
  it('ships dark, light, high-contrast and solarized, and each loads', () => {
    const names = listThemes([shippedThemesDir()]);
    expect(names).toEqual(expect.arrayContaining(['dark', 'light', 'high-contrast', 'solarized']));
    for (const n of names) {
      const t = loadTheme(n, { env: {} });
      expect(t.color).toBe(true);
      expect(t.colors.working).toMatch(/^#[0-9a-f]{6}$/i);
    }
  });

  it('NO_COLOR turns every colour off', () => {
    const t = loadTheme('dark', { env: { NO_COLOR: '1' } });
    expect(t.color).toBe(false);
    expect(t.colors).toEqual({});
  });

  it('an unknown theme names the known ones; a broken file names the file and key', () => {
    expectGtError(() => loadTheme('neon', { env: {} }), 'INVALID_VALUE', /unknown theme "neon"/, /dark, high-contrast, light, solarized/);
    const dir = mkdtempSync(join(tmpdir(), 'gt-theme-'));
    writeFileSync(join(dir, 'mine.json'), JSON.stringify({ name: 'mine', colors: { text: 'purple-ish' } }));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expectGtError(() => loadTheme('mine', { dirs: [dir], env: {} }), 'CONFIG_INVALID', /mine\.json: colors\.text/);
    expectGtError(() => loadTheme('bad', { dirs: [dir], env: {} }), 'CONFIG_INVALID', /bad\.json is not valid JSON/);
  });
});
