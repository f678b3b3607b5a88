import { describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import {
  NAME_THEMES, RESERVED_POLECAT_NAMES, THEME_NAMES, addressFromTownPath, beadPrefix, keepBranch, parseAgentAddress,
  pickName, polecatBranch, polecatEmail, poolForRig, themeForRig,
} from '../../src/core/work/names.js';
import { primeJson, renderPrime, rulesFor, type PrimeContext } from '../../src/core/work/prime.js';

describe('name pools', () => {
  it('ships three themes of ~30 valid, unique, unreserved names', () => {
    expect(THEME_NAMES).toEqual(['mad-max', 'minerals', 'wasteland']);
    for (const names of Object.values(NAME_THEMES)) {
      expect(names.length).toBeGreaterThanOrEqual(30);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) {
        expect(n).toMatch(/^[a-z0-9_]+$/);
        expect(RESERVED_POLECAT_NAMES).not.toContain(n);
      }
    }
  });

  it('picks a theme per rig by a stable hash, unless settings say otherwise', () => {
    const seen = new Set(['alpha', 'beta', 'gamma', 'delta', 'demo', 'gastown', 'web', 'api'].map(themeForRig));
    expect(seen.size).toBeGreaterThan(1); // the hash spreads rigs over themes
    expect(themeForRig('demo')).toBe(themeForRig('demo'));
    expect(poolForRig('demo').theme).toBe(themeForRig('demo'));
    expect(poolForRig('demo', { style: 'minerals' })).toEqual({ theme: 'minerals', names: [...NAME_THEMES.minerals!] });
    expect(poolForRig('demo', { style: 'mine', names: ['a', 'witness', 'b', 'a'] })).toEqual({ theme: 'mine', names: ['a', 'b'] });
    expect(() => poolForRig('demo', { style: 'nope' })).toThrow(/unknown namepool.style "nope"/);
    expect(() => poolForRig('demo', { style: 'x', names: ['mayor'] })).toThrow(GtError);
  });

  it('hands out the first free name, then overflows in rounds', () => {
    const names = ['a', 'b', 'c'];
    expect(pickName(names, new Set())).toBe('a');
    expect(pickName(names, new Set(['a']))).toBe('b');
    expect(pickName(names, new Set(['a', 'b', 'c']))).toBe('a-2');
    expect(pickName(names, new Set(['a', 'b', 'c', 'a-2']))).toBe('b-2');
    expect(pickName(names, new Set(['a', 'b', 'c', 'a-2', 'b-2', 'c-2']))).toBe('a-3');
    expect(pickName(['crew', 'x'], new Set())).toBe('x');
    expect(() => pickName([], new Set())).toThrow(/empty/);
  });
});

describe('addresses', () => {
  it.each([
    ['demo/polecats/nux', { address: 'demo/polecats/nux', role: 'polecat', rig: 'demo', name: 'nux' }],
    ['demo/polecats/nux-2/', { address: 'demo/polecats/nux-2', role: 'polecat', rig: 'demo', name: 'nux-2' }],
    ['demo/crew/alice', { address: 'demo/crew/alice', role: 'crew', rig: 'demo', name: 'alice' }],
    ['demo/witness', { address: 'demo/witness', role: 'witness', rig: 'demo', name: 'witness' }],
    ['mayor/', { address: 'mayor', role: 'mayor', rig: '', name: 'mayor' }],
    ['alice', undefined],
    ['demo/polecats/', undefined],
    ['demo/dogs/x', undefined],
  ])('parses %s', (text, want) => {
    expect(parseAgentAddress(text)).toEqual(want);
  });

  it('derives an address from a path in the town, and names branches and e-mails', () => {
    expect(addressFromTownPath(['demo', 'polecats', 'nux', 'src'])?.address).toBe('demo/polecats/nux');
    expect(addressFromTownPath(['demo', 'crew', 'bob'])?.address).toBe('demo/crew/bob');
    expect(addressFromTownPath(['demo', 'refinery', 'rig'])).toBeUndefined();
    expect(addressFromTownPath(['demo', 'polecats'])).toBeUndefined();
    expect(polecatBranch('nux', 'dm-a1')).toBe('polecat/nux/dm-a1');
    expect(keepBranch('nux', 'polecat/nux/dm-a1')).toBe('keep/polecat/nux/dm-a1');
    expect(polecatEmail('demo', 'nux', 'gastown.local')).toBe('demo.polecats.nux@gastown.local');
    expect(beadPrefix('dm-a1.2')).toBe('dm');
    expect(beadPrefix('nohyphen')).toBeUndefined();
  });
});

describe('prime rendering', () => {
  const ctx: PrimeContext = {
    address: 'demo/polecats/nux', role: 'polecat', rig: 'demo', name: 'nux', town: '/t', runtime: 'claude',
    hook: { id: 'dm-a1', title: 'Fix the parser', status: 'hooked', description: 'Handle empty input.', priority: 1 },
    handoff: { note: 'tests were half done', created_at: '2026-01-01T00:00:00Z' },
    mail: [],
    rules: rulesFor('polecat', { branch: 'polecat/nux/dm-a1', hookId: 'dm-a1' }),
  };

  it('tells a polecat who it is, its rules, its hooked bead and its handoff', () => {
    const text = renderPrime(ctx);
    expect(text).toContain('# Gas Town — you are demo/polecats/nux');
    expect(text).toContain('## Your hook: dm-a1 — Fix the parser');
    expect(text).toContain('Handle empty input.');
    expect(text).toContain('priority: P1');
    expect(text).toContain('`polecat/nux/dm-a1`');
    expect(text).toContain('run `gt done`');
    expect(text).toContain('gt done --no-changes --reason');
    expect(text).toContain('gt escalate');
    expect(text).toContain('never start, claim or hook other beads');
    expect(text).toContain('tests were half done');
    const empty = renderPrime({ ...ctx, hook: undefined, handoff: undefined });
    expect(empty).toContain('## Your hook is empty');
    expect(empty).not.toContain('Handoff');
  });

  it('gives a stable JSON shape with nulls for what is absent', () => {
    const j = primeJson(ctx);
    expect(Object.keys(j)).toEqual(['address', 'role', 'rig', 'name', 'town', 'runtime', 'hook', 'molecule', 'handoff', 'mail', 'escalations', 'rules']);
    expect(j.hook).toEqual(ctx.hook);
    const bare = primeJson({ ...ctx, hook: undefined, handoff: undefined });
    expect(bare.hook).toBeNull();
    expect(bare.handoff).toBeNull();
    expect(bare.mail).toEqual([]);
    expect(bare.escalations).toEqual([]);
  });

  it('lists unread mail and the escalations waiting on the agent', () => {
    const text = renderPrime({
      ...ctx,
      mail: [{ id: 'msg-4', from: 'demo/refinery', kind: 'FIX_NEEDED', subject: 'nux: dm-a1', priority: 1, urgent: false, created_at: '2026-01-01T00:00:00Z' }],
      escalations: [{ id: 'esc-2', severity: 'high', category: 'decision', summary: 'demo/polecats/nux is waiting for input', bead_id: 'dm-a1', source: 'demo/witness' }],
    });
    expect(text).toContain('1 unread message:');
    expect(text).toContain('- msg-4 [P1] FIX_NEEDED from demo/refinery: nux: dm-a1');
    expect(text).toContain('## Escalations waiting on you (1)');
    expect(text).toContain('- esc-2 [high, decision] demo/polecats/nux is waiting for input (dm-a1) — from demo/witness');
    expect(renderPrime(ctx)).toContain('No unread mail.');
    expect(renderPrime(ctx)).not.toContain('Escalations waiting');
  });

  it('has rules for crew, mayor and other roles', () => {
    expect(rulesFor('crew').join(' ')).toContain('human');
    expect(rulesFor('mayor').join(' ')).toContain('sling');
    expect(rulesFor('witness').length).toBeGreaterThan(0);
  });
});
