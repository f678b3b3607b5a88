/**
 * `gt` (no arguments) and `gt tui`: the full-screen terminal UI on the current town. Ink and
 * React are loaded here only, through a dynamic import (STACK.md: importing Ink costs every
 * command ~0.5 s). Without a terminal it prints `gt status` and exits 0.
 */
import type { Command } from 'commander';
import { townStatus } from '../../store/town/status.js';
import { resolveTown, withTown } from '../../store/town/town.js';
import { action, type CliContext } from '../context.js';
import { printLines, type Io } from '../output.js';
import { statusLines } from './status.js';

/** Options of {@link openTui}. */
export interface OpenTuiOptions {
  root: string;
  theme?: string;
}

/**
 * Open the TUI on a town and wait until the user quits; prints what keeps running.
 * Exported so `gt demo` can open it on the demo town.
 */
export async function openTui(ctx: CliContext, options: OpenTuiOptions): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...ctx.env, GT_TOWN: options.root };
  // Colour depth is decided when chalk loads (with Ink, below): the screen is drawn into the
  // compositor, not the real stdout, so say what the terminal can do before importing.
  if (env.NO_COLOR) process.env.FORCE_COLOR = '0';
  else process.env.FORCE_COLOR ??= '3';
  const [{ runTui }, { runCli }] = await Promise.all([import('../../tui/run.js'), import('../main.js')]);
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s; } };
    const code = await runCli(argv, { cwd: options.root, env: { ...env, BD_ACTOR: 'overseer' }, io });
    return { code, out, err };
  };
  const exit = await runTui({ root: options.root, gtBin: ctx.gtBin, env, run, ...(options.theme ? { theme: options.theme } : {}) });
  printLines(ctx.io, [
    exit.running
      ? `Left the TUI. ${exit.running} agent session${exit.running === 1 ? '' : 's'} keep running in the town daemon (gt agents lists them; gt tui comes back; gt daemon stop stops them).`
      : 'Left the TUI. No agent session is running.',
  ]);
}

/** Register `gt tui`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('tui')
    .description('the full-screen terminal UI (also plain `gt`): town tree, live agent panes, mail, escalations, merge queue')
    .option('--theme <name>', 'colour theme for this run (dark, light, high-contrast, solarized, or a town theme)')
    .action(action(ctx, 'gt', async (o: { theme?: string }) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      if (o.theme) {
        const { loadTheme, themeDirs } = await import('../../tui/theme.js');
        loadTheme(o.theme, { dirs: themeDirs(root), env: ctx.env }); // a bad name fails before the screen is taken
      }
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        await withTown(ctx.cwd, ctx.env, (town) => printLines(ctx.io, [...statusLines(townStatus(town)), '', '(no terminal: gt tui needs one; this is gt status)']));
        return;
      }
      await openTui(ctx, { root, ...(o.theme ? { theme: o.theme } : {}) });
    }));
}
