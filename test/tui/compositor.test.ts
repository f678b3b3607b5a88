/**
 * The compositor against a real terminal emulator: what it writes is fed to a headless xterm
 * (the "user's terminal"), whose screen must equal chrome + panes; a second frame writes only
 * what changed; nothing a pane or the chrome contains reaches the terminal as a control
 * sequence other than cursor moves, SGR and the modes the compositor itself sets.
 */
import { describe, expect, it } from 'vitest';
import { Compositor } from '../../src/tui/render/compositor.js';
import type { Terminal } from '@xterm/headless';
import { createHeadlessTerminal, screenLines as rawLines, writeAndWait } from '../../src/sessions/screen.js';

/** The screen's rows, right-trimmed (the compositor writes real spaces). */
const screenLines = (t: Terminal) => rawLines(t).map((l) => l.trimEnd());

/** Every escape sequence in `out` that is not CUP, SGR, or DEC 2026/25 set/reset. */
function foreignSequences(out: string): string[] {
   
  const all = out.match(/\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.)/g) ?? [];
   
  return all.filter((s) => !/^\x1b\[(\d+;\d+H|[\d;]*m|\?2026[hl]|\?25[hl])$/.test(s));
}

async function rig(cols = 40, rows = 10) {
  const screen = createHeadlessTerminal(cols, rows, 0).term;
  let out = '';
  const c = new Compositor({ cols, rows, write: (s) => { out += s; } });
  const flush = async () => {
    const before = out.length;
    c.flush();
    const chunk = out.slice(before);
    await writeAndWait(screen, chunk);
    return chunk;
  };
  return { screen, c, flush, all: () => out };
}

describe('compositor', () => {
  it('draws the chrome and places a pane terminal inside its rectangle', async () => {
    const r = await rig();
    await r.c.setChrome(['header line', '╭────────────╮', '│            │', '│            │', '╰────────────╯'].join('\n'));
    const pane = createHeadlessTerminal(12, 2, 0).term;
    await writeAndWait(pane, '\x1b[31mred\x1b[0m out\r\nline 2');
    r.c.setPanes([{ id: 'a', rect: { x: 1, y: 2, w: 12, h: 2 }, term: pane }]);
    await r.flush();
    const lines = screenLines(r.screen);
    expect(lines.slice(0, 5)).toEqual(['header line', '╭────────────╮', '│red out     │', '│line 2      │', '╰────────────╯']);
    const cell = r.screen.buffer.active.getLine(2)!.getCell(1)!;
    expect(cell.getChars()).toBe('r');
    expect(cell.isFgPalette()).toBe(true);
    expect(cell.getFgColor()).toBe(1); // red survived as a colour, drawn by SGR
  });

  it('a second frame writes only the cells that changed', async () => {
    const r = await rig();
    const pane = createHeadlessTerminal(20, 3, 0).term;
    await writeAndWait(pane, 'aaaa\r\nbbbb\r\ncccc');
    await r.c.setChrome('title');
    r.c.setPanes([{ id: 'a', rect: { x: 0, y: 2, w: 20, h: 3 }, term: pane }]);
    await r.flush();
    const written = r.c.stats.cellsWritten;
    await writeAndWait(pane, '\x1b[2;2HX');
    r.c.paneChanged('a');
    await r.flush();
    expect(r.c.stats.cellsWritten - written).toBe(1);
    expect(screenLines(r.screen)[3]).toBe('bXbb');
    // nothing changed: nothing is written
    r.c.paneChanged('a');
    const bytes = r.all().length;
    r.c.flush();
    expect(r.all().length).toBe(bytes);
  });

  it('pane output cannot reach the terminal as a control sequence (title, palette, cursor, clear)', async () => {
    const r = await rig();
    let titled = '';
    r.screen.onTitleChange((t) => { titled = t; });
    const pane = createHeadlessTerminal(30, 4, 0).term;
    await writeAndWait(pane, 'safe\x1b]0;pwned\x07\x1b]4;1;rgb:ff/00/00\x07\x1b[2J\x1b[H\x1b[6nafter\x1b[?1049h');
    r.c.setPanes([{ id: 'a', rect: { x: 2, y: 1, w: 30, h: 4 }, term: pane }]);
    await r.c.setChrome('top');
    const chunk = await r.flush();
    expect(foreignSequences(chunk)).toEqual([]);
    expect(titled).toBe('');
    expect(screenLines(r.screen)[0]).toBe('top');
  });

  it('occluders (a modal over the grid) hide the pane cells under them', async () => {
    const r = await rig(20, 4);
    const pane = createHeadlessTerminal(20, 4, 0).term;
    await writeAndWait(pane, 'PPPPPPPPPPPPPPPPPPPP\r\nPPPPPPPPPPPPPPPPPPPP');
    await r.c.setChrome(['', '     [modal]'].join('\n'));
    r.c.setPanes([{ id: 'a', rect: { x: 0, y: 0, w: 20, h: 4 }, term: pane }]);
    r.c.setOccluders([{ x: 5, y: 1, w: 7, h: 1 }]);
    await r.flush();
    expect(screenLines(r.screen).slice(0, 2)).toEqual(['PPPPPPPPPPPPPPPPPPPP', 'PPPPP[modal]PPPPPPPP']);
    r.c.setOccluders([]);
    await r.flush();
    expect(screenLines(r.screen)[1]).toBe('PPPPPPPPPPPPPPPPPPPP');
  });

  it('wide characters take two cells and do not spill out of their layer', async () => {
    const r = await rig(12, 3);
    await r.c.setChrome('日本語 ok');
    const pane = createHeadlessTerminal(3, 1, 0).term;
    await writeAndWait(pane, 'a日');
    r.c.setPanes([{ id: 'a', rect: { x: 0, y: 2, w: 2, h: 1 }, term: pane }]);
    await r.flush();
    const lines = screenLines(r.screen);
    expect(lines[0]).toBe('日本語 ok');
    expect(lines[2]).toBe('a'); // the wide char would cross the pane's edge: left blank
  });

  it('colour off (NO_COLOR) keeps bold and inverse but writes no colour codes', async () => {
    const screen = createHeadlessTerminal(20, 2, 0).term;
    let out = '';
    const c = new Compositor({ cols: 20, rows: 2, write: (s) => { out += s; }, color: false });
    await c.setChrome('\x1b[1;31mbold red\x1b[0m \x1b[7minv\x1b[0m');
    c.flush();
    await writeAndWait(screen, out);
    expect(out).not.toMatch(/\x1b\[[\d;]*3[0-7][;m]/);
    const b = screen.buffer.active.getLine(0)!.getCell(0)!;
    expect(b.isBold()).toBeTruthy();
    expect(b.isFgDefault()).toBe(true);
    expect(screen.buffer.active.getLine(0)!.getCell(9)!.isInverse()).toBeTruthy();
  });

  it('resize redraws everything at the new size', async () => {
    const r = await rig(20, 4);
    await r.c.setChrome('abc');
    await r.flush();
    r.c.resize(30, 5);
    r.screen.resize(30, 5);
    await r.c.setChrome('abc\nsecond');
    await r.flush();
    expect(screenLines(r.screen).slice(0, 2)).toEqual(['abc', 'second']);
  });
});
