/**
 * `gt config agent set|list|remove` and `gt config default-agent`: the runtimes agents run with
 * (issue #3 §3). Built-in presets: claude, codex, gemini, cursor, opencode, amp, copilot, aider,
 * shell, fake; users add their own (`gt config agent set mine "my-agent --yolo"`) or override a
 * built-in. The command text is split like a shell would split it, but nothing is ever run by a
 * shell: `$(…)`, backticks and quotes stay literal.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { parseAgentCommand, PRESETS, resolveRuntime, runtimeNames, type CustomAgent } from '../../core/agents/presets.js';
import { SCREEN_RULE_IDS } from '../../core/agents/screen-rules.js';
import { settingsFile } from '../../core/town/layout.js';
import { TownSettingsSchema, validateSettings, type TownSettings } from '../../core/town/settings.js';
import { readSettingsFile, resolveTown, writeJsonAtomic } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

function edit(ctx: CliContext, change: (s: TownSettings) => TownSettings): TownSettings {
  const file = settingsFile(resolveTown(ctx.cwd, ctx.env));
  const next = validateSettings(TownSettingsSchema, change(readSettingsFile(file, TownSettingsSchema)), file);
  writeJsonAtomic(file, next);
  return next;
}

/** Register the agent subcommands on the `config` command. */
export function registerAgentConfig(config: Command, ctx: CliContext): void {
  const agent = config.command('agent').description('runtimes for agent sessions');
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);

  agent.command('set')
    .description('add or override a runtime: gt config agent set NAME "command args"')
    .argument('<name>', 'runtime name (lowercase letters, digits, - and _)')
    .argument('<command>', 'the command and its arguments, as one string')
    .option('--prompt <mode>', 'how the first prompt is given: arg, flag, type or none')
    .option('--prompt-flag <flag>', 'the flag for --prompt flag (e.g. -i)')
    .option('--ready <regex>', 'a regex over the last screen lines that means ready for input')
    .option('--rules <id>', `screen rules: ${SCREEN_RULE_IDS.join(', ')}`)
    .option('--json', 'JSON output')
    .action(run((name: string, command: string, o: JsonOption & { prompt?: string; promptFlag?: string; ready?: string; rules?: string }) => {
      if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw usage(`runtime name "${name}" is not allowed`, 'use lowercase letters, digits, - and _, starting with a letter');
      const argv = parseAgentCommand(command);
      if (o.prompt && !['arg', 'flag', 'type', 'none'].includes(o.prompt)) throw usage(`--prompt must be arg, flag, type or none, got "${o.prompt}"`);
      if (o.rules && !SCREEN_RULE_IDS.includes(o.rules)) {
        throw new GtError('INVALID_VALUE', `unknown screen rules "${o.rules}"`, { fix: `use one of: ${SCREEN_RULE_IDS.join(', ')}` });
      }
      const custom: CustomAgent = {
        command: argv.command,
        // Only the binary named: keep the preset's autonomous args (e.g. claude's permission flag).
        ...(argv.args.length ? { args: argv.args } : {}),
        ...(o.prompt ? { prompt: { mode: o.prompt as 'arg', ...(o.promptFlag ? { flag: o.promptFlag } : {}) } } : {}),
        ...(o.ready ? { ready: { pattern: o.ready } } : {}),
        ...(o.rules ? { rules: o.rules } : {}),
      };
      const next = edit(ctx, (s) => ({ ...s, agents: { ...s.agents, [name]: custom } }));
      const preset = resolveRuntime(name, next.agents);
      if (o.json) printJson(ctx.io, preset);
      else printLines(ctx.io, [`✓ Runtime ${name}: ${[preset.command, ...preset.args].join(' ')} (prompt ${preset.prompt.mode}, rules ${preset.rules})`]);
    }));

  agent.command('list')
    .description('every runtime: built-in presets and your own')
    .option('--json', 'JSON output')
    .action(run((o: JsonOption) => {
      const s = readSettingsFile(settingsFile(resolveTown(ctx.cwd, ctx.env)), TownSettingsSchema);
      const presets = runtimeNames(s.agents).map((n) => resolveRuntime(n, s.agents));
      if (o.json) { printJson(ctx.io, { default_agent: s.default_agent, runtimes: presets }); return; }
      printLines(ctx.io, presets.map((p) => {
        const mark = p.name === s.default_agent ? '*' : ' ';
        const own = Object.hasOwn(s.agents, p.name) ? (Object.hasOwn(PRESETS, p.name) ? ' (overridden)' : ' (yours)') : '';
        return `${mark} ${p.name.padEnd(10)} ${[p.command, ...p.args].join(' ')}${own}`;
      }));
    }));

  agent.command('remove')
    .description('remove your runtime (a built-in comes back to its preset)')
    .argument('<name>', 'runtime name')
    .action(run((name: string) => {
      edit(ctx, (s) => {
        if (!Object.hasOwn(s.agents, name)) {
          throw new GtError('NOT_FOUND', `no runtime "${name}" of yours to remove`, { fix: `yours: ${Object.keys(s.agents).join(', ') || '(none)'}` });
        }
        const agents = { ...s.agents };
        delete agents[name];
        return { ...s, agents };
      });
      printLines(ctx.io, [`✓ Removed runtime ${name}`]);
    }));

  config.command('default-agent')
    .description('show or set the runtime new sessions use')
    .argument('[name]', 'runtime name')
    .action(run((name: string | undefined) => {
      if (!name) {
        printLines(ctx.io, [readSettingsFile(settingsFile(resolveTown(ctx.cwd, ctx.env)), TownSettingsSchema).default_agent]);
        return;
      }
      edit(ctx, (s) => {
        resolveRuntime(name, s.agents); // unknown → lists the runtimes
        return { ...s, default_agent: name };
      });
      printLines(ctx.io, [`✓ default agent: ${name}`]);
    }));
}
