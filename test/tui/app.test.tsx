/**
 * The TUI's components and controller, rendered with ink-testing-library on fresh stores:
 * keys are written to stdin and the frame is read back (CONVENTIONS.md Tests).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/tui/keys/commands.js';
import { renderApp, sampleView, type AppRig } from './helpers.js';

let app: AppRig | undefined;
afterEach(() => { app?.unmount(); app = undefined; });

describe('screen', () => {
  it('shows the header counts, the tree with glyph and word, ready beads, mail and the hint bar', async () => {
    app = await renderApp();
    const f = app.frame();
    expect(f).toContain('Gas Town · demo');
    expect(f).toContain('●1 working');
    expect(f).toContain('✕1 stuck');
    expect(f).toContain('mail 1 unread');
    expect(f).toContain('escalations 1 high');
    expect(f).toContain('● nux working ap-1');
    expect(f).toContain('✕ slit exited ap-2');
    expect(f).toContain('█████░░░░░'.slice(0, 4)); // convoy progress bar
    expect(f).toContain('1/2 Ship');
    expect(f).toContain('P1 ap-3 Add a flag');
    expect(f).toContain('? help');
    expect(f).toContain('q quit');
  });

  it('an agent working a molecule shows its step and progress in the tree and its pane', async () => {
    app = await renderApp({ town: { view: sampleView({ molecules: { 'app/polecats/nux': { id: 'ap-1', done: 2, total: 5, current: 'bump' } } }) }, ui: { zoom: true } });
    expect(app.frame()).toContain('● nux working 2/5 a…'); // the tree is narrow at 100 columns
    expect(app.frame()).toContain('· ap-1 · bump 2/5');
  });

  it('a pane of a dead session shows its exit reason and code', async () => {
    app = await renderApp({ ui: { agent: 'app/polecats/slit', zoom: true } });
    expect(app.frame()).toContain('✕ session exited: killed by SIGKILL (code 137)');
    expect(app.frame()).toContain('its work stays hooked (ap-2)');
  });

  it('a terminal smaller than 80x24 says so instead of drawing', async () => {
    app = await renderApp({ ui: { cols: 70, rows: 20 } });
    expect(app.frame()).toContain('enlarge to 80x24');
    expect(app.frame()).toContain('this terminal is 70x20');
    expect(app.frame()).not.toContain('1 Town');
  });

  it('an unreachable daemon shows a banner with the reason and the retry', async () => {
    app = await renderApp({ town: { daemon: { state: 'down', reason: 'connect ENOENT /town/daemon/daemon.sock', retryAt: Date.now() + 3_000 } } });
    expect(app.frame()).toMatch(/daemon unreachable: connect ENOENT \/town\/daemon\/daemon\.sock · retrying in \ds/);
    expect(app.frame()).toContain('the daemon is unreachable; retrying');
  });

  it('NO_COLOR draws without colour codes and keeps glyphs and words', async () => {
    const prev = process.env.NO_COLOR;
    app = await renderApp({ theme: 'dark' });
    const coloured = app.rawFrame();
    app.unmount();
    process.env.NO_COLOR = '1';
    try {
      const { loadTheme } = await import('../../src/tui/theme.js');
      expect(loadTheme('dark').color).toBe(false);
    } finally {
      if (prev === undefined) delete process.env.NO_COLOR; else process.env.NO_COLOR = prev;
    }
    expect(coloured).toContain('● nux working');
  });
});

describe('keys', () => {
  it('? opens the help overlay generated from the command table, ? closes it', async () => {
    app = await renderApp({ ui: { rows: 60 } });
    await app.press('?');
    const f = app.frame();
    expect(f).toContain('Gas Town keys');
    for (const c of COMMANDS.filter((x) => !/\d$/.test(x.id)).slice(0, 12)) expect(f).toContain(c.label);
    await app.press('?');
    expect(app.frame()).not.toContain('Gas Town keys');
  });

  it('Tab and digits move focus; j/k move the selection', async () => {
    app = await renderApp();
    await app.press('2');
    expect(app.stores.ui.getState().focus).toBe('ready');
    await app.press('j');
    expect(app.stores.ui.getState().selected.ready).toBe(1);
    await app.press('k', 'k');
    expect(app.stores.ui.getState().selected.ready).toBe(0);
    await app.press('\t');
    expect(app.stores.ui.getState().focus).toBe('panes');
    await app.press('\x1b[Z');
    expect(app.stores.ui.getState().focus).toBe('ready');
  });

  it('in the ready list a digit slings the selected bead to rig N; a missing rig says why', async () => {
    app = await renderApp({ ui: { focus: 'ready' } });
    await app.press('j', '1');
    expect(app.ran).toEqual([['sling', 'ap-4', 'app']]);
    await app.press('2');
    expect(app.ran).toHaveLength(1);
    expect(app.frame()).toContain('to rig 2: there is no rig 2 (rigs: 1 app)');
  });

  it('S slings the top ready bead to an idle polecat of its rig, else to the rig', async () => {
    const view = sampleView();
    view.rigs[0]!.agents.push({ ...view.rigs[0]!.agents[0]!, address: 'app/polecats/idle1', name: 'idle1', hook_bead: '', state: 'idle' });
    app = await renderApp({ town: { view } });
    await app.press('S');
    expect(app.ran).toEqual([['sling', 'ap-3', 'app/polecats/idle1']]);
  });

  it('s opens the sling picker; Enter slings to the chosen target', async () => {
    app = await renderApp({ ui: { focus: 'ready' } });
    await app.press('s');
    expect(app.frame()).toContain('Sling ap-3');
    expect(app.frame()).toContain('rig app (an idle or new polecat)');
    await app.press('j', '\r');
    expect(app.ran[0]).toEqual(['sling', 'ap-3', 'mayor']);
    expect(app.stores.ui.getState().modal).toBeUndefined();
  });

  it('a disabled key says why instead of doing nothing', async () => {
    app = await renderApp({ town: { view: sampleView({ ready: [] }) }, ui: { focus: 'ready' } });
    await app.press('s');
    expect(app.frame()).toContain('sling: select a bead in Ready (2) first');
    expect(app.ran).toEqual([]);
  });

  it('/ filters the focused list; Esc clears it', async () => {
    app = await renderApp({ ui: { focus: 'ready' } });
    await app.press('/', 'd', 'o', 'c');
    expect(app.frame()).toContain('Write docs');
    expect(app.frame()).not.toContain('Add a flag');
    await app.press('\r');
    expect(app.stores.ui.getState().filter).toMatchObject({ area: 'ready', text: 'doc', editing: false });
    await app.press('/', '\x1b');
    expect(app.frame()).toContain('Add a flag');
  });

  it('n opens the new-bead form; typing and Enter through the fields creates it', async () => {
    app = await renderApp();
    await app.press('n');
    expect(app.frame()).toContain('New bead');
    await app.press('F', 'i', 'x', ' ', 'i', 't', '\r', '\r', '\x1b[C', '\r', '\r');
    expect(app.ran).toEqual([['bd', 'create', 'Fix it', '--rig', 'app', '-p', 'P3', '-t', 'task', '--silent']]);
  });

  it('Enter in Mail opens the message (marking it read), r replies, Esc closes', async () => {
    app = await renderApp({ ui: { focus: 'mail', tab: 'mail', rows: 40 } });
    await app.press('\r');
    expect(app.frame()).toContain('Subject: ready for review');
    expect(app.frame()).toContain('please look at ap-1');
    expect(app.ran).toEqual([['mail', 'read', 'hq-m1']]);
    await app.press('r', 'o', 'k', '\x13');
    expect(app.ran[1]).toEqual(['mail', 'reply', 'hq-m1', '-m', 'ok', '--from', 'overseer']);
  });

  it('a acknowledges the selected escalation; Enter jumps to its agent', async () => {
    app = await renderApp({ ui: { focus: 'escalations', tab: 'escalations', agent: 'app/polecats/slit' } });
    expect(app.frame()).toContain('HIGH');
    expect(app.frame()).toContain('Should --name accept ""?');
    await app.press('a');
    expect(app.ran).toEqual([['escalate', 'ack', 'hq-e1']]);
    await app.press('\r');
    expect(app.stores.ui.getState()).toMatchObject({ agent: 'app/polecats/nux', focus: 'panes' });
  });

  it('Enter on a pane enters it: keys go to the agent until Ctrl-Q; the leave chord is not sent', async () => {
    app = await renderApp({ ui: { focus: 'panes' } });
    await app.press('\r');
    expect(app.stores.ui.getState().entered).toBe('app/polecats/nux');
    await app.press('q', 'hi\r', 'x\x11y');
    expect(app.typed).toEqual([['app/polecats/nux', 'q'], ['app/polecats/nux', 'hi\r'], ['app/polecats/nux', 'x']]);
    expect(app.stores.ui.getState().entered).toBeUndefined();
    expect(app.quit.called).toBe(false);
    await app.press('q');
    expect(app.quit.called).toBe(true);
  });

  it('a pane of an exited session cannot be entered, and says why', async () => {
    app = await renderApp({ ui: { focus: 'panes', agent: 'app/polecats/slit' } });
    await app.press('\r');
    expect(app.stores.ui.getState().entered).toBeUndefined();
    expect(app.frame()).toContain('enter pane: app/polecats/slit has no running session (killed by SIGKILL)');
  });

  it('K asks before nuking, and nukes keeping the work', async () => {
    app = await renderApp();
    await app.press('K');
    expect(app.frame()).toContain('Nuke app/polecats/nux');
    expect(app.ran).toEqual([]);
    await app.press('\r');
    expect(app.ran).toEqual([['polecat', 'nuke', 'app/polecats/nux', '--force']]);
  });

  it('a failed command shows its error line once on the message line', async () => {
    app = await renderApp({ result: { code: 1, out: '', err: 'error: ap-3 is already hooked by app/polecats/nux — unsling it first\n' }, ui: { focus: 'ready' } });
    await app.press('1');
    await new Promise((r) => setTimeout(r, 10));
    await app.press();
    expect(app.frame()).toContain('✕ ap-3 is already hooked by app/polecats/nux — unsling it first');
  });

  it('M opens the Mayor: starts it when it has no session, then shows its pane zoomed', async () => {
    app = await renderApp();
    await app.press('M');
    await new Promise((r) => setTimeout(r, 5));
    expect(app.ran).toEqual([['mayor', 'start']]);
    expect(app.stores.ui.getState()).toMatchObject({ agent: 'mayor', focus: 'panes', zoom: true });
  });

  it('every command of the table has a handler (modal commands are handled by the dialogs)', async () => {
    app = await renderApp();
    const handled = new Set(app.controller.handledIds());
    const missing = COMMANDS.filter((c) => c.scope !== 'modal' && !handled.has(c.id)).map((c) => c.id);
    expect(missing).toEqual([]);
  });
});
