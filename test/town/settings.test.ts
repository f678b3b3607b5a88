import { describe, expect, it } from 'vitest';
import { validateCrewName, validatePrefix, validateRigName, sanitizeName } from '../../src/core/town/names.js';
import {
  RigSettingsSchema, TownSettingsSchema, defaultRigSettings, defaultTownSettings, flattenSettings, getSetting,
  parseRigSettings, parseTownJson, parseTownSettings, setSetting, settingKeys, unsetSetting,
} from '../../src/core/town/settings.js';
import { thrown } from '../helpers/errors.js';

const FILE = '/town/settings/config.json';


describe('town settings files', () => {
  it('fills in every default from an empty object', () => {
    expect(parseTownSettings('{}', FILE)).toEqual({
      type: 'town-settings',
      version: 1,
      default_agent: 'claude',
      agent_email_domain: 'gastown.local',
      theme: 'dark',
      ledger: { auto_export: true, export_debounce_ms: 1500, auto_commit: true },
      agents: {},
      agent_status: { quiet_ms: 2000, stuck_ms: 600_000, startup_ms: 60_000 },
      sessions: { cols: 120, rows: 40, scrollback: 10_000, record: true },
      escalation: {
        routes: { critical: ['mayor', 'overseer'], high: ['mayor', 'overseer'], medium: ['mayor', 'overseer'], low: ['mayor'] },
        reescalate_ms: { critical: 300_000, high: 900_000, medium: 3_600_000, low: 14_400_000 },
      },
      witness: { waiting_ms: 120_000, stuck_nudge_wait_ms: 120_000, stuck_handoff_wait_ms: 300_000, max_restarts: 3, enabled: true },
      scheduler: { max_polecats: -1, paused: false },
      tui: { keys: {}, leave_chord: 'ctrl+q', panes: 4, fps: 20 },
    });
    expect(defaultTownSettings()).toEqual(parseTownSettings('{}', FILE));
  });

  it.each([
    ['partial ledger keeps other defaults', '{"ledger":{"auto_commit":false}}', (s: ReturnType<typeof defaultTownSettings>) => s.ledger.auto_commit === false && s.ledger.export_debounce_ms === 1500],
    ['remote is optional', '{"ledger":{"remote":"origin"}}', (s: ReturnType<typeof defaultTownSettings>) => s.ledger.remote === 'origin'],
    ['BOM is ignored', '\uFEFF{"theme":"light"}', (s: ReturnType<typeof defaultTownSettings>) => s.theme === 'light'],
    ['debounce 0 is allowed', '{"ledger":{"export_debounce_ms":0}}', (s: ReturnType<typeof defaultTownSettings>) => s.ledger.export_debounce_ms === 0],
  ])('valid: %s', (_name, text, check) => {
    expect(check(parseTownSettings(text, FILE))).toBe(true);
  });

  it.each([
    ['unknown top-level key', '{"themes":"dark"}', 'themes', /unknown key "themes"/, /did you mean "theme"/],
    ['unknown nested key', '{"ledger":{"auto_exprt":true}}', 'ledger.auto_exprt', /unknown key/, /did you mean "ledger.auto_export"/],
    ['wrong type', '{"ledger":{"auto_export":"yes"}}', 'ledger.auto_export', /expected boolean, got "yes"/, /remove it to use its default/],
    ['not an integer', '{"ledger":{"export_debounce_ms":1.5}}', 'ledger.export_debounce_ms', /int/i, /correct/],
    ['out of range', '{"ledger":{"export_debounce_ms":600001}}', 'ledger.export_debounce_ms', /600000/, /correct/],
    ['negative', '{"ledger":{"export_debounce_ms":-1}}', 'ledger.export_debounce_ms', />=0/, /correct/],
    ['wrong file type', '{"type":"rig-settings"}', 'type', /town-settings/, /correct "type"/],
    ['top level not an object', '[]', '(top level)', /expected object, got an array/, /correct/],
  ])('invalid: %s', (_name, text, key, what, fix) => {
    const e = thrown(() => parseTownSettings(text, FILE));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(FILE);
    expect(e.message).toContain(key);
    expect(e.message).toMatch(what);
    expect(e.fix).toMatch(fix);
    expect(e.details.key).toBe(key);
  });

  it.each([
    ['missing value', '{"theme": }', 1, 11],
    ['trailing comma', '{\n  "theme": "dark",\n}', 3, 1],
    ['missing comma on line 3', '{\n  "theme": "dark"\n  "default_agent": "codex"\n}', 3, 3],
    ['truncated file', '{"ledger": {', 1, 13],
    ['single quotes', "{'theme': 'x'}", 1, 2],
    ['trailing garbage', '{} x', 1, 4],
  ])('invalid JSON names the line and column: %s', (_name, text, line, column) => {
    const e = thrown(() => parseTownSettings(text, FILE));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`${FILE}: invalid JSON at line ${line}, column ${column}`);
    expect(e.message).not.toMatch(/position \d/);
    expect(e.details).toMatchObject({ file: FILE, line, column });
    expect(e.fix).toMatch(/JSON syntax/);
  });

  it('reports how many more problems there are', () => {
    const e = thrown(() => parseTownSettings('{"theme":1,"default_agent":2}', FILE));
    expect(e.message).toMatch(/and 1 more problem/);
    expect((e.details.issues as unknown[]).length).toBe(2);
  });
});

describe('town.json', () => {
  const good = { type: 'town', version: 1, name: 'gt', owner: 'me@example.com', created_at: '2026-01-01T00:00:00.000Z', prefix: 'hq' };
  it('parses a valid file', () => {
    expect(parseTownJson(JSON.stringify(good), '/t/town.json')).toEqual(good);
  });
  it.each([
    ['missing owner', { ...good, owner: undefined }, 'owner', /required/],
    ['wrong prefix', { ...good, prefix: 'gt' }, 'prefix', /hq/],
    ['extra key', { ...good, color: 'red' }, 'color', /unknown key/],
  ])('rejects %s', (_name, value, key, what) => {
    const e = thrown(() => parseTownJson(JSON.stringify(value), '/t/town.json'));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`/t/town.json: ${key}`);
    expect(e.message).toMatch(what);
  });
});

describe('rig settings', () => {
  it('has merge-queue defaults', () => {
    expect(defaultRigSettings()).toEqual({ type: 'rig-settings', version: 1, merge_queue: { enabled: true, batch_size: 4, gates: {}, push_remote: '', retry_flaky: 1, poll_ms: 2000, delete_merged_branches: true }, scheduler: { max_polecats: -1 } });
  });
  it('fills gate defaults and validates phases', () => {
    const s = parseRigSettings('{"merge_queue":{"gates":{"unit":{"cmd":"npm test"}}}}', FILE);
    expect(s.merge_queue.gates.unit).toEqual({ cmd: 'npm test', timeout_ms: 600_000, phase: 'test' });
    const e = thrown(() => parseRigSettings('{"merge_queue":{"gates":{"unit":{"cmd":"x","phase":"deploy"}}}}', FILE));
    expect(e.message).toContain('merge_queue.gates.unit.phase');
    const e2 = thrown(() => parseRigSettings('{"merge_queue":{"gates":{"unit":{}}}}', FILE));
    expect(e2.message).toMatch(/merge_queue.gates.unit.cmd: is required/);
    expect(e2.fix).not.toMatch(/default/);
  });
  it('accepts namepool and setup_command', () => {
    const s = parseRigSettings('{"namepool":{"style":"mad-max","names":["furiosa"]},"setup_command":"npm ci","agent":"codex"}', FILE);
    expect(s.namepool).toEqual({ style: 'mad-max', names: ['furiosa'] });
    expect(s.setup_command).toBe('npm ci');
  });
});

describe('dotted keys', () => {
  const town = defaultTownSettings();

  it.each([
    ['theme', 'dark'],
    ['ledger.export_debounce_ms', 1500],
    ['ledger', town.ledger],
    ['ledger.remote', undefined],
  ])('get %s', (key, value) => {
    expect(getSetting(TownSettingsSchema, town, key)).toEqual(value);
  });

  it.each([
    ['ledger.export_debounce_ms', '2500', 2500],
    ['ledger.auto_export', 'false', false],
    ['theme', 'light', 'light'],
    ['default_agent', '42', '42'], // a string key keeps the text
    ['ledger.remote', 'origin', 'origin'],
    ['ledger', '{"auto_commit":false}', { auto_export: true, export_debounce_ms: 1500, auto_commit: false }],
  ])('set %s %s', (key, raw, value) => {
    const next = setSetting(TownSettingsSchema, town, key, raw, FILE);
    expect(getSetting(TownSettingsSchema, next, key)).toEqual(value);
    expect(town.theme).toBe('dark'); // input unchanged
  });

  it.each([
    ['ledger.export_debounce_ms', 'soon', /expected number, got "soon"/],
    ['ledger.export_debounce_ms', '-5', />=0/],
    ['ledger.auto_export', '"yes"', /expected boolean/],
    ['type', 'rig-settings', /town-settings/],
  ])('set %s %s is refused', (key, raw, what) => {
    const e = thrown(() => setSetting(TownSettingsSchema, town, key, raw, FILE));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`cannot set ${key}`);
    expect(e.message).toMatch(what);
    expect(e.fix).toContain('was not changed');
  });

  it.each([
    ['ledger.export_debounce', ['ledger.export_debounce_ms']],
    ['them', ['theme']],
    ['ledgr.auto_export', ['ledger.auto_export']],
    ['defualt_agent', ['default_agent']],
  ])('unknown key %s gives CONFIG_KEY with close matches', (key, near) => {
    for (const op of [
      () => getSetting(TownSettingsSchema, town, key),
      () => setSetting(TownSettingsSchema, town, key, '1', FILE),
      () => unsetSetting(TownSettingsSchema, town, key, FILE),
    ]) {
      const e = thrown(op);
      expect(e.code).toBe('CONFIG_KEY');
      expect(e.message).toContain(`unknown setting "${key}"`);
      for (const n of near) expect(e.details.candidates).toContain(n);
      expect(e.fix).toContain('valid keys: default_agent, agent_email_domain, theme, ledger.auto_export');
      expect(e.fix).not.toMatch(/valid keys:.* ledger,/);
    }
  });

  it('unset restores the default', () => {
    const changed = setSetting(TownSettingsSchema, town, 'ledger.export_debounce_ms', '99', FILE);
    const back = unsetSetting(TownSettingsSchema, changed, 'ledger.export_debounce_ms', FILE);
    expect(back.ledger.export_debounce_ms).toBe(1500);
    expect(unsetSetting(TownSettingsSchema, changed, 'ledger', FILE).ledger).toEqual(town.ledger);
  });

  it('sets, reads and removes record entries (gates)', () => {
    const rig = defaultRigSettings();
    const a = setSetting(RigSettingsSchema, rig, 'merge_queue.gates.lint', '{"cmd":"npm run lint","phase":"lint"}', FILE);
    expect(getSetting(RigSettingsSchema, a, 'merge_queue.gates.lint.phase')).toBe('lint');
    const b = setSetting(RigSettingsSchema, a, 'merge_queue.gates.lint.timeout_ms', '1000', FILE);
    expect(b.merge_queue.gates.lint!.timeout_ms).toBe(1000);
    const c = setSetting(RigSettingsSchema, b, 'merge_queue.gates.unit.cmd', 'npm test', FILE);
    expect(c.merge_queue.gates.unit).toEqual({ cmd: 'npm test', timeout_ms: 600_000, phase: 'test' });
    expect(Object.keys(unsetSetting(RigSettingsSchema, c, 'merge_queue.gates.lint', FILE).merge_queue.gates)).toEqual(['unit']);
    const e = thrown(() => unsetSetting(RigSettingsSchema, c, 'merge_queue.gates.unit.cmd', FILE));
    expect(e.code).toBe('CONFIG_INVALID');
    const k = thrown(() => getSetting(RigSettingsSchema, c, 'merge_queue.gates.unit.command'));
    expect(k.code).toBe('CONFIG_KEY');
    expect(k.details.candidates).toContain('merge_queue.gates.unit.cmd');
  });

  it('lists keys and flattens values', () => {
    expect(settingKeys(RigSettingsSchema)).toContain('merge_queue.gates.<name>.cmd');
    expect(flattenSettings(defaultRigSettings())).toEqual([
      ['type', 'rig-settings'], ['version', 1], ['merge_queue.enabled', true], ['merge_queue.batch_size', 4], ['merge_queue.gates', {}], ['merge_queue.push_remote', ''], ['merge_queue.retry_flaky', 1], ['merge_queue.poll_ms', 2000], ['merge_queue.delete_merged_branches', true], ['scheduler.max_polecats', -1],
    ]);
  });
});

describe('names', () => {
  it.each(['gastown', 'my_app', 'App2', '9lives'])('rig name %s is valid', (n) => {
    expect(validateRigName(n)).toBe(n);
  });
  it.each([
    ['my-app', /contains "-"/, 'my_app'],
    ['a.b', /contains "\."/, 'a_b'],
    ['a/b', /contains "\/"/, 'a_b'],
    ['my app', /contains space/, 'my_app'],
    ['settings', /reserved/, 'settings_2'],
    ['Logs', /reserved/, 'Logs_2'],
    ['.beads', /contains "\."/, 'beads'],
    ['_x', /must start/, 'x'],
    ['', /empty/, 'rig'],
  ])('rig name %j is refused', (n, what, suggestion) => {
    const e = thrown(() => validateRigName(n));
    expect(e.code).toBe('RIG_INVALID');
    expect(e.message).toMatch(what);
    expect(e.fix).toContain(`"${suggestion}"`);
    expect(sanitizeName(n)).toBe(suggestion.replace(/_2$/, ''));
  });
  it('crew names are usage errors', () => {
    expect(validateCrewName('alice')).toBe('alice');
    const e = thrown(() => validateCrewName('al-ice'));
    expect(e.code).toBe('USAGE');
    expect(e.exitCode).toBe(2);
  });
  it.each([['gt', 'gt'], ['gt-', 'gt'], ['abc12345', 'abc12345']])('prefix %s is valid', (p, want) => {
    expect(validatePrefix(p)).toBe(want);
  });
  it.each([['hq', /town ledger/], ['a', /2 to 8/], ['ABC', /lowercase/], ['abcdefghi', /2 to 8/], ['a_b', /lowercase/]])('prefix %s is refused', (p, what) => {
    const e = thrown(() => validatePrefix(p));
    expect(e.code).toBe('RIG_INVALID');
    expect(e.message).toMatch(what);
    expect(e.fix).toMatch(/--prefix/);
  });
});
