import { describe, expect, it } from 'vitest';
import { COMMANDS, DEFAULT_LEAVE_CHORD, SCOPES, type CommandSpec } from '../../src/tui/keys/commands.js';
import { displayKey, helpRows, hintBar, keyReferenceMarkdown } from '../../src/tui/keys/help.js';
import { buildKeymap, findConflicts, normalizeKey, resolveKey } from '../../src/tui/keys/keymap.js';
import { TownSettingsSchema, defaultTownSettings, getSetting, setSetting } from '../../src/core/town/settings.js';
import { thrown } from '../helpers/errors.js';

const cmd = (id: string, keys: string[], scope: CommandSpec['scope'], extra: Partial<CommandSpec> = {}): CommandSpec => ({
  id, keys, scope, label: id, description: `does ${id}`, category: 'App', ...extra,
});

describe('the shipped command table', () => {
  it('has no key conflicts', () => {
    expect(findConflicts(COMMANDS)).toEqual([]);
    expect(buildKeymap(COMMANDS).errors).toEqual([]);
  });

  it('has unique domain.verb ids, each with a label, a description and canonical keys', () => {
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of COMMANDS) {
      expect(c.id).toMatch(/^[a-z]+\.[a-zA-Z0-9]+$/);
      expect(c.label.trim()).not.toBe('');
      expect(c.description.trim()).toMatch(/\.$/);
      expect(SCOPES).toContain(c.scope);
      for (const k of c.keys) expect(normalizeKey(k)).toBe(k);
    }
  });

  it.each([
    ['app.help', ['?']], ['app.quit', ['q']], ['app.mayor', ['M']], ['focus.next', ['tab']], ['focus.prev', ['shift+tab']],
    ['focus.1', ['1']], ['focus.9', ['9']], ['sling.toRig1', ['1']], ['sling.toRig9', ['9']], ['list.down', ['j', 'down']],
    ['list.up', ['k', 'up']], ['list.top', ['g', 'home']], ['list.bottom', ['G', 'end']], ['list.filter', ['/']],
    ['pane.enter', ['enter']], ['pane.zoom', ['z']], ['pane.grid', ['ctrl+g']], ['bead.new', ['n']], ['bead.sling', ['s']],
    ['bead.slingTop', ['S']], ['mail.compose', ['m']], ['mail.read', ['enter']], ['mail.reply', ['r']], ['mail.archive', ['e']],
    ['escalation.ack', ['a']], ['escalation.close', ['x']], ['escalation.jump', ['enter']], ['agent.nudge', ['N']],
    ['agent.handoff', ['H']], ['agent.nuke', ['K']], ['modal.confirm', ['enter']], ['modal.cancel', ['escape']],
    ['tab.next', [']']], ['tab.prev', ['[']],
  ])('%s defaults to %j', (id, keys) => {
    expect(buildKeymap(COMMANDS).keysOf(id)).toEqual(keys);
  });

  it('puts 8 to 10 commands in the hint bar and keeps the leave chord out of the table', () => {
    const bar = COMMANDS.filter((c) => c.bar).length;
    expect(bar).toBeGreaterThanOrEqual(8);
    expect(bar).toBeLessThanOrEqual(10);
    expect(DEFAULT_LEAVE_CHORD).toBe('ctrl+q');
    expect(COMMANDS.filter((c) => c.keys.includes(DEFAULT_LEAVE_CHORD) || c.scope === 'entered')).toEqual([]);
  });
});

describe('findConflicts', () => {
  it.each<[string, CommandSpec[], RegExp[]]>([
    ['same key twice in one scope', [cmd('a.one', ['x'], 'mail'), cmd('a.two', ['x'], 'mail')], [/"x" is bound to both a\.one and a\.two in scope mail/]],
    ['spellings that normalize alike', [cmd('a.one', ['shift+s'], 'global'), cmd('a.two', ['S'], 'global')], [/"S" is bound to both/]],
    ['a pane reusing a global key without shadows', [cmd('a.one', ['x'], 'global'), cmd('a.two', ['x'], 'tree')], [/a\.two in scope tree, a\.one in scope global.*shadows/]],
    ['shadows naming a different command', [cmd('a.one', ['x'], 'global'), cmd('a.two', ['x'], 'tree', { shadows: ['a.three'] })], [/a\.three", which is not a global command/, /bound to both a\.one and a\.two/]],
    ['duplicate ids', [cmd('a.one', ['x'], 'global'), cmd('a.one', ['y'], 'global')], [/a\.one is used twice/]],
    ['an invalid key', [cmd('a.one', ['ctrl+nope'], 'global')], [/a\.one: unknown key name "ctrl\+nope"/]],
    ['conflicts inside the modal scope', [cmd('a.one', ['enter'], 'modal'), cmd('a.two', ['enter'], 'modal')], [/scope modal/]],
  ])('reports %s', (_name, table, expected) => {
    const found = findConflicts(table);
    expect(found).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(found[i]).toMatch(re));
  });

  it.each<[string, CommandSpec[]]>([
    ['a declared shadow', [cmd('a.one', ['x'], 'global'), cmd('a.two', ['x'], 'tree', { shadows: ['a.one'] })]],
    ['the same key in two pane scopes', [cmd('a.one', ['x'], 'mail'), cmd('a.two', ['x'], 'tree')]],
    ['modal and entered against global', [cmd('a.one', ['x'], 'global'), cmd('a.two', ['x'], 'modal'), cmd('a.three', ['x'], 'entered')]],
  ])('allows %s', (_name, table) => {
    expect(findConflicts(table)).toEqual([]);
  });
});

describe('normalizeKey', () => {
  it.each([
    ['q', 'q'], ['S', 'S'], ['shift+s', 'S'], ['Shift+S', 'S'], ['?', '?'], ['/', '/'], ['[', '['], ['-', '-'], ['+', '+'],
    ['ctrl+q', 'ctrl+q'], ['Ctrl-Q', 'ctrl+q'], ['control+q', 'ctrl+q'], ['ctrl+shift+q', 'ctrl+shift+q'],
    ['shift+ctrl+Q', 'ctrl+shift+q'], ['alt+ctrl+x', 'ctrl+alt+x'], ['meta+x', 'alt+x'], ['alt+shift+x', 'alt+shift+x'],
    ['Enter', 'enter'], ['return', 'enter'], ['ESC', 'escape'], ['Tab', 'tab'], ['shift+tab', 'shift+tab'],
    ['Shift-Tab', 'shift+tab'], ['PgUp', 'pageup'], ['pagedown', 'pagedown'], ['F5', 'f5'], ['ctrl+F12', 'ctrl+f12'],
    ['space', 'space'], [' ', 'space'], ['ctrl+space', 'ctrl+space'], ['ctrl+]', 'ctrl+]'], ['ctrl++', 'ctrl++'],
    ['ctrl+alt+shift+up', 'ctrl+alt+shift+up'], ['  j  ', 'j'], ['é', 'é'],
  ])('%j → %j', (spec, expected) => {
    expect(normalizeKey(spec)).toBe(expected);
  });

  it.each([
    ['ctrl+foo', /unknown key name "ctrl\+foo"/, /f1|one of enter/],
    ['pagup', /unknown key name "pagup"/, /did you mean "pageup"/],
    ['hyper+x', /unknown key name/, /ctrl\+, alt\+ or shift\+/],
    ['', /empty key name/, /ctrl\+q/],
    ['shift+/', /cannot be written with shift/, /"\?"/],
    ['\x01', /not a printable character/, /ctrl\+q/],
  ])('%j is refused', (spec, message, fix) => {
    const e = thrown(() => normalizeKey(spec));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toMatch(message);
    expect(e.fix).toMatch(fix);
  });
});

describe('displayKey', () => {
  it.each([
    ['ctrl+q', 'Ctrl-Q'], ['shift+tab', 'Shift-Tab'], ['enter', 'Enter'], ['?', '?'], ['S', 'S'], ['j', 'j'],
    ['pageup', 'PageUp'], ['f5', 'F5'], ['ctrl+alt+shift+x', 'Ctrl-Alt-Shift-X'], ['ctrl+]', 'Ctrl-]'], ['space', 'Space'],
  ])('%s → %s', (key, shown) => {
    expect(displayKey(key)).toBe(shown);
    expect(normalizeKey(shown)).toBe(key);
  });
});

describe('buildKeymap overrides', () => {
  it('moves a command to the keys of a good override', () => {
    const km = buildKeymap(COMMANDS, { 'pane.grid': ['L', 'ctrl+l'], 'app.quit': 'Q' });
    expect(km.errors).toEqual([]);
    expect(km.keysOf('pane.grid')).toEqual(['L', 'ctrl+l']);
    expect(resolveKey(km, 'L', ['global'])).toBe('pane.grid');
    expect(resolveKey(km, 'ctrl+g', ['global'])).toBeUndefined();
    expect(resolveKey(km, 'q', ['global'])).toBeUndefined();
    expect(resolveKey(km, 'shift+q', ['global'])).toBe('app.quit');
  });

  it('allows swapping keys between two commands, and [] to unbind', () => {
    const km = buildKeymap(COMMANDS, { 'list.down': 'k', 'list.up': 'j', 'pane.zoom': [] });
    expect(km.errors).toEqual([]);
    expect(resolveKey(km, 'j', ['global'])).toBe('list.up');
    expect(resolveKey(km, 'k', ['global'])).toBe('list.down');
    expect(km.keysOf('pane.zoom')).toEqual([]);
    expect(resolveKey(km, 'z', ['panes', 'global'])).toBeUndefined();
  });

  it.each<[string, Record<string, string | string[]>, string, string[], RegExp[]]>([
    ['an unknown command id', { 'bead.nwe': 'x' }, 'bead.new', ['n'], [/no command "bead\.nwe"/, /did you mean "bead\.new"/, /ignored/]],
    ['an invalid key', { 'app.quit': 'ctrl+foo' }, 'app.quit', ['q'], [/"app\.quit"/, /"ctrl\+foo" is not a valid key/, /app\.quit keeps "q"/]],
    ['a non-string key', { 'app.quit': [7 as unknown as string] }, 'app.quit', ['q'], [/7 is not a key name/]],
    ['a conflict with a global key', { 'list.down': 'q' }, 'list.down', ['j', 'down'], [/"list\.down"/, /key "q" is already bound to app\.quit/, /keeps "j", "down"/, /pick another key/]],
    ['a pane key clashing with global', { 'mail.reply': '1' }, 'mail.reply', ['r'], [/"mail\.reply".*"1".*focus\.1 \(scope global\)/]],
    ['a global key clashing with a pane key', { 'app.help': 'z' }, 'app.help', ['?'], [/"app\.help".*"z".*pane\.zoom \(scope panes\)/]],
  ])('reports and ignores %s', (_name, overrides, id, kept, messages) => {
    const km = buildKeymap(COMMANDS, overrides);
    expect(km.errors).toHaveLength(1);
    for (const re of messages) expect(km.errors[0]).toMatch(re);
    expect(km.keysOf(id)).toEqual(kept);
    expect(findConflicts(COMMANDS.map((c) => ({ ...c, keys: km.keysOf(c.id) })))).toEqual([]);
  });

  it('ignores the later of two clashing overrides and reports errors in override order', () => {
    const km = buildKeymap(COMMANDS, { 'bead.new': 'b', 'mail.compose': 'b', 'nope.nope': 'x' });
    expect(km.errors).toHaveLength(2);
    expect(km.errors[0]).toMatch(/"mail\.compose".*"b".*bead\.new/);
    expect(km.errors[1]).toMatch(/nope\.nope/);
    expect(km.keysOf('bead.new')).toEqual(['b']);
    expect(km.keysOf('mail.compose')).toEqual(['m']);
  });
});

describe('resolveKey', () => {
  const km = buildKeymap(COMMANDS);
  it.each<[string, CommandSpec['scope'][], string | undefined]>([
    ['1', ['ready', 'global'], 'sling.toRig1'],
    ['9', ['ready', 'global'], 'sling.toRig9'],
    ['1', ['tree', 'global'], 'focus.1'],
    ['1', ['global'], 'focus.1'],
    ['enter', ['panes', 'global'], 'pane.enter'],
    ['enter', ['mail', 'global'], 'mail.read'],
    ['enter', ['escalations', 'global'], 'escalation.jump'],
    ['enter', ['global'], undefined],
    ['enter', ['modal'], 'modal.confirm'],
    ['escape', ['modal'], 'modal.cancel'],
    ['q', ['modal'], undefined],
    ['1', ['modal'], undefined],
    ['q', ['entered'], undefined],
    ['q', ['queue', 'global'], 'app.quit'],
    ['shift+s', ['ready', 'global'], 'bead.slingTop'],
    ['not a key!', ['global'], undefined],
  ])('%j in %j → %s', (key, scopes, id) => {
    expect(resolveKey(km, key, scopes)).toBe(id);
  });
});

describe('generated help', () => {
  const km = buildKeymap(COMMANDS);

  it('groups the ? overlay by category in a stable order, collapsing numbered runs', () => {
    const rows = helpRows(km, COMMANDS);
    const order = ['Navigation', 'Panes', 'Work', 'Mail', 'Escalations', 'Agents', 'App'];
    const cats = rows.map((r) => r.category);
    expect(cats).toEqual([...cats].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(rows.find((r) => r.id === 'list.down')).toMatchObject({ keys: 'j / Down', label: 'down', scope: 'global', category: 'Navigation' });
    expect(rows.find((r) => r.id === 'focus.1 … focus.9')).toMatchObject({ keys: '1…9', label: 'focus N', scope: 'global' });
    expect(rows.find((r) => r.id === 'sling.toRig1 … sling.toRig9')).toMatchObject({ keys: '1…9', label: 'to rig N', scope: 'ready', category: 'Work' });
    expect(rows.find((r) => r.id === 'sling.toRig1 … sling.toRig9')?.description).toMatch(/to rig N /);
    expect(helpRows(km, COMMANDS)).toEqual(rows);
  });

  it('shows overridden keys, and lists a broken numbered run key by key', () => {
    const rows = helpRows(buildKeymap(COMMANDS, { 'focus.3': 'f3', 'app.quit': 'ctrl+q', 'pane.zoom': [] }), COMMANDS);
    expect(rows.find((r) => r.id === 'focus.1 … focus.9')?.keys).toBe('1 2 F3 4 5 6 7 8 9');
    expect(rows.find((r) => r.id === 'app.quit')?.keys).toBe('Ctrl-Q');
    expect(rows.find((r) => r.id === 'pane.zoom')?.keys).toBe('(none)');
  });

  it.each<[CommandSpec['scope'][], string[]]>([
    [['ready', 'global'], ['s sling', 'Tab next area', 'S sling top', '? help', 'q quit']],
    [['panes', 'global'], ['Enter enter pane', 'Tab next area', 'S sling top', '? help', 'q quit']],
    [['escalations', 'global'], ['a ack', 'Tab next area', 'S sling top', '? help', 'q quit']],
    [['modal'], ['Enter confirm', 'Escape cancel']],
    [['entered'], []],
  ])('hint bar for %j', (scopes, hints) => {
    expect(hintBar(km, COMMANDS, scopes).map((h) => `${h.keys} ${h.label}`)).toEqual(hints);
  });

  it('leaves a hint out when a focused scope shadows its only key', () => {
    const table = [cmd('a.one', ['x'], 'global', { bar: true }), cmd('a.two', ['x'], 'tree', { shadows: ['a.one'] })];
    const k = buildKeymap(table);
    expect(hintBar(k, table, ['tree', 'global'])).toEqual([]);
    expect(hintBar(k, table, ['global'])).toEqual([{ keys: 'x', label: 'a.one' }]);
  });

  it('writes the README key table', () => {
    const md = keyReferenceMarkdown(km, COMMANDS);
    const lines = md.trimEnd().split('\n');
    expect(md.endsWith('\n')).toBe(true);
    expect(lines[0]).toBe('| keys | command | scope | what it does |');
    expect(lines[1]).toBe('| --- | --- | --- | --- |');
    expect(lines).toContain('| `j` / `Down` | `list.down` | global | Select the next item of the focused list. |');
    expect(lines).toContain("| `M` | `app.mayor` | global | Open the Mayor's pane. |");
    expect(lines.find((l) => l.includes('`sling.toRig1` … `sling.toRig9`'))).toMatch(/^\| `1`…`9` \| .* \| ready \| /);
    expect(lines).toHaveLength(2 + helpRows(km, COMMANDS).length);
    for (const l of lines) expect(l.match(/(?<!\\)\|/g)).toHaveLength(5);
  });

  it('escapes a pipe key and quotes a backtick key in markdown', () => {
    const table = [cmd('a.pipe', ['|'], 'global'), cmd('a.tick', ['`'], 'global')];
    const md = keyReferenceMarkdown(buildKeymap(table), table);
    expect(md).toContain('| `\\|` | `a.pipe` |');
    expect(md).toContain('| `` ` `` | `a.tick` |');
  });
});

describe('tui settings', () => {
  it('has defaults that build a clean keymap and a valid leave chord', () => {
    const { tui } = defaultTownSettings();
    expect(tui).toEqual({ keys: {}, leave_chord: DEFAULT_LEAVE_CHORD, panes: 4, fps: 20 });
    expect(buildKeymap(COMMANDS, tui.keys).errors).toEqual([]);
  });

  it.each([
    ['tui.panes', '6', 6], ['tui.fps', '60', 60], ['tui.leave_chord', 'ctrl+]', 'ctrl+]'],
    ['tui.keys', '{"app.quit":"Q","list.down":["j","n"]}', { 'app.quit': 'Q', 'list.down': ['j', 'n'] }],
  ])('gt config set %s %s', (key, raw, value) => {
    const next = setSetting(TownSettingsSchema, defaultTownSettings(), key, raw, 'settings/config.json');
    expect(getSetting(TownSettingsSchema, next, key)).toEqual(value);
  });

  it.each([['tui.panes', '5'], ['tui.fps', '0'], ['tui.fps', '61'], ['tui.keys', '{"app.quit":7}']])('refuses %s %s', (key, raw) => {
    expect(thrown(() => setSetting(TownSettingsSchema, defaultTownSettings(), key, raw, 'settings/config.json')).code).toBe('CONFIG_INVALID');
  });

  it('keeps a bad key name in tui.keys out of the settings check: buildKeymap reports it', () => {
    const next = setSetting(TownSettingsSchema, defaultTownSettings(), 'tui.keys', '{"app.quit":"ctrl+nope"}', 'settings/config.json');
    expect(buildKeymap(COMMANDS, next.tui.keys).errors).toEqual([expect.stringMatching(/"ctrl\+nope" is not a valid key/)]);
  });
});
