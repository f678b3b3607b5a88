import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../cli/helpers.js';
import { requireTmux, startTmux, tmuxKeyArgs, type TmuxSession } from './harness.js';

/**
 * A tiny full-screen-ish program: raw stdin, a marker line, the terminal size (again on every
 * SIGWINCH), CI and FOO as it sees them, and one `IN#<n> <hex>` line per burst of input (bytes
 * that arrive within 25 ms of each other). `x` makes it exit; `c` clears the screen.
 */
const PROGRAM = String.raw`
process.stdin.setRawMode(true);
process.stdin.resume();
const size = () => process.stdout.write('SIZE ' + process.stdout.columns + 'x' + process.stdout.rows + '\r\n');
process.stdout.write('\x1b[31mRED\x1b[0m READY-MARKER CI=' + (process.env.CI ?? '<unset>') + ' FOO=' + (process.env.FOO ?? '<unset>') + '\r\n');
size();
process.on('SIGWINCH', size);
let n = 0;
let pending = [];
let timer;
process.stdin.on('data', (d) => {
  if (d.length === 1 && d[0] === 0x78) process.exit(0);
  if (d.length === 1 && d[0] === 0x63) { process.stdout.write('\x1b[2J\x1b[HCLEARED\r\n'); return; }
  pending.push(d);
  clearTimeout(timer);
  timer = setTimeout(() => {
    process.stdout.write('IN#' + (++n) + ' ' + Buffer.concat(pending).toString('hex') + '\r\n');
    pending = [];
  }, 25);
});
`;

describe('tmux harness', () => {
  let dir: { dir: string; cleanup: () => void };
  let program: string;
  const sessions: TmuxSession[] = [];
  const start = async (cols = 80, rows = 24) => {
    const s = await startTmux({ cols, rows, command: [process.execPath, program], env: { CI: 'true', FOO: 'bar' }, cwd: dir.dir });
    sessions.push(s);
    await s.waitForText('READY-MARKER', 10_000);
    return s;
  };

  beforeAll(() => {
    requireTmux();
    dir = tempDir('gt-e2e-harness-');
    program = join(dir.dir, 'keys.cjs');
    writeFileSync(program, PROGRAM);
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.kill();
  });
  afterAll(() => dir?.cleanup());

  it('translates key names to tmux send-keys arguments', () => {
    expect(tmuxKeyArgs('ctrl+q')).toEqual(['C-q']);
    expect(tmuxKeyArgs('Ctrl+Q')).toEqual(['C-Q']);
    expect(tmuxKeyArgs('shift+tab')).toEqual(['BTab']);
    expect(tmuxKeyArgs('enter')).toEqual(['Enter']);
    expect(tmuxKeyArgs('escape')).toEqual(['Escape']);
    expect(tmuxKeyArgs('up')).toEqual(['Up']);
    expect(tmuxKeyArgs('pagedown')).toEqual(['NPage']);
    expect(tmuxKeyArgs('f5')).toEqual(['F5']);
    expect(tmuxKeyArgs('alt+x')).toEqual(['M-x']);
    expect(tmuxKeyArgs('ctrl+shift+up')).toEqual(['C-S-Up']);
    expect(tmuxKeyArgs('shift+s')).toEqual(['S']);
    expect(tmuxKeyArgs('S')).toEqual(['-l', 'S']);
    expect(tmuxKeyArgs('?')).toEqual(['-l', '?']);
    expect(tmuxKeyArgs('1')).toEqual(['-l', '1']);
    expect(tmuxKeyArgs('+')).toEqual(['-l', '+']);
    expect(tmuxKeyArgs('ctrl++')).toEqual(['C-+']);
    expect(() => tmuxKeyArgs('enterr')).toThrow(/unknown key/);
    expect(() => tmuxKeyArgs('hyper+a')).toThrow(/unknown modifier/);
  });

  it('runs the program without CI, with the given env, and captures its screen', async () => {
    const s = await start();
    const screen = await s.capture();
    expect(screen).toContain('READY-MARKER CI=<unset> FOO=bar');
    expect(screen).toContain('SIZE 80x24');
    expect(screen).not.toContain('\x1b');
    expect(await s.capture({ escapes: true })).toMatch(/\x1b\[31mRED/);
    expect(await s.alive()).toBe(true);
    expect(await s.panePid()).toBeGreaterThan(0);
  });

  it('delivers keys as the right bytes', async () => {
    const s = await start();
    const cases: Array<[string[], string]> = [
      [['ctrl+q'], '11'],
      [['shift+tab'], '1b5b5a'],
      [['enter'], '0d'],
      [['escape'], '1b'],
      [['up'], '1b5b41'],
      [['S'], '53'],
      [['?'], '3f'],
      [['1'], '31'],
      [[';'], '3b'],
      [['tab'], '09'],
      [['backspace'], '7f'],
      [['ctrl+c'], '03'],
      [['a', 'b', 'enter'], '61620d'],
    ];
    let n = 0;
    for (const [keys, hex] of cases) {
      await s.sendKeys(...keys);
      await s.waitForText(new RegExp(`^IN#${++n} ${hex}$`, 'm'), 5_000);
    }
    await s.type('-l hi; x;');
    await s.waitForText(new RegExp(`^IN#${++n} ${Buffer.from('-l hi; x;').toString('hex')}$`, 'm'), 5_000);
    expect(await s.alive()).toBe(true); // the `x` inside typed text was not a lone x
  });

  it('rejects an unknown key name before sending anything', async () => {
    const s = await start();
    await expect(s.sendKeys('enter', 'nosuchkey')).rejects.toThrow(/unknown key "nosuchkey"/);
  });

  it('waits for text to go and times out with the last screen', async () => {
    const s = await start();
    await s.sendKeys('c');
    const screen = await s.waitForNoText('READY-MARKER', 5_000);
    expect(screen).toContain('CLEARED');
    const err = await s.waitForText('NEVER-THERE', 300).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/timed out after 300 ms waiting for NEVER-THERE/);
    expect((err as Error).message).toContain('CLEARED');
    const err2 = await s.waitForNoText(/CLEARED/, 300).catch((e: unknown) => e as Error);
    expect((err2 as Error).message).toMatch(/waiting for no \/CLEARED\//);
  });

  it('resizes the terminal', async () => {
    const s = await start();
    await s.resize(100, 30);
    await s.waitForText('SIZE 100x30', 5_000);
    await s.resize(60, 20);
    const screen = await s.waitForText('SIZE 60x20', 5_000);
    expect(screen.split('\n').length).toBeLessThanOrEqual(20);
  });

  it('sees the program exit and keeps its last screen', async () => {
    const s = await start();
    await s.sendKeys('x');
    await s.waitForExit(5_000);
    expect(await s.alive()).toBe(false);
    expect(await s.capture({ history: true })).toContain('READY-MARKER');
  });

  it('kills its own server and socket, idempotently', async () => {
    const s = await start();
    expect(s.socket).toMatch(/^gt-e2e-/);
    expect(existsSync(s.socketPath)).toBe(true);
    await s.kill();
    expect(existsSync(s.socketPath)).toBe(false);
    expect(await s.alive()).toBe(false);
    await s.kill();
    await expect(s.capture()).rejects.toThrow();
    await s.waitForExit(100); // a killed session has exited
  });

  it('keeps sessions apart on their own sockets', async () => {
    const [a, b] = [await start(), await start(90, 25)];
    expect(a.socket).not.toBe(b.socket);
    await b.waitForText('SIZE 90x25');
    await a.kill();
    expect(await b.alive()).toBe(true);
    expect(await b.capture()).toContain('READY-MARKER');
  });
});
