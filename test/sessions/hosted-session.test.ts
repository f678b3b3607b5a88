import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostedSession, resolveCommand } from '../../src/sessions/hosted-session.js';
import { isGtError } from '../../src/core/errors.js';
import { bashSpec, nodeSpec, Sessions, tempDir, waitFor, waitForExit, waitForScreen } from './helpers.js';

const sessions = new Sessions();
afterEach(() => sessions.disposeAll());

describe('HostedSession output and exit', () => {
  it('shows the program output on screenText and reports a normal exit', async () => {
    const s = sessions.start(bashSpec('echo hello; printf "\\033[31mred\\033[0m world\\n"'));
    expect(s.state).toBe('running');
    expect(s.pid).toBeGreaterThan(0);
    const exit = await waitForExit(s);
    expect(exit).toEqual({ code: 0, signal: undefined, reason: 'exited with code 0' });
    expect(s.state).toBe('exited');
    expect(s.exitCode).toBe(0);
    expect(s.exitReason).toBe('exited with code 0');
    expect(s.screenText().slice(0, 2)).toEqual(['hello', 'red world']);
    expect(s.screenText()).toHaveLength(24);
    expect(s.screenText(3)).toHaveLength(3);
    // bytes as the PTY delivers them: ONLCR turns each \n into \r\n.
    expect(s.bytesOut).toBe('hello\r\n\x1b[31mred\x1b[0m world\r\n'.length);
    expect(s.lastOutputAt).toBeGreaterThanOrEqual(s.startedAt);
  });

  it('reports a non-zero exit code', async () => {
    const s = sessions.start(bashSpec('echo bye; exit 3'));
    expect(await waitForExit(s)).toEqual({ code: 3, signal: undefined, reason: 'exited with code 3' });
    expect(s.snapshot()).toMatchObject({ state: 'exited', exitCode: 3, exitReason: 'exited with code 3' });
  });

  it('sets TERM and COLORTERM by default and lets the spec override them', async () => {
    const a = sessions.start(bashSpec('echo "T=$TERM C=$COLORTERM P=$PWD"'));
    await waitForExit(a);
    expect(a.screenText()[0]).toMatch(/^T=xterm-256color C=truecolor P=\//);
    const b = sessions.start(bashSpec('echo "T=$TERM C=$COLORTERM"', { env: { PATH: process.env.PATH!, TERM: 'xterm', COLORTERM: '' } }));
    await waitForExit(b);
    expect(b.screenText()[0]).toBe('T=xterm C=');
  });
});

describe('HostedSession start failures', () => {
  it('does not throw for a missing command: exit 127 with a red message on the screen', async () => {
    let s!: HostedSession;
    expect(() => {
      s = sessions.start(bashSpec('', { command: 'gt-no-such-command-xyz', args: ['--x'], cols: 120, env: { PATH: '/nonexistent-a:/nonexistent-b' } }));
    }).not.toThrow();
    expect(s.state).toBe('exited');
    expect(s.exitCode).toBe(127);
    expect(s.pid).toBeUndefined();
    expect(s.exitReason).toBe('cannot start gt-no-such-command-xyz: not found on PATH (/nonexistent-a:/nonexistent-b)');
    // 'exit' comes asynchronously, so a listener attached after the constructor still gets it.
    const data: string[] = [];
    s.on('data', (d) => data.push(d));
    const exit = await new Promise((resolve) => s.once('exit', resolve));
    expect(exit).toEqual({ code: 127, signal: undefined, reason: s.exitReason });
    expect(s.screenText()[0]).toBe('gt: cannot start gt-no-such-command-xyz: not found on PATH (/nonexistent-a:/nonexistent-b)');
    expect(s.snapshot().data).toContain('\x1b[31m');
    expect(data.join('')).toContain('\x1b[31mgt: cannot start gt-no-such-command-xyz');
    expect(s.bytesOut).toBe(0);
    expect(s.write('x')).toBe(false);
    s.kill(); // no-op
  });

  it('reports a missing path, a non-executable file and a missing cwd', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'plain.txt'), 'not a program');
      const wide = { cols: 200 };
      const a = sessions.start(bashSpec('', { command: './nope', cwd: dir, ...wide }));
      expect(a.exitReason).toBe(`cannot start ./nope: no such file (${join(dir, 'nope')})`);
      const b = sessions.start(bashSpec('', { command: 'plain.txt', cwd: dir, env: { PATH: dir }, ...wide }));
      expect(b.exitReason).toBe(`cannot start plain.txt: not found on PATH (${dir})`);
      const c = sessions.start(bashSpec('', { command: join(dir, 'plain.txt'), ...wide }));
      expect(c.exitReason).toMatch(/not an executable file/);
      const d = sessions.start(bashSpec('echo hi', { cwd: join(dir, 'gone'), ...wide }));
      expect(d.exitReason).toBe(`cannot start bash: working directory ${join(dir, 'gone')} does not exist`);
      for (const s of [a, b, c, d]) {
        expect((await waitForExit(s)).code).toBe(127);
        expect(s.screenText()[0]).toMatch(/^gt: cannot start /);
      }
    } finally {
      cleanup();
    }
  });

  it('resolveCommand follows PATH order, relative paths and the executable bit', () => {
    const { dir, cleanup } = tempDir();
    try {
      const tool = join(dir, 'tool');
      writeFileSync(tool, '#!/bin/sh\necho tool\n');
      chmodSync(tool, 0o755);
      expect(resolveCommand('tool', { PATH: `/nonexistent:${dir}` }, '/')).toEqual({ path: tool });
      expect(resolveCommand('./tool', {}, dir)).toEqual({ path: tool });
      expect(resolveCommand('tool', {}, dir)).toEqual({ error: 'not found on PATH ()' });
      expect(resolveCommand('tool', { PATH: ':/nonexistent' }, dir)).toEqual({ path: tool });
      expect(resolveCommand('', { PATH: dir }, dir)).toEqual({ error: 'empty command' });
      chmodSync(tool, 0o644);
      expect(resolveCommand('tool', { PATH: dir }, '/')).toEqual({ error: `not found on PATH (${dir})` });
    } finally {
      cleanup();
    }
  });

  it('rejects a bad terminal size with INVALID_VALUE', () => {
    expect(() => new HostedSession(bashSpec('true', { cols: 0 }))).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
    const s = sessions.start(bashSpec('read x'));
    let err: unknown;
    try {
      s.resize(10, 1.5);
    } catch (e) {
      err = e;
    }
    expect(isGtError(err) && err.code).toBe('INVALID_VALUE');
  });
});

describe('HostedSession kill', () => {
  it('kills with SIGTERM and says so', async () => {
    const s = sessions.start(bashSpec('echo started; sleep 100'));
    await waitForScreen(s, 'started');
    s.kill();
    const exit = await waitForExit(s);
    expect(exit).toEqual({ code: 143, signal: 'SIGTERM', reason: 'killed by SIGTERM on request' });
    expect(s.exitSignal).toBe('SIGTERM');
    expect(s.screenText()[0]).toBe('started');
  });

  it('follows with SIGKILL when the program ignores SIGTERM', async () => {
    const s = sessions.start(nodeSpec("process.on('SIGTERM', () => console.log('ignoring TERM')); console.log('ready'); setInterval(() => {}, 1000);"));
    await waitForScreen(s, 'ready');
    s.kill('SIGTERM');
    await waitForScreen(s, 'ignoring TERM');
    expect(s.state).toBe('running');
    const exit = await waitForExit(s, 10_000);
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.code).toBe(137);
    expect(exit.reason).toBe('killed by SIGKILL: still alive 3000 ms after SIGTERM');
  });

  it('reports a program that handles SIGTERM and exits by itself', async () => {
    const s = sessions.start(nodeSpec("process.on('SIGTERM', () => process.exit(5)); console.log('ready'); setInterval(() => {}, 1000);"));
    await waitForScreen(s, 'ready');
    s.kill();
    expect(await waitForExit(s)).toEqual({ code: 5, signal: undefined, reason: 'exited with code 5 after SIGTERM' });
  });
});

describe('HostedSession input, resize and title', () => {
  it('delivers input to the program', async () => {
    const s = sessions.start(bashSpec('cat'));
    expect(s.write('hello cat\r')).toBe(true);
    // the tty echoes the line, then cat prints it again
    await waitFor(() => s.screenText().filter((l) => l === 'hello cat').length === 2, 10_000, 'echo and cat output');
    s.write('\x04');
    expect((await waitForExit(s)).code).toBe(0);
  });

  it('does not hang up a program that closes its stdio before it exits (GNU cat at EOF)', async () => {
    // Closing the PTY master as soon as the slave closes would SIGHUP cat between its
    // close(stdout) and its exit; node-pty alone reported "signal 1" in ~10% of runs.
    for (let i = 0; i < 20; i++) {
      const s = sessions.start({ ...bashSpec(''), command: 'cat', args: [] });
      s.write('line\r');
      await waitFor(() => s.screenText().filter((l) => l === 'line').length === 2, 10_000, 'echo and cat output');
      s.write('\x04');
      expect(await waitForExit(s)).toEqual({ code: 0, signal: undefined, reason: 'exited with code 0' });
    }
  });

  it('delivers a line to read', async () => {
    const s = sessions.start(bashSpec('read -r line; echo "got:$line"; exit 4'));
    s.write('abc def\r');
    await waitForScreen(s, 'got:abc def');
    expect((await waitForExit(s)).code).toBe(4);
  });

  it('resizes the PTY and the screen: stty size and tput cols see it', async () => {
    const s = sessions.start(bashSpec('stty size; read x; stty size; tput cols; read y', { cols: 40, rows: 10 }));
    await waitForScreen(s, '10 40');
    s.resize(100, 30);
    expect([s.cols, s.rows]).toEqual([100, 30]);
    s.write('\r');
    const lines = await waitForScreen(s, '30 100');
    await waitForScreen(s, /^100$/);
    expect(lines).toHaveLength(30);
    expect(s.snapshot()).toMatchObject({ cols: 100, rows: 30 });
    s.write('\r');
    await waitForExit(s);
  });

  it('tracks the OSC 0/2 title and emits title events', async () => {
    const s = sessions.start(bashSpec('printf "\\033]0;first title\\007"; read x; printf "\\033]2;second\\033\\\\"; echo done; read y'));
    const titles: string[] = [];
    s.on('title', (t) => titles.push(t));
    await waitFor(() => s.title === 'first title', 10_000, 'first title');
    s.write('\r');
    await waitForScreen(s, 'done');
    expect(s.title).toBe('second');
    expect(titles).toEqual(['first title', 'second']);
    expect(s.snapshot().title).toBe('second');
  });

  it('keeps scrollback: scrollbackText reads past the screen', async () => {
    const s = sessions.start(bashSpec('for i in $(seq 1 100); do echo line$i; done', { rows: 10 }));
    await waitForExit(s);
    expect(s.scrollbackText(5)).toEqual(['line96', 'line97', 'line98', 'line99', 'line100']);
    expect(s.scrollbackText(1000)).toHaveLength(100);
    expect(s.screenText(2)).toEqual(['line100', '']);
  });

  it('honours a small scrollback limit', async () => {
    const s = sessions.start(bashSpec('for i in $(seq 1 100); do echo line$i; done', { rows: 10, scrollback: 20 }));
    await waitForExit(s);
    const all = s.scrollbackText(1000);
    expect(all[0]).toBe('line72');
    expect(all.at(-1)).toBe('line100');
  });

  it('whenIdleWritten resolves after everything received is parsed', async () => {
    const s = sessions.start(nodeSpec("process.stdout.write('x'.repeat(300000) + '\\nEND\\n'); setInterval(() => {}, 1000);"));
    await waitFor(() => s.bytesOut >= 300006, 10_000, 'all bytes received');
    await s.whenIdleWritten();
    expect(s.scrollbackText(2)).toEqual([expect.stringMatching(/^x+$/), 'END']);
  });

  it('dispose kills a live child, and emits nothing after', async () => {
    const s = new HostedSession(bashSpec('echo up; sleep 100'));
    await waitForScreen(s, 'up');
    const pid = s.pid!;
    let exits = 0;
    s.on('exit', () => exits++);
    s.dispose();
    s.dispose();
    expect(s.screenText()).toEqual([]);
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000, 'child gone');
    await waitFor(() => s.state === 'exited', 10_000, 'state exited');
    expect(exits).toBe(0);
    expect(s.exitSignal).toBe('SIGHUP');
    await expect(s.whenIdleWritten()).resolves.toBeUndefined();
  });
});
