/**
 * `gt` / `gt tui` without a terminal, and their bad inputs (the real bin, no TTY).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GT_BIN, gt, runBin, tempDir } from '../cli/helpers.js';

describe('gt tui without a terminal', () => {
  const tmp = tempDir('gt-tui-cli-');
  const root = join(tmp.dir, 'town');
  const env = { GT_TOWN: root };
  afterAll(() => tmp.cleanup());

  it('gt and gt tui print gt status and exit 0', async () => {
    expect((await gt(['install', root], { env })).code).toBe(0);
    for (const args of [[], ['tui']]) {
      const r = await runBin(GT_BIN, args, { env });
      expect(r.code).toBe(0);
      expect(r.out).toContain('Town ');
      expect(r.out).toContain('no terminal: gt tui needs one; this is gt status');
    }
  });

  it('an unknown --theme fails naming the themes, before anything else', async () => {
    const r = await runBin(GT_BIN, ['tui', '--theme', 'neon'], { env });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown theme "neon" — use one of: dark, high-contrast, light, solarized/);
  });

  it('gt config set refuses an unknown theme and a leave chord that cannot leave', async () => {
    const bad = await gt(['config', 'set', 'theme', 'neon'], { env });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('unknown theme "neon"');
    const chord = await gt(['config', 'set', 'tui.leave_chord', 'ctrl+c'], { env });
    expect(chord.code).toBe(1);
    expect(chord.err).toContain('Ctrl-C');
    expect((await gt(['config', 'set', 'theme', 'light'], { env })).code).toBe(0);
    expect((await gt(['config', 'get', 'theme'], { env })).out).toContain('light');
    const panes = await gt(['config', 'set', 'tui.panes', '5'], { env });
    expect(panes.code).toBe(1);
  });

  it('no town: says how to make one', async () => {
    const r = await runBin(GT_BIN, ['tui'], { env: { GT_TOWN: join(tmp.dir, 'nowhere'), HOME: tmp.dir } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no Gas Town here/);
  });
});
