/**
 * `gt install [path]`: create a town, or complete an existing one (gastown-features.md §2.1).
 * Idempotent: existing files and settings are kept, missing pieces are made.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { registerMergeDriver } from '../../store/ledger-sync.js';
import { installTown } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Options of `gt install`. */
interface InstallCliOptions extends JsonOption {
  name?: string;
  owner?: string;
}

/** Where `gt install` without a path installs: `$GT_TOWN`, else `~/gt`. */
function defaultTownPath(ctx: CliContext): string {
  if (ctx.env.GT_TOWN) return resolve(ctx.cwd, ctx.env.GT_TOWN);
  if (ctx.env.HOME) return join(ctx.env.HOME, 'gt');
  throw usage('no path given and neither GT_TOWN nor HOME is set', 'run `gt install <dir>`');
}

/** Register `gt install` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('install')
    .description('create a Gas Town workspace (town.json, settings, town.db, .beads/, a git repo)')
    .argument('[path]', 'where to install (default: $GT_TOWN, else ~/gt)')
    .option('--name <name>', 'town name (default: the directory name)')
    .option('--owner <owner>', 'owner (default: git user.email, else $USER)')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (path: string | undefined, opts: InstallCliOptions) => {
      const target = path ? resolve(ctx.cwd, path) : defaultTownPath(ctx);
      const result = await installTown(target, {
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.owner ? { owner: opts.owner } : {}),
        env: ctx.env,
      });
      // git merges .beads/issues.jsonl with our by-id driver (the attribute is committed; the
      // driver command is repository-local config, so it is set on every install).
      await registerMergeDriver(result.root, ctx.gtBin);
      if (opts.json) {
        printJson(ctx.io, result);
        return;
      }
      const lines = result.created
        ? [`Created Gas Town at ${result.root}`]
        : [`Gas Town at ${result.root} is already installed${result.filled.length ? '' : '; nothing to do'}`];
      if (result.filled.length) lines.push(`  made: ${result.filled.join(', ')}`);
      if (result.commit) lines.push(`  commit: ${result.commit.slice(0, 12)}`);
      const home = ctx.env.HOME ? join(ctx.env.HOME, 'gt') : undefined;
      lines.push('', 'Next steps:');
      if (result.root !== home) lines.push(`  export GT_TOWN=${result.root}   # or run gt inside ${result.root}`);
      lines.push('  gt rig add <name> <git-url-or-path>   # add a repository to work on');
      printLines(ctx.io, lines);
    }));
}
