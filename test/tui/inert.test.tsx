/**
 * Bead titles, mail and names that contain terminal escape sequences are shown inert: through
 * the whole drawing path (Ink frame → compositor → terminal) such text can neither move the
 * cursor, nor change the window title or the palette, nor clear the screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inert } from '../../src/core/text.js';
import { Compositor } from '../../src/tui/render/compositor.js';
import { createHeadlessTerminal, screenLines, writeAndWait } from '../../src/sessions/screen.js';
import { agent, mail, renderApp, sampleView, type AppRig } from './helpers.js';

const EVIL = 'Evil \x1b]0;pwned\x07\x1b]4;1;rgb:ff/00/00\x07\x1b[2J\x1b[10;10H\x9b31m\x07 end';

let app: AppRig | undefined;
afterEach(() => { app?.unmount(); app = undefined; });

describe('inert text', () => {
  it('control characters become visible stand-ins', () => {
    expect(inert('a\x1b[2Jb\x07c\x9bd\x7fe')).toBe('a^[[2Jb^Gc\\u009bd^?e');
    expect(inert('one\ntwo\tthree')).toBe('one\ntwo\tthree');
    expect(inert('one\ntwo', { oneLine: true })).toBe('one two');
  });

  it('an escape-laden title, mail subject and agent name cannot act on the terminal', async () => {
    const view = sampleView({
      ready: [{ id: 'ap-9', title: EVIL, priority: 0, issue_type: 'bug' }],
      mail: [mail('hq-m9', `evil\x1b]0;x\x07`, EVIL)],
    });
    view.rigs[0]!.agents.push(agent('app', `bad\x1b[31mname`, { address: 'app/polecats/bad' }));
    app = await renderApp({ town: { view } });
    const frame = app.rawFrame();
    const screen = createHeadlessTerminal(100, 30, 0).term;
    let title = '';
    screen.onTitleChange((t) => { title = t; });
    let out = '';
    const c = new Compositor({ cols: 100, rows: 30, write: (s) => { out += s; } });
    await c.setChrome(frame);
    c.flush();
    await writeAndWait(screen, out);
    // only cursor positioning, SGR and the compositor's own modes were written
     
    const seqs = out.match(/\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07?|.)/g) ?? [];
     
    expect(seqs.filter((q) => !/^\x1b\[(\d+;\d+H|[\d;]*m|\?2026[hl]|\?25[hl])$/.test(q))).toEqual([]);
    expect(out).not.toContain('\x07');
    expect(out).not.toContain('\x9b');
    expect(title).toBe('');
    const text = screenLines(screen).join('\n');
    expect(text).toContain('Gas Town · demo'); // the header was not cleared away
    expect(text).toContain('Evil ^[]0;pwned^G');
    expect(text).toContain('bad^[[31mname');
  });
});
