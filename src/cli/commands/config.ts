/**
 * `gt config get|set|unset|list`: town settings (`settings/config.json`), validated on every
 * write (gastown-features.md §2.4). Keys are dotted (`ledger.export_debounce_ms`); values are
 * JSON when they parse (`42`, `true`), else text.
 */
import type { Command } from 'commander';
import { settingsFile } from '../../core/town/layout.js';
import { TownSettingsSchema, flattenSettings, getSetting } from '../../core/town/settings.js';
import { readSettingsFile, resolveTown, updateSettingsFile } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';
import { registerAgentConfig } from './config-agent.js';

/** A setting value as one line of text: strings as they are, everything else as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '(unset)' : JSON.stringify(value);
}

/** Register `gt config …` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('town settings (settings/config.json)');
  const file = () => settingsFile(resolveTown(ctx.cwd, ctx.env));
  registerAgentConfig(config, ctx);

  config
    .command('get')
    .description('print one setting')
    .argument('<key>', 'dotted key, e.g. ledger.export_debounce_ms')
    .option('--json', 'print {key, value} as JSON')
    .action(action(ctx, 'gt', (key: string, opts: JsonOption) => {
      const value = getSetting(TownSettingsSchema, readSettingsFile(file(), TownSettingsSchema), key);
      if (opts.json) printJson(ctx.io, { key, value: value ?? null });
      else if (value !== undefined) printLines(ctx.io, [showValue(value)]);
    }));

  config
    .command('set')
    .description('set one setting (validated before it is written)')
    .argument('<key>', 'dotted key')
    .argument('<value>', 'JSON when it parses (42, true, {"a":1}), else text')
    .option('--json', 'print the new settings as JSON')
    .action(action(ctx, 'gt', async (key: string, value: string, opts: JsonOption) => {
      if (key === 'theme') {
        // A theme must exist (shipped or the town's own) before it is written: the TUI would not start.
        const { loadTheme, themeDirs } = await import('../../tui/theme.js');
        loadTheme(value, { dirs: themeDirs(resolveTown(ctx.cwd, ctx.env)), env: {} });
      }
      if (key === 'tui.leave_chord') {
        const { LeaveChordMatcher } = await import('../../tui/keys/input.js');
        new LeaveChordMatcher(value); // throws with the reason a chord cannot leave a pane
      }
      const next = updateSettingsFile(file(), TownSettingsSchema, key, value);
      if (opts.json) printJson(ctx.io, next);
      else printLines(ctx.io, [`${key} = ${showValue(getSetting(TownSettingsSchema, next, key))}`]);
    }));

  config
    .command('unset')
    .description('remove one setting so its default applies again')
    .argument('<key>', 'dotted key')
    .option('--json', 'print the new settings as JSON')
    .action(action(ctx, 'gt', (key: string, opts: JsonOption) => {
      const next = updateSettingsFile(file(), TownSettingsSchema, key, undefined);
      if (opts.json) printJson(ctx.io, next);
      else printLines(ctx.io, [`${key} = ${showValue(getSetting(TownSettingsSchema, next, key))} (default)`]);
    }));

  config
    .command('list')
    .description('print every setting')
    .option('--json', 'print the settings as JSON')
    .action(action(ctx, 'gt', (opts: JsonOption) => {
      const settings = readSettingsFile(file(), TownSettingsSchema);
      if (opts.json) printJson(ctx.io, settings);
      else printLines(ctx.io, flattenSettings(settings).map(([k, v]) => `${k} = ${showValue(v)}`));
    }));
}
