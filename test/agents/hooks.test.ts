/**
 * Agent hooks (issue #11 §3): what each documented event means, and installing them into a
 * real git worktree — merged with the user's own settings, idempotent, never committed, and a
 * broken settings file left as it was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hookOutput, interpretHook } from '../../src/core/agents/hook-events.js';
import { hookArgs, installAgentHooks } from '../../src/daemon/agent-hooks.js';
import { GIT_ENV, tempDir } from '../cli/helpers.js';
import { thrown } from '../helpers/errors.js';

describe('interpretHook', () => {
  it.each([
    ['claude', 'SessionStart', {}, undefined, true, false],
    ['claude', 'UserPromptSubmit', { prompt: 'go' }, { kind: 'working' }, false, true],
    ['claude', 'Stop', {}, { kind: 'stop' }, false, false],
    ['claude', 'Notification', { message: 'Claude needs your permission to use Bash' }, { kind: 'waiting', message: 'Claude needs your permission to use Bash' }, false, false],
    ['claude', 'Notification', { message: 'Claude is waiting for your input' }, { kind: 'idle', message: 'Claude is waiting for your input' }, false, false],
    ['claude', 'Notification', { message: 'x', notification_type: 'idle_prompt' }, { kind: 'idle', message: 'x' }, false, false],
    ['claude', 'PreCompact', { trigger: 'auto' }, undefined, true, false],
    ['gemini', 'BeforeAgent', { prompt: 'go' }, { kind: 'working' }, false, true],
    ['gemini', 'AfterAgent', {}, { kind: 'stop' }, false, false],
    ['gemini', 'Notification', { notification_type: 'ToolPermission', message: 'Allow rm?' }, { kind: 'waiting', message: 'Allow rm?' }, false, false],
    ['gemini', 'PreCompress', {}, undefined, true, false],
    ['codex', 'notify', { type: 'agent-turn-complete', 'last-assistant-message': 'Done.' }, { kind: 'stop', message: 'Done.' }, false, false],
    ['codex', 'notify', { type: 'something-else' }, undefined, false, false],
    ['claude', 'SubagentStop', {}, undefined, false, false],
  ] as const)('%s %s %j', (runtime, event, payload, report, prime, mail) => {
    const a = interpretHook(runtime, event, payload as Record<string, unknown>);
    expect(a.report).toEqual(report);
    expect(a.prime).toBe(prime);
    expect(a.mail).toBe(mail);
  });

  it('answers in each runtime\'s format: plain text for Claude Code, hookSpecificOutput JSON for Gemini CLI', () => {
    expect(hookOutput(interpretHook('claude', 'SessionStart', {}), 'SessionStart', 'You are nux')).toBe('You are nux\n');
    expect(JSON.parse(hookOutput(interpretHook('gemini', 'SessionStart', {}), 'SessionStart', 'You are nux')))
      .toEqual({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: 'You are nux' } });
    expect(hookOutput(interpretHook('gemini', 'BeforeAgent', {}), 'BeforeAgent', '')).toBe('');
  });

  it('gives Codex its notify program as a -c override (TOML array)', () => {
    expect(hookArgs('codex')).toEqual(['-c', 'notify=["gt","agents","hook","codex","notify"]']);
    expect(hookArgs('claude')).toEqual([]);
  });
});

describe('installAgentHooks', () => {
  const tmp = tempDir('gt-hooks-');
  afterAll(() => tmp.cleanup());
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  const repo = join(tmp.dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'init');
  const wt = join(tmp.dir, 'wt');
  git(repo, 'worktree', 'add', '-q', '-b', 'polecat/nux', wt);

  it('writes Claude Code\'s hooks into .claude/settings.local.json, keeps the user\'s, and git never sees the file', () => {
    mkdirSync(join(wt, '.claude'));
    writeFileSync(join(wt, '.claude', 'settings.local.json'), JSON.stringify({ permissions: { allow: ['Bash(ls)'] }, hooks: { Stop: [{ matcher: '', hooks: [{ type: 'command', command: 'say done' }] }] } }));
    const files = installAgentHooks('claude', wt);
    expect(files).toEqual([join(wt, '.claude', 'settings.local.json')]);
    installAgentHooks('claude', wt); // again: no duplicates
    const s = JSON.parse(readFileSync(files[0]!, 'utf8')) as { permissions: unknown; hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
    expect(s.permissions).toEqual({ allow: ['Bash(ls)'] });
    expect(s.hooks.Stop!.map((e) => e.hooks[0]!.command)).toEqual(['say done', 'gt agents hook claude Stop']);
    expect(Object.keys(s.hooks).sort()).toEqual(['Notification', 'PreCompact', 'SessionStart', 'Stop', 'UserPromptSubmit']);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).toContain('/.claude/settings.local.json');
  });

  it('writes Gemini CLI\'s hooks into .gemini/settings.json; codex and plain runtimes get no file', () => {
    const [file] = installAgentHooks('gemini', wt);
    const s = JSON.parse(readFileSync(file!, 'utf8')) as { hooks: Record<string, unknown> };
    expect(Object.keys(s.hooks).sort()).toEqual(['AfterAgent', 'BeforeAgent', 'Notification', 'PreCompress', 'SessionStart']);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    expect(installAgentHooks('codex', wt)).toEqual([]);
    expect(installAgentHooks('none', wt)).toEqual([]);
    // a folder that is gone stays gone (the session reports it), no settings-only folder is made
    expect(installAgentHooks('claude', join(tmp.dir, 'gone'))).toEqual([]);
    expect(existsSync(join(tmp.dir, 'gone'))).toBe(false);
  });

  it('refuses a settings file that is not JSON, naming it, and leaves it as it was', () => {
    const dir = join(tmp.dir, 'broken');
    mkdirSync(join(dir, '.claude'), { recursive: true });
    writeFileSync(join(dir, '.claude', 'settings.local.json'), '{ "hooks": ');
    const e = thrown(() => installAgentHooks('claude', dir));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(join(dir, '.claude', 'settings.local.json'));
    expect(readFileSync(join(dir, '.claude', 'settings.local.json'), 'utf8')).toBe('{ "hooks": ');
  });
});
