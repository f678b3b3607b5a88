/**
 * Runtime presets: how to start each agent CLI (gastown-features.md §3.1, Gas Town
 * `internal/config/agents.go`; ARCHITECTURE.md "Agents and sessions").
 *
 * A preset gives the command and its autonomous-mode args, extra env, how the first prompt is
 * delivered (a positional argument, a flag, or typed into the terminal once the agent is ready),
 * how readiness is seen (a prompt regex, else a fixed delay), how to resume a session, which
 * agent hooks exist, the process names that mean "the agent is alive", and which screen rules
 * (./screen-rules.ts) read its status. Built-ins: claude, codex, gemini, cursor, opencode, amp,
 * copilot, aider, plus `shell`, `scripted` (the shipped no-LLM agent bin/gt-scripted-agent.mjs, used by
 * `gt demo`) and the test suite's `fake`. Users add or override agents
 * ({@link CustomAgent}); {@link resolveRuntime} merges them.
 *
 * Commands are never run through a shell: {@link parseAgentCommand} splits a user's command
 * string with POSIX quoting but expands nothing, and {@link launchArgv} puts the prompt in one
 * argv element verbatim, so `$(…)`, backticks and quotes in a prompt are inert.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GtError, closeMatches } from '../errors.js';
import type { HookKind } from './hook-files.js';
import { SCREEN_RULE_IDS, screenTail } from './screen-rules.js';

/** How the first prompt reaches the agent. */
export interface PromptDelivery {
  /**
   * `arg`: last positional argument; `flag`: `<flag> <prompt>`; `type`: typed into the terminal
   * once the agent is ready; `none`: the runtime takes no start-up prompt, so it is sent later as
   * a nudge (typed as well). Gas Town `prompt_mode`.
   */
  mode: 'arg' | 'flag' | 'type' | 'none';
  /** The flag for mode `flag`, e.g. `-i` (gemini, copilot) or `--prompt` (opencode). */
  flag?: string;
}

/** How to tell that the agent has started and can take input (Gas Town `WaitForRuntimeReady`). */
export interface ReadyDetection {
  /** Regex source (`m` flag) tested against the last screen lines; ready once it matches. */
  pattern?: string;
  /** Used only when there is no `pattern`: ready this many ms after start. */
  delayMs?: number;
}

/** How to resume a previous conversation (Gas Town `resume_flag` / `resume_style`). */
export interface ResumeStyle {
  /** `flag`: `<command> <args> <arg> <id>`; `subcommand`: `<command> <arg words> <id> <args>`. */
  style: 'flag' | 'subcommand';
  /** `--resume`, or the subcommand words (`resume`, `threads continue`). */
  arg: string;
}

/** Everything needed to start one agent runtime. */
export interface RuntimePreset {
  /** Preset name (`claude`, or the custom agent's name). */
  name: string;
  /** Executable, looked up on PATH by the session host. */
  command: string;
  /** Autonomous-mode args, before any prompt (`--dangerously-skip-permissions`). */
  args: string[];
  /** Extra environment for the agent process. */
  env: Record<string, string>;
  /** How the first prompt is delivered. */
  prompt: PromptDelivery;
  /** How readiness is detected. */
  ready: ReadyDetection;
  /** How to resume a session; absent when the runtime cannot. */
  resume?: ResumeStyle;
  /**
   * Which agent hooks report its status (./hook-files.ts): `claude` (Claude Code's
   * settings.local.json), `gemini` (Gemini CLI's .gemini/settings.json), `codex` (its `notify`
   * program), `none` (screen rules only).
   */
  hooks: HookKind;
  /** Process names that mean the agent (not just its shell) is running. */
  processNames: string[];
  /** Screen-rules id (a file in ./screen-rules/). */
  rules: string;
  /** One line for `gt config agent list`. */
  description: string;
}

/** Names of the built-in presets. */
export const BUILT_IN_RUNTIMES = [
  'claude', 'codex', 'gemini', 'cursor', 'opencode', 'amp', 'copilot', 'aider', 'login', 'shell', 'fake', 'scripted',
] as const;
/** A built-in preset name. */
export type BuiltInRuntime = (typeof BUILT_IN_RUNTIMES)[number];

/**
 * Absolute path of the shipped scripted agent (`bin/gt-scripted-agent.mjs` of this package). This
 * module sits at the same depth under `src/` and `dist/`, so the path holds for both.
 */
export const SCRIPTED_AGENT_BIN = fileURLToPath(new URL('../../../bin/gt-scripted-agent.mjs', import.meta.url));

/** Absolute path of the shipped step runner of the `shell` runtime (`bin/gt-shell-runner.mjs`). */
export const SHELL_RUNNER_BIN = fileURLToPath(new URL('../../../bin/gt-shell-runner.mjs', import.meta.url));

/** Regex for a prompt line starting with `char`, but not a numbered menu line (`❯ 1. Yes`). */
const promptLine = (char: string) => `^\\s*(?:│\\s*)?${char}(?!\\s*\\d+\\.)(?:\\s|$)`;

const preset = (p: Omit<RuntimePreset, 'env' | 'hooks'> & Partial<Pick<RuntimePreset, 'env' | 'hooks'>>): RuntimePreset =>
  ({ env: {}, hooks: 'none', ...p });

/** The built-in presets (gastown-features.md §3.1). Treat as read-only; resolve to get a copy. */
export const PRESETS: Readonly<Record<BuiltInRuntime, RuntimePreset>> = {
  claude: preset({
    name: 'claude', command: 'claude', args: ['--dangerously-skip-permissions'],
    prompt: { mode: 'arg' }, ready: { pattern: `${promptLine('❯')}|^\\s*│\\s*>(?:\\s|$)` },
    resume: { style: 'flag', arg: '--resume' }, hooks: 'claude', processNames: ['claude', 'node'],
    rules: 'claude', description: 'Claude Code, permissions skipped; status also from its hooks',
  }),
  codex: preset({
    name: 'codex', command: 'codex', args: ['--dangerously-bypass-approvals-and-sandbox'],
    // Gas Town gives codex no start-up prompt: instructions arrive as a nudge once "› " shows.
    prompt: { mode: 'none' }, ready: { pattern: promptLine('›') },
    resume: { style: 'subcommand', arg: 'resume' }, hooks: 'codex', processNames: ['codex'],
    rules: 'codex', description: 'OpenAI Codex CLI, approvals and sandbox bypassed; turn ends also from its notify hook',
  }),
  gemini: preset({
    name: 'gemini', command: 'gemini', args: ['--approval-mode', 'yolo'],
    prompt: { mode: 'flag', flag: '-i' }, ready: { delayMs: 5000 },
    resume: { style: 'flag', arg: '--resume' }, hooks: 'gemini', processNames: ['gemini', 'node'],
    rules: 'gemini', description: 'Gemini CLI in yolo approval mode; status also from its hooks',
  }),
  cursor: preset({
    name: 'cursor', command: 'cursor-agent', args: ['-f'],
    prompt: { mode: 'arg' }, ready: { delayMs: 5000 },
    resume: { style: 'flag', arg: '--resume' }, processNames: ['cursor-agent', 'agent'],
    rules: 'cursor', description: 'Cursor Agent CLI, tool use forced',
  }),
  opencode: preset({
    name: 'opencode', command: 'opencode', args: [], env: { OPENCODE_PERMISSION: '{"*":"allow"}' },
    prompt: { mode: 'flag', flag: '--prompt' }, ready: { delayMs: 8000 },
    processNames: ['opencode', 'node', 'bun'],
    rules: 'opencode', description: 'OpenCode, every permission allowed via OPENCODE_PERMISSION',
  }),
  amp: preset({
    name: 'amp', command: 'amp', args: ['--dangerously-allow-all', '--no-ide'],
    prompt: { mode: 'arg' }, ready: { delayMs: 5000 },
    resume: { style: 'subcommand', arg: 'threads continue' }, processNames: ['amp', 'node'],
    rules: 'amp', description: 'Sourcegraph Amp, all tools allowed',
  }),
  copilot: preset({
    name: 'copilot', command: 'copilot', args: ['--yolo'],
    prompt: { mode: 'flag', flag: '-i' }, ready: { delayMs: 5000 },
    resume: { style: 'flag', arg: '--resume' }, processNames: ['copilot', 'node'],
    rules: 'copilot', description: 'GitHub Copilot CLI in yolo mode',
  }),
  aider: preset({
    // `--message` would run one turn and exit, so the prompt is typed at aider's "> " prompt.
    name: 'aider', command: 'aider', args: ['--yes-always'],
    prompt: { mode: 'type' }, ready: { pattern: '^[\\w -]*>\\s*$' },
    processNames: ['aider', 'python', 'python3'],
    rules: 'aider', description: 'Aider, every confirmation answered yes',
  }),
  login: preset({
    // `command` is replaced by $SHELL in resolveRuntime.
    name: 'login', command: 'bash', args: [],
    prompt: { mode: 'type' }, ready: { pattern: '[$#%>❯»]\\s*$' },
    processNames: ['bash', 'zsh', 'sh', 'fish', 'dash'],
    rules: 'shell', description: 'your login shell ($SHELL, else bash); the prompt is typed',
  }),
  shell: preset({
    // The step runner (no LLM): runs each ready step's `run` command of the hooked molecule.
    name: 'shell', command: process.execPath, args: [SHELL_RUNNER_BIN],
    prompt: { mode: 'arg' }, ready: { pattern: '^steps\\$' },
    processNames: ['node', 'sh', 'bash'],
    rules: 'shell', description: 'runs the `run` commands of the molecule on its hook, step by step (no LLM)',
  }),
  fake: preset({
    // The caller supplies the fake agent's script path (extraArgs or args).
    name: 'fake', command: 'node', args: [],
    prompt: { mode: 'type' }, ready: { pattern: '^fake>' },
    processNames: ['node'],
    rules: 'fake', description: 'the scripted fake agent of the test suite (no LLM)',
  }),
  scripted: preset({
    // The shipped scripted agent, run with this very node: works with nothing configured.
    name: 'scripted', command: process.execPath, args: [SCRIPTED_AGENT_BIN],
    prompt: { mode: 'arg' }, ready: { pattern: '^fake>' },
    processNames: ['node'],
    rules: 'fake', description: 'the shipped scripted agent (no LLM): follows the script in its bead\'s description',
  }),
};

/** A user-defined agent (settings `agents`, `gt config agent set NAME "command args"`). */
export interface CustomAgent {
  /** Executable. */
  command: string;
  /** Args; absent = inherit the base preset's args, `[]` = none. */
  args?: string[];
  /** Extra env, merged over the base preset's. */
  env?: Record<string, string>;
  /** Prompt delivery; absent = inherit. */
  prompt?: PromptDelivery;
  /** Readiness detection; absent = inherit. */
  ready?: ReadyDetection;
  /** Screen-rules id; absent = inherit (`generic` with no base). */
  rules?: string;
  /** Resume style; absent = inherit. */
  resume?: ResumeStyle;
  /** Process names; absent = the base preset's plus the command's base name. */
  processNames?: string[];
  /** One-line description. */
  description?: string;
}

const PromptSchema = z
  .strictObject({ mode: z.enum(['arg', 'flag', 'type', 'none']), flag: z.string().min(1).optional() })
  .refine((p) => p.mode !== 'flag' || p.flag !== undefined, { message: 'prompt mode "flag" needs a flag', path: ['flag'] });

/** zod schema of a {@link CustomAgent}, for the settings files. */
export const CustomAgentSchema: z.ZodType<CustomAgent> = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  prompt: PromptSchema.optional(),
  ready: z.strictObject({ pattern: z.string().min(1).optional(), delayMs: z.number().int().min(0).optional() }).optional(),
  rules: z.string().min(1).optional(),
  resume: z.strictObject({ style: z.enum(['flag', 'subcommand']), arg: z.string().min(1) }).optional(),
  processNames: z.array(z.string().min(1)).optional(),
  description: z.string().optional(),
});

/** Base name of a command path, without a Windows extension (`/usr/bin/claude` → `claude`). */
function baseName(command: string): string {
  return (command.split(/[\\/]/).pop() ?? command).replace(/\.(?:exe|cmd|bat)$/i, '');
}

/** The agent preset (not shell/fake/scripted) whose command is the same binary, for custom agents. */
function presetForBinary(command: string): RuntimePreset | undefined {
  const bin = baseName(command);
  return Object.values(PRESETS).find((p) => !['login', 'shell', 'fake', 'scripted'].includes(p.name) && p.command === bin);
}

const GENERIC: Omit<RuntimePreset, 'name' | 'command' | 'description'> = {
  args: [], env: {}, prompt: { mode: 'type' }, ready: { delayMs: 3000 }, hooks: 'none', processNames: [], rules: 'generic',
};

/**
 * The preset for a runtime name, with custom agents applied.
 *
 * A custom agent with a built-in's name overrides that preset field by field (env is merged).
 * A new name inherits from the built-in whose command is the same binary (`claude --model opus`
 * behaves like claude), else from a generic base (prompt typed, ready after 3 s, `generic`
 * rules). `shell` runs `env.SHELL`, else `bash`. Returns a fresh copy the caller may change.
 *
 * @param name runtime name (`claude`, or a key of `custom`).
 * @param custom the user's agents by name (settings `agents`).
 * @param env environment to read `SHELL` from (default `process.env`).
 * @throws GtError INVALID_VALUE `unknown runtime "X"` listing every runtime and close matches;
 *   also for a custom agent with an empty command, an unknown rules id or a bad ready pattern.
 */
export function resolveRuntime(
  name: string,
  custom: Record<string, CustomAgent> = {},
  env: Record<string, string | undefined> = process.env,
): RuntimePreset {
  const builtIn = Object.hasOwn(PRESETS, name) ? PRESETS[name as BuiltInRuntime] : undefined;
  const c = Object.hasOwn(custom, name) ? custom[name] : undefined;
  if (!c) {
    if (!builtIn) throw unknownRuntime(name, custom);
    const out = structuredClone(builtIn);
    if (name === 'login') out.command = env.SHELL?.trim() || 'bash';
    return out;
  }
  const where = `custom agent "${name}"`;
  if (!c.command?.trim()) throw new GtError('INVALID_VALUE', `${where} has an empty command`, { fix: `gt config agent set ${name} "<command> <args>"` });
  const base = builtIn ?? presetForBinary(c.command);
  const from = structuredClone(base ?? { ...GENERIC, name, command: c.command, description: '' });
  const rules = c.rules ?? from.rules;
  if (!SCREEN_RULE_IDS.includes(rules)) {
    const near = closeMatches(rules, SCREEN_RULE_IDS);
    throw new GtError('INVALID_VALUE', `${where} uses unknown screen rules "${rules}"`, {
      fix: `use one of: ${SCREEN_RULE_IDS.join(', ')}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`,
    });
  }
  const ready = c.ready ? structuredClone(c.ready) : from.ready;
  if (ready.pattern !== undefined) {
    try { new RegExp(ready.pattern, 'm'); } catch (e) {
      throw new GtError('INVALID_VALUE', `${where} has a bad ready pattern: ${(e as Error).message}`, { fix: 'write a JavaScript regex source' });
    }
  }
  const prompt = c.prompt ? structuredClone(c.prompt) : from.prompt;
  if (prompt.mode === 'flag' && !prompt.flag) throw new GtError('INVALID_VALUE', `${where} has prompt mode "flag" but no flag`, { fix: 'set prompt.flag, e.g. "--prompt"' });
  const bin = baseName(c.command);
  const resume = c.resume ?? from.resume;
  return {
    name,
    command: c.command,
    args: c.args ? [...c.args] : from.args,
    env: { ...from.env, ...c.env },
    prompt,
    ready,
    ...(resume ? { resume: structuredClone(resume) } : {}),
    hooks: from.hooks,
    processNames: c.processNames ? [...c.processNames] : [...new Set([bin, ...from.processNames])],
    rules,
    description: c.description ?? (base ? `${base.description} (custom: ${c.command})` : `custom agent: ${c.command}`),
  };
}

/** Every runtime name: built-ins plus custom, sorted. */
export function runtimeNames(custom: Record<string, CustomAgent> = {}): string[] {
  return [...new Set([...BUILT_IN_RUNTIMES, ...Object.keys(custom)])].sort();
}

function unknownRuntime(name: string, custom: Record<string, CustomAgent>): GtError {
  const names = runtimeNames(custom);
  const near = closeMatches(name, names);
  return new GtError('INVALID_VALUE', `unknown runtime "${name}"`, {
    fix: `use one of: ${names.join(', ')}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}, or add it with gt config agent set ${name} "<command> <args>"`,
    details: { known: names, suggestions: near },
  });
}

/**
 * Unquoted shell control operators (pipes, lists, redirections). gt runs commands directly, so a
 * command that relies on them would silently get them as literal args; refuse them instead.
 */
const SHELL_SYNTAX = new Set(['|', '&', ';', '<', '>']);

/**
 * Split a user's `"command args"` string into argv the way a POSIX shell splits words: blanks
 * separate words; '…' is literal; in "…" a backslash escapes only `$`, `` ` ``, `"`, `\` and
 * newline; outside quotes a backslash escapes the next character (backslash-newline joins lines).
 * Nothing is expanded: `$VAR`, `$(…)`, backticks, `~` and globs stay literal.
 *
 * @throws GtError INVALID_VALUE for an unbalanced quote, a trailing backslash, an empty command,
 *   or an unquoted control operator (`|`, `&`, `;`, `<`, `>`), with the column (1-based).
 */
export function parseAgentCommand(text: string): { command: string; args: string[] } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  const fail = (msg: string, i: number, fix: string) =>
    new GtError('INVALID_VALUE', `agent command ${JSON.stringify(text)}: ${msg} at column ${i + 1}`, { fix, details: { column: i + 1 } });
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw fail("unbalanced ' quote", i, "close the quote, or write \\' for a literal quote");
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      const start = i++;
      inWord = true;
      for (;;) {
        if (i >= text.length) throw fail('unbalanced " quote', start, 'close the quote, or write \\" for a literal quote');
        const c = text[i]!;
        if (c === '"') { i++; break; }
        if (c === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') cur += text[i + 1];
          i += 2;
        } else { cur += c; i++; }
      }
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw fail('trailing backslash', i, 'remove it, or write \\\\ for a literal backslash');
      if (text[i + 1] !== '\n') { cur += text[i + 1]; inWord = true; }
      i += 2;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
      i++;
    } else if (SHELL_SYNTAX.has(ch)) {
      throw fail(`unquoted "${ch}" (the command is not run by a shell)`, i, `quote it ('${ch}'), or wrap the command: sh -c '…'`);
    } else {
      cur += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  const [command, ...args] = words;
  if (!command) throw new GtError('INVALID_VALUE', `agent command ${JSON.stringify(text)} is empty`, { fix: 'give the executable first, e.g. "claude --model opus"' });
  return { command, args };
}

/** Options for {@link launchArgv}. */
export interface LaunchOptions {
  /** First prompt (the Gas Town beacon + instructions); empty or absent = none. */
  prompt?: string;
  /** Session id to resume; empty or absent = a fresh session. */
  resumeId?: string;
  /** Args after the preset's (`--settings <file>`, or the fake agent's script path). */
  extraArgs?: string[];
}

/** What to spawn, and what to type once the agent is ready. */
export interface LaunchArgv {
  /** Executable. */
  command: string;
  /** Arguments, each one argv element (no shell in between). */
  args: string[];
  /** Text to type once ready (prompt mode `type`/`none`, or a prompt that starts with `-`). */
  typedPrompt?: string;
}

/**
 * Build the argv to start (or resume) an agent.
 *
 * Order: `command [resume subcommand id] presetArgs extraArgs [resumeFlag id] [promptFlag] [prompt]`
 * (Gas Town `BuildResumeCommand`). The prompt is one argv element, byte for byte. A prompt that
 * starts with `-` would be parsed as an option, so it is returned as `typedPrompt` instead.
 *
 * @throws GtError INVALID_VALUE when resuming a runtime without resume support, for a resume id
 *   that is not `[A-Za-z0-9._:-]` or starts with `-`, for a prompt containing NUL (argv cannot
 *   carry it), or for prompt mode `flag` without a flag.
 */
export function launchArgv(p: RuntimePreset, opts: LaunchOptions = {}): LaunchArgv {
  const args: string[] = [];
  const id = opts.resumeId ?? '';
  if (id) {
    if (!p.resume) throw new GtError('INVALID_VALUE', `runtime "${p.name}" cannot resume a session`, { fix: 'start a fresh session instead' });
    if (!/^[A-Za-z0-9._:][A-Za-z0-9._:-]*$/.test(id)) {
      throw new GtError('INVALID_VALUE', `resume id ${JSON.stringify(id)} is not a session id`, { fix: 'use the id the runtime printed (letters, digits, . _ : -)' });
    }
    if (p.resume.style === 'subcommand') args.push(...p.resume.arg.split(/\s+/).filter(Boolean), id);
  }
  args.push(...p.args, ...(opts.extraArgs ?? []));
  if (id && p.resume!.style === 'flag') args.push(p.resume!.arg, id);
  const prompt = opts.prompt ?? '';
  if (!prompt) return { command: p.command, args };
  if (prompt.includes('\0')) throw new GtError('INVALID_VALUE', 'the prompt contains a NUL character', { fix: 'remove it; a command-line argument cannot carry NUL' });
  const { mode, flag } = p.prompt;
  if (mode === 'flag' && !flag) throw new GtError('INVALID_VALUE', `runtime "${p.name}" has prompt mode "flag" but no flag`, { fix: 'set prompt.flag, e.g. "--prompt"' });
  if ((mode === 'arg' || mode === 'flag') && !prompt.startsWith('-')) {
    if (mode === 'flag') args.push(flag!);
    args.push(prompt);
    return { command: p.command, args };
  }
  return { command: p.command, args, typedPrompt: prompt };
}

const readyCache = new Map<string, RegExp>();

/**
 * Whether the agent is ready for input: its ready pattern matches the last screen lines, or,
 * with no pattern, `elapsedMs` has reached `ready.delayMs` (0 when unset).
 *
 * @param p the preset.
 * @param screenLines screen rows, top to bottom.
 * @param elapsedMs ms since the process started.
 */
export function isReady(p: RuntimePreset, screenLines: readonly string[], elapsedMs: number): boolean {
  const src = p.ready.pattern;
  if (src === undefined) return elapsedMs >= (p.ready.delayMs ?? 0);
  let re = readyCache.get(src);
  if (!re) readyCache.set(src, (re = new RegExp(src, 'm')));
  return re.test(screenTail(screenLines).join('\n'));
}
