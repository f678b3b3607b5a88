/**
 * Colour themes (`themes/*.json`, plus the town's own under `<town>/settings/themes/`).
 * `gt config set theme <name>` picks one for a town, `gt tui --theme <name>` for one run.
 * `NO_COLOR` (https://no-color.org) turns every colour off; the UI never relies on colour
 * alone (every status has a glyph and a word), so nothing is lost without it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GtError } from '../core/errors.js';

const colour = z.string().regex(/^(#[0-9a-fA-F]{6}|black|red|green|yellow|blue|magenta|cyan|white|gray|grey)$/, 'a colour is #rrggbb or a basic name (red, green …)');

/** The named colours every theme defines (Ink colour strings). */
export const themeSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  colors: z.object({
    /** Body text. */ text: colour,
    /** Secondary text (ages, ids, hints). */ muted: colour,
    /** Titles and highlights. */ accent: colour,
    /** Unfocused borders. */ border: colour,
    /** The focused area's border. */ focus: colour,
    /** Header text and background. */ header: colour, headerBg: colour,
    /** The selected row in a list. */ selection: colour, selectionBg: colour,
    /** Agent status colours (always with a glyph and a word). */
    working: colour, waiting: colour, idle: colour, stuck: colour, starting: colour,
    /** Escalation severities. */ critical: colour, high: colour, medium: colour, low: colour,
    /** Success and failure text. */ ok: colour, error: colour,
    /** Key names in the hint bar. */ key: colour,
    /** The banner shown while the daemon is unreachable. */ banner: colour, bannerBg: colour,
  }).strict(),
}).strict();

/** A loaded theme. `colors` is empty when colour is off (NO_COLOR). */
export interface Theme {
  /** Theme name (file name without `.json`). */
  name: string;
  /** One line about it. */
  description: string;
  /** False under NO_COLOR: draw with bold/inverse only. */
  color: boolean;
  /** Colour per role; undefined entries mean "terminal default". */
  colors: Partial<z.infer<typeof themeSchema>['colors']>;
}

/** The folder of shipped themes (`<package>/themes`). */
export function shippedThemesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'themes');
}

/** Folders searched for themes, town first (a town theme may shadow a shipped one). */
export function themeDirs(townRoot?: string): string[] {
  return [...(townRoot ? [join(townRoot, 'settings', 'themes')] : []), shippedThemesDir()];
}

/** Names of every theme found in `dirs`, sorted. */
export function listThemes(dirs: string[] = themeDirs()): string[] {
  const names = new Set<string>();
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.json')) names.add(f.slice(0, -5));
  }
  return [...names].sort();
}

/**
 * Load a theme by name.
 *
 * @param name theme name (`dark`, `light`, `high-contrast`, `solarized`, or a town theme).
 * @param options.dirs where to look (default: {@link themeDirs}).
 * @param options.env environment; `NO_COLOR` set to anything non-empty turns colour off.
 * @throws GtError INVALID_VALUE for an unknown theme (listing the known ones), CONFIG_INVALID for a
 * theme file that is not valid JSON or misses a colour (naming the file and the key).
 */
export function loadTheme(name: string, options: { dirs?: string[]; env?: NodeJS.ProcessEnv } = {}): Theme {
  const dirs = options.dirs ?? themeDirs();
  const file = dirs.map((d) => join(d, `${name}.json`)).find((f) => existsSync(f));
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || !file) {
    throw new GtError('INVALID_VALUE', `unknown theme "${name}"`, { fix: `use one of: ${listThemes(dirs).join(', ')} (gt config set theme <name>)` });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GtError('CONFIG_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { fix: 'fix the file or pick another theme' });
  }
  const parsed = themeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GtError('CONFIG_INVALID', `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { fix: `compare with ${join(shippedThemesDir(), 'dark.json')}` });
  }
  const env = options.env ?? process.env;
  const color = !env.NO_COLOR;
  return { name: parsed.data.name, description: parsed.data.description, color, colors: color ? parsed.data.colors : {} };
}
