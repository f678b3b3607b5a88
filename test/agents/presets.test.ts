import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_RUNTIMES, CustomAgentSchema, PRESETS, isReady, launchArgv, parseAgentCommand, resolveRuntime, runtimeNames,
  type RuntimePreset,
} from '../../src/core/agents/presets.js';
import { SCREEN_RULE_IDS } from '../../src/core/agents/screen-rules.js';
import { thrown } from '../helpers/errors.js';


const ENV = { SHELL: '/usr/bin/zsh' };

describe('built-in presets', () => {
  it('ships the runtimes of ARCHITECTURE.md plus login, fake, the shipped scripted agent and the shell step runner', () => {
    expect([...BUILT_IN_RUNTIMES].sort()).toEqual(['aider', 'amp', 'claude', 'codex', 'copilot', 'cursor', 'fake', 'gemini', 'login', 'opencode', 'scripted', 'shell']);
  });

  it.each(BUILT_IN_RUNTIMES)('%s resolves to a complete preset', (name) => {
    const p = resolveRuntime(name, {}, ENV);
    expect(p.name).toBe(name);
    expect(p.command).not.toBe('');
    expect(SCREEN_RULE_IDS).toContain(p.rules);
    expect(p.processNames.length).toBeGreaterThan(0);
    expect(p.description.length).toBeGreaterThan(5);
    if (p.prompt.mode === 'flag') expect(p.prompt.flag).toMatch(/^-/);
    expect(p.ready.pattern !== undefined || p.ready.delayMs !== undefined).toBe(true);
    if (p.ready.pattern) expect(() => new RegExp(p.ready.pattern!, 'm')).not.toThrow();
  });

  it.each([
    ['claude', 'claude', ['--dangerously-skip-permissions'], 'arg', 'claude'],
    ['codex', 'codex', ['--dangerously-bypass-approvals-and-sandbox'], 'none', 'codex'],
    ['gemini', 'gemini', ['--approval-mode', 'yolo'], 'flag', 'gemini'],
    ['cursor', 'cursor-agent', ['-f'], 'arg', 'none'],
    ['opencode', 'opencode', [], 'flag', 'none'],
    ['amp', 'amp', ['--dangerously-allow-all', '--no-ide'], 'arg', 'none'],
    ['copilot', 'copilot', ['--yolo'], 'flag', 'none'],
    ['aider', 'aider', ['--yes-always'], 'type', 'none'],
    ['fake', 'node', [], 'type', 'none'],
  ])('%s: %s %j, prompt %s, hooks %s (gastown-features §3.1)', (name, command, args, mode, hooks) => {
    const p = resolveRuntime(name);
    expect({ command: p.command, args: p.args, mode: p.prompt.mode, hooks: p.hooks }).toEqual({ command, args, mode, hooks });
  });

  it('opencode allows everything through OPENCODE_PERMISSION and takes --prompt', () => {
    const p = resolveRuntime('opencode');
    expect(p.env).toEqual({ OPENCODE_PERMISSION: '{"*":"allow"}' });
    expect(p.prompt).toEqual({ mode: 'flag', flag: '--prompt' });
  });

  it('login runs $SHELL, else bash', () => {
    expect(resolveRuntime('login', {}, ENV).command).toBe('/usr/bin/zsh');
    expect(resolveRuntime('login', {}, {}).command).toBe('bash');
    expect(resolveRuntime('login', {}, { SHELL: '  ' }).command).toBe('bash');
  });

  it('returns a copy: changing it leaves PRESETS alone', () => {
    const p = resolveRuntime('fake');
    p.args.push('/tmp/fake-agent.js');
    p.env.X = '1';
    expect(PRESETS.fake.args).toEqual([]);
    expect(PRESETS.fake.env).toEqual({});
  });
});

describe('resolveRuntime errors', () => {
  it('unknown name → INVALID_VALUE listing every runtime and close matches', () => {
    const e = thrown(() => resolveRuntime('clade', { mine: { command: 'mine' } }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toBe('unknown runtime "clade"');
    for (const name of [...BUILT_IN_RUNTIMES, 'mine']) expect(e.fix).toContain(name);
    expect(e.fix).toContain('did you mean claude?');
    expect(e.details.suggestions).toEqual(['claude']);
  });

  it('does not treat Object.prototype keys as runtimes', () => {
    expect(thrown(() => resolveRuntime('toString')).code).toBe('INVALID_VALUE');
  });

  it.each([
    ['an empty command', { command: ' ' }, /empty command/],
    ['unknown screen rules', { command: 'x', rules: 'claud' }, /unknown screen rules "claud"/],
    ['a bad ready pattern', { command: 'x', ready: { pattern: '(' } }, /bad ready pattern/],
    ['flag mode without a flag', { command: 'x', prompt: { mode: 'flag' as const } }, /no flag/],
  ])('custom agent with %s → INVALID_VALUE', (_n, agent, msg) => {
    const e = thrown(() => resolveRuntime('mine', { mine: agent }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toMatch(msg);
  });

  it('suggests close screen-rules ids', () => {
    expect(thrown(() => resolveRuntime('mine', { mine: { command: 'x', rules: 'claud' } })).fix).toContain('did you mean claude');
  });
});

describe('custom agents', () => {
  it('override a built-in field by field, merging env', () => {
    const p = resolveRuntime('claude', { claude: { command: '/opt/bin/claude', args: ['--model', 'opus'], env: { A: '1' } } });
    expect(p).toMatchObject({ name: 'claude', command: '/opt/bin/claude', args: ['--model', 'opus'], env: { A: '1' }, hooks: 'claude', rules: 'claude', prompt: { mode: 'arg' } });
    expect(p.resume).toEqual({ style: 'flag', arg: '--resume' });
    expect(p.processNames).toContain('claude');
    const o = resolveRuntime('opencode', { opencode: { command: 'opencode', env: { B: '2' } } });
    expect(o.env).toEqual({ OPENCODE_PERMISSION: '{"*":"allow"}', B: '2' });
    expect(o.args).toEqual([]);
  });

  it('absent args inherit, [] means none', () => {
    expect(resolveRuntime('claude', { claude: { command: 'claude' } }).args).toEqual(['--dangerously-skip-permissions']);
    expect(resolveRuntime('claude', { claude: { command: 'claude', args: [] } }).args).toEqual([]);
  });

  it('a new name on a known binary inherits that preset', () => {
    const p = resolveRuntime('claude-opus', { 'claude-opus': { command: '/usr/local/bin/claude', args: ['--model', 'opus'] } });
    expect(p).toMatchObject({ name: 'claude-opus', rules: 'claude', hooks: 'claude', prompt: { mode: 'arg' } });
    expect(p.ready.pattern).toBe(PRESETS.claude.ready.pattern);
    expect(p.description).toContain('custom');
  });

  it('a new name on an unknown binary gets the generic base', () => {
    const p = resolveRuntime('goose', { goose: { command: '/opt/goose', args: ['session'] } });
    expect(p).toMatchObject({ command: '/opt/goose', args: ['session'], rules: 'generic', hooks: 'none', prompt: { mode: 'type' }, ready: { delayMs: 3000 }, processNames: ['goose'] });
    expect(p.resume).toBeUndefined();
  });

  it('custom fields win over the base', () => {
    const p = resolveRuntime('goose', { goose: { command: 'goose', prompt: { mode: 'flag', flag: '-t' }, ready: { pattern: '^\\( O\\)>' }, rules: 'shell', processNames: ['goose', 'python'], description: 'Block goose' } });
    expect(p).toMatchObject({ prompt: { mode: 'flag', flag: '-t' }, ready: { pattern: '^\\( O\\)>' }, rules: 'shell', processNames: ['goose', 'python'], description: 'Block goose' });
  });

  it('runtimeNames lists built-ins and custom agents', () => {
    expect(runtimeNames({ zed: { command: 'zed' } })).toContain('zed');
    expect(runtimeNames()).toEqual([...BUILT_IN_RUNTIMES].sort());
  });

  it('CustomAgentSchema validates settings entries', () => {
    expect(CustomAgentSchema.safeParse({ command: 'x', args: ['-y'], prompt: { mode: 'type' } }).success).toBe(true);
    expect(CustomAgentSchema.safeParse({ command: 'x', prompt: { mode: 'flag' } }).success).toBe(false);
    expect(CustomAgentSchema.safeParse({ command: '' }).success).toBe(false);
    expect(CustomAgentSchema.safeParse({ command: 'x', colour: 'red' }).success).toBe(false);
  });
});

describe('parseAgentCommand', () => {
  it.each([
    ['claude --model opus', 'claude', ['--model', 'opus']],
    ['  claude \t -x\n  y  ', 'claude', ['-x', 'y']],
    [`aider --message 'fix the "bug"'`, 'aider', ['--message', 'fix the "bug"']],
    [`cmd "a \\"b\\" \\$HOME \\\\ \\\` c"`, 'cmd', ['a "b" $HOME \\ ` c']],
    [`cmd "keep \\n and \\x"`, 'cmd', ['keep \\n and \\x']],
    ['cmd a\\ b \\"q\\"', 'cmd', ['a b', '"q"']],
    ['cmd $HOME $(whoami) `id` ~ *.ts', 'cmd', ['$HOME', '$(whoami)', '`id`', '~', '*.ts']],
    [`cmd '$(rm -rf /)' "\`id\`"`, 'cmd', ['$(rm -rf /)', '`id`']],
    [`cmd '' "" x`, 'cmd', ['', '', 'x']],
    [`cmd a'b'"c"d`, 'cmd', ['abcd']],
    ['cmd a\\\nb', 'cmd', ['ab']],
    [`cmd '|' "a;b" \\&`, 'cmd', ['|', 'a;b', '&']],
    [`'/opt/my agent/bin' --x`, '/opt/my agent/bin', ['--x']],
  ])('%j', (text, command, args) => {
    expect(parseAgentCommand(text)).toEqual({ command, args });
  });

  it.each([
    [`claude 'oops`, /unbalanced ' quote at column 8/],
    [`claude "oops`, /unbalanced " quote at column 8/],
    [`claude "a" "b`, /unbalanced " quote at column 12/],
    ['claude foo\\', /trailing backslash/],
    ['', /is empty/],
    ['   ', /is empty/],
    [`'' --x`, /is empty/],
    ['claude | tee log', /unquoted "\|"/],
    ['claude 2>/dev/null', /unquoted ">"/],
    ['claude; rm -rf /', /unquoted ";"/],
    ['claude & ', /unquoted "&"/],
  ])('%j → INVALID_VALUE', (text, msg) => {
    const e = thrown(() => parseAgentCommand(text));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toMatch(msg);
    expect(e.fix).toBeTruthy();
  });
});

describe('launchArgv', () => {
  const NASTY = `Fix "it" now; $(rm -rf /) and \`reboot\` 'too' \\ $HOME\nsecond line`;

  it.each(['claude', 'cursor', 'amp'])('%s: the prompt is the last argv element, verbatim', (name) => {
    const p = resolveRuntime(name);
    const a = launchArgv(p, { prompt: NASTY });
    expect(a).toEqual({ command: p.command, args: [...p.args, NASTY] });
  });

  it.each([['gemini', '-i'], ['copilot', '-i'], ['opencode', '--prompt']])('%s: the prompt follows %s, verbatim', (name, flag) => {
    const p = resolveRuntime(name);
    expect(launchArgv(p, { prompt: NASTY }).args).toEqual([...p.args, flag, NASTY]);
  });

  it.each(['codex', 'aider', 'login', 'fake'])('%s: the prompt is typed once ready', (name) => {
    const p = resolveRuntime(name, {}, ENV);
    expect(launchArgv(p, { prompt: NASTY })).toEqual({ command: p.command, args: p.args, typedPrompt: NASTY });
  });

  it('no prompt → no prompt arg and nothing to type', () => {
    expect(launchArgv(resolveRuntime('gemini'), { prompt: '' })).toEqual({ command: 'gemini', args: ['--approval-mode', 'yolo'] });
    expect(launchArgv(resolveRuntime('claude'))).toEqual({ command: 'claude', args: ['--dangerously-skip-permissions'] });
  });

  it('a prompt that starts with "-" is typed, not passed as an option', () => {
    expect(launchArgv(resolveRuntime('claude'), { prompt: '--help me' })).toEqual({ command: 'claude', args: ['--dangerously-skip-permissions'], typedPrompt: '--help me' });
  });

  it('resumes with a flag or a subcommand (Gas Town BuildResumeCommand order)', () => {
    expect(launchArgv(resolveRuntime('claude'), { resumeId: 'abc-123', prompt: 'go on' }).args)
      .toEqual(['--dangerously-skip-permissions', '--resume', 'abc-123', 'go on']);
    expect(launchArgv(resolveRuntime('codex'), { resumeId: '0199a-b' }).args)
      .toEqual(['resume', '0199a-b', '--dangerously-bypass-approvals-and-sandbox']);
    expect(launchArgv(resolveRuntime('amp'), { resumeId: 'T-42' }).args)
      .toEqual(['threads', 'continue', 'T-42', '--dangerously-allow-all', '--no-ide']);
  });

  it('extraArgs follow the preset args (the fake agent script path)', () => {
    expect(launchArgv(resolveRuntime('fake'), { extraArgs: ['/repo/test/fake-agent.js'], prompt: 'hi' }))
      .toEqual({ command: 'node', args: ['/repo/test/fake-agent.js'], typedPrompt: 'hi' });
    expect(launchArgv(resolveRuntime('claude'), { extraArgs: ['--settings', '/t/s.json'], resumeId: 'x1' }).args)
      .toEqual(['--dangerously-skip-permissions', '--settings', '/t/s.json', '--resume', 'x1']);
  });

  it.each([
    ['resuming a runtime without resume', 'aider', { resumeId: 'x' }, /cannot resume/],
    ['a resume id that looks like a flag', 'claude', { resumeId: '--dangerously' }, /not a session id/],
    ['a resume id with spaces', 'claude', { resumeId: 'a b' }, /not a session id/],
    ['a prompt with NUL', 'claude', { prompt: 'a\0b' }, /NUL/],
  ])('%s → INVALID_VALUE', (_n, name, opts, msg) => {
    const e = thrown(() => launchArgv(resolveRuntime(name), opts));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toMatch(msg);
  });

  it('flag mode without a flag → INVALID_VALUE', () => {
    const p: RuntimePreset = { ...resolveRuntime('gemini'), prompt: { mode: 'flag' } };
    expect(thrown(() => launchArgv(p, { prompt: 'x' })).message).toMatch(/no flag/);
  });
});

describe('isReady', () => {
  it.each([
    ['claude', ' ✻ Welcome to Claude Code!\n\n────────\n❯ \n────────\n  ? for shortcuts', true],
    ['claude', '│ > Try "write a test for app.ts" │', true],
    ['claude', ' Do you trust the files in this folder?\n ❯ 1. Yes, proceed\n   2. No, exit', false],
    ['claude', ' ✻ Welcome to Claude Code!', false],
    ['codex', '› Ask Codex to do anything\n\n  ⏎ send', true],
    ['codex', '› 1. Yes, allow Codex to work in this folder', false],
    ['aider', 'Aider v0.86.1\nMain model: x\n> ', true],
    ['aider', 'Aider v0.86.1\nScanning repo…', false],
    ['login', 'alice@box:~/app$ ', true],
    ['fake', 'FAKE-AGENT: idle\nfake> ', true],
    ['fake', 'FAKE-AGENT: working', false],
  ])('%s: %j → %s', (name, text, ready) => {
    expect(isReady(resolveRuntime(name, {}, ENV), text.split('\n'), 0)).toBe(ready);
  });

  it('delay-based runtimes are ready after ready.delayMs', () => {
    const p = resolveRuntime('gemini');
    expect(isReady(p, [], 4999)).toBe(false);
    expect(isReady(p, [], 5000)).toBe(true);
  });
});
