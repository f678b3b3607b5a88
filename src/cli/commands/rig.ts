/**
 * `gt rig add|list|show|remove|config`: the git repositories a town manages
 * (gastown-features.md §2.2). A rig is a bare clone, a refinery worktree, polecat worktrees,
 * crew clones and a bead prefix.
 */
import type { Command } from 'commander';
import { polecatsDir, refineryWorktree, rigBareRepo, rigDir, rigSettingsFile } from '../../core/town/layout.js';
import { flattenSettings } from '../../core/town/settings.js';
import { listCrew } from '../../store/town/crew.js';
import {
  addRig, getRig, getRigSetting, listRigs, removeRig, rigSettings, setRigSetting, unsetRigSetting, type Rig,
} from '../../store/town/rigs.js';
import { withTown, type Town } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';
import { showValue } from './config.js';

/** Options of `gt rig add`. */
interface AddOptions extends JsonOption {
  prefix?: string;
  branch?: string;
}

/** Where a rig's parts live, for `add` and `show`. */
function rigPaths(town: Town, rig: Rig) {
  return {
    path: rigDir(town.root, rig.name),
    bare_repo: rigBareRepo(town.root, rig.name),
    refinery: refineryWorktree(town.root, rig.name),
    polecats: polecatsDir(town.root, rig.name),
    settings_file: rigSettingsFile(town.root, rig.name),
  };
}

/** Left-aligned columns separated by two spaces. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

/** Register `gt rig …` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  const rig = program.command('rig').description('rigs: the git repositories this town works on');
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);

  rig
    .command('add')
    .description('add a repository: bare clone, refinery worktree, polecats/ and crew/')
    .argument('<name>', 'rig name (letters, digits, "_")')
    .argument('<git-url-or-path>', 'repository URL or local path')
    .option('--prefix <prefix>', 'bead prefix, 2-8 lowercase letters/digits (default: from the name)')
    .option('--branch <branch>', 'default branch (default: the repository HEAD)')
    .option('--json', 'print the new rig as JSON')
    .action(run(async (name: string, url: string, opts: AddOptions) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const added = await addRig(town, {
          name, url, cwd: ctx.cwd,
          ...(opts.prefix ? { prefix: opts.prefix } : {}),
          ...(opts.branch ? { branch: opts.branch } : {}),
        });
        const paths = rigPaths(town, added);
        if (opts.json) {
          printJson(ctx.io, { ...added, ...paths });
          return;
        }
        printLines(ctx.io, [
          `Added rig "${added.name}" (prefix ${added.prefix}-, branch ${added.default_branch}) from ${added.git_url}`,
          `  refinery: ${paths.refinery}`,
          '',
          'Next steps:',
          `  gt crew add <your-name> --rig ${added.name}   # your own clone to work in`,
          `  gt bd create "first task" --rig ${added.name}`,
        ]);
      });
    }));

  rig
    .command('list')
    .description('list rigs')
    .option('--json', 'print as JSON')
    .action(run(async (opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const rigs = listRigs(town);
        if (opts.json) printJson(ctx.io, rigs);
        else if (!rigs.length) printLines(ctx.io, ['no rigs yet — add one with `gt rig add <name> <git-url-or-path>`']);
        else printLines(ctx.io, table([['NAME', 'PREFIX', 'BRANCH', 'URL'], ...rigs.map((r) => [r.name, r.prefix, r.default_branch, r.git_url])]));
      });
    }));

  rig
    .command('show')
    .description('show one rig: paths, crew, settings')
    .argument('<name>', 'rig name')
    .option('--json', 'print as JSON')
    .action(run(async (name: string, opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const r = getRig(town, name);
        const paths = rigPaths(town, r);
        const crew = listCrew(town, name);
        const settings = rigSettings(town, name);
        if (opts.json) {
          printJson(ctx.io, { ...r, ...paths, crew, settings });
          return;
        }
        printLines(ctx.io, [
          `rig ${r.name}`,
          `  prefix:    ${r.prefix}`,
          `  branch:    ${r.default_branch}`,
          `  url:       ${r.git_url}`,
          `  added:     ${r.added_at}`,
          `  path:      ${paths.path}`,
          `  refinery:  ${paths.refinery}`,
          `  crew:      ${crew.length ? crew.map((c) => c.name).join(', ') : '(none)'}`,
          `  gates:     ${Object.keys(settings.merge_queue.gates).join(', ') || '(none)'}`,
        ]);
      });
    }));

  rig
    .command('remove')
    .alias('rm')
    .description('remove a rig: its worktrees, clones and directory')
    .argument('<name>', 'rig name')
    .option('--force', 'remove even when crew clones hold uncommitted or unpushed work')
    .option('--json', 'print the removed rig as JSON')
    .action(run(async (name: string, opts: JsonOption & { force?: boolean }) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const removed = await removeRig(town, name, { force: Boolean(opts.force) });
        if (opts.json) printJson(ctx.io, { removed: removed.name });
        else printLines(ctx.io, [`Removed rig "${removed.name}"`]);
      });
    }));

  const config = rig.command('config').description("a rig's settings (<rig>/settings/config.json)");

  config
    .command('show')
    .description("print a rig's settings")
    .argument('<rig>', 'rig name')
    .option('--json', 'print as JSON')
    .action(run(async (name: string, opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const settings = rigSettings(town, name);
        if (opts.json) printJson(ctx.io, settings);
        else printLines(ctx.io, flattenSettings(settings).map(([k, v]) => `${k} = ${showValue(v)}`));
      });
    }));

  config
    .command('get')
    .description('print one rig setting')
    .argument('<rig>', 'rig name')
    .argument('<key>', 'dotted key, e.g. merge_queue.batch_size')
    .option('--json', 'print {key, value} as JSON')
    .action(run(async (name: string, key: string, opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const value = getRigSetting(town, name, key);
        if (opts.json) printJson(ctx.io, { key, value: value ?? null });
        else if (value !== undefined) printLines(ctx.io, [showValue(value)]);
      });
    }));

  config
    .command('set')
    .description('set one rig setting (validated before it is written)')
    .argument('<rig>', 'rig name')
    .argument('<key>', 'dotted key, e.g. merge_queue.gates.test.cmd')
    .argument('<value>', 'JSON when it parses (42, true, {"cmd":"npm test"}), else text')
    .option('--json', 'print the new settings as JSON')
    .action(run(async (name: string, key: string, value: string, opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const next = setRigSetting(town, name, key, value);
        if (opts.json) printJson(ctx.io, next);
        else printLines(ctx.io, [`${name}: ${key} = ${showValue(getRigSetting(town, name, key))}`]);
      });
    }));

  config
    .command('unset')
    .description('remove one rig setting so its default applies again')
    .argument('<rig>', 'rig name')
    .argument('<key>', 'dotted key')
    .option('--json', 'print the new settings as JSON')
    .action(run(async (name: string, key: string, opts: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const next = unsetRigSetting(town, name, key);
        if (opts.json) printJson(ctx.io, next);
        else printLines(ctx.io, [`${name}: ${key} = ${showValue(getRigSetting(town, name, key))} (default)`]);
      });
    }));
}
