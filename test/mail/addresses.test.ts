// Mail addresses, groups, kinds and limits (issue #5 mail; Gas Town §0 "Mail addresses").
import { describe, expect, it } from 'vitest';
import {
  MAIL_KINDS, MAX_BODY_BYTES, checkBodySize, checkMailPriority, groupMembers, mailDirectory, normalizeMailAddress,
  parseMailKind, resolveRecipients, type KnownAddresses,
} from '../../src/core/mail/addresses.js';
import { thrown } from '../helpers/errors.js';

const known: KnownAddresses = {
  agents: ['mayor', 'deacon', 'app/witness', 'app/polecats/nux', 'app/polecats/slit', 'app/crew/alice', 'web/polecats/quartz'],
  rigs: ['app', 'web'],
  retired: ['app/polecats/toast'],
};

describe('normalizeMailAddress', () => {
  it.each([
    ['mayor/', 'mayor'], ['mayor', 'mayor'], ['deacon/', 'deacon'], ['overseer', 'overseer'], ['overseer/', 'overseer'],
    ['app/witness', 'app/witness'], ['app/refinery/', 'app/refinery'], ['app/polecats/nux', 'app/polecats/nux'],
    ['app/crew/alice', 'app/crew/alice'], ['app/nux', 'app/polecats/nux'], [' app/nux/ ', 'app/polecats/nux'],
    ['@town', undefined], ['not an address', undefined], ['app/crew', undefined], ['a/b/c/d', undefined],
  ])('%s → %s', (input, want) => {
    expect(normalizeMailAddress(input)).toBe(want);
  });
});

describe('resolveRecipients', () => {
  const addrs = (spec: string | string[], options = {}) => resolveRecipients(spec, known, options).map((r) => r.address);

  it('@town is every live agent and crew member, not the overseer nor retired mailboxes', () => {
    const r = resolveRecipients('@town', known);
    expect(r.map((x) => x.address)).toEqual(known.agents);
    expect(r.every((x) => x.via === '@town')).toBe(true);
  });

  it('@rig/<rig> is every agent of the rig; @polecats/<rig> its polecats', () => {
    expect(addrs('@rig/app')).toEqual(['app/witness', 'app/polecats/nux', 'app/polecats/slit', 'app/crew/alice']);
    expect(addrs('@polecats/app')).toEqual(['app/polecats/nux', 'app/polecats/slit']);
    expect(addrs('@polecats/web')).toEqual(['web/polecats/quartz']);
    expect(addrs('@rig/web/')).toEqual(['web/polecats/quartz']);
    expect(groupMembers('@polecats/nope', known)).toBeUndefined();
  });

  it('dedupes, a direct address keeping via undefined in first position', () => {
    const r = resolveRecipients(['app/nux', '@polecats/app', 'app/polecats/nux', 'mayor/', 'mayor'], known);
    expect(r).toEqual([{ address: 'app/polecats/nux' }, { address: 'app/polecats/slit', via: '@polecats/app' }, { address: 'mayor' }]);
    const late = resolveRecipients(['@polecats/app', 'app/polecats/slit'], known);
    expect(late).toEqual([{ address: 'app/polecats/nux', via: '@polecats/app' }, { address: 'app/polecats/slit' }]);
  });

  it('leaves the excluded sender out of groups but keeps it when named', () => {
    expect(addrs('@polecats/app', { exclude: 'app/polecats/nux' })).toEqual(['app/polecats/slit']);
    expect(addrs(['app/polecats/nux'], { exclude: 'app/polecats/nux' })).toEqual(['app/polecats/nux']);
  });

  it('knows overseer, mayor, deacon and every rig\'s witness and refinery without agent rows', () => {
    expect(addrs(['overseer', 'deacon/', 'app/refinery', 'web/witness'], {})).toEqual(['overseer', 'deacon', 'app/refinery', 'web/witness']);
    expect(resolveRecipients('mayor', { agents: [], rigs: [] })).toEqual([{ address: 'mayor' }]);
  });

  it('reaches retired mailboxes by name and a crew member by the short form', () => {
    expect(addrs('app/toast')).toEqual(['app/polecats/toast']);
    expect(addrs('app/alice')).toEqual(['app/crew/alice']);
  });

  it.each([
    ['app/polecats/nx', 'app/polecats/nux'],
    ['app/nx', 'app/polecats/nux'],
    ['mayr', 'mayor'],
    ['@rig/ap', '@rig/app'],
    ['@polecat/app', '@polecats/app'],
    ['zzz/witness', undefined],
  ])('unknown %s → NOT_FOUND suggesting %s', (spec, near) => {
    const e = thrown(() => resolveRecipients(spec, known));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(`"${spec}"`);
    if (near) expect(e.fix).toContain(near);
    if (near) expect(e.details.candidates).toContain(near);
  });

  it('with allowUnknown accepts a well-formed unknown address, never a malformed one', () => {
    expect(addrs('app/polecats/ghost', { allowUnknown: true })).toEqual(['app/polecats/ghost']);
    expect(thrown(() => resolveRecipients('not an address', known, { allowUnknown: true })).code).toBe('NOT_FOUND');
    expect(thrown(() => resolveRecipients('  ', known)).code).toBe('INVALID_VALUE');
  });

  it('lists every address and group in the directory', () => {
    const dir = mailDirectory(known);
    for (const a of ['overseer', 'mayor', 'deacon', 'app/refinery', 'web/witness', ...known.agents, '@town', '@rig/web', '@polecats/app']) expect(dir).toContain(a);
  });
});

describe('kinds, priorities and the body limit', () => {
  it('parses kinds case-insensitively and lists them for an unknown one', () => {
    expect(parseMailKind('help')).toBe('HELP');
    expect(parseMailKind('Plain')).toBe('plain');
    const e = thrown(() => parseMailKind('BOGUS'));
    expect(e.code).toBe('INVALID_VALUE');
    for (const k of MAIL_KINDS) expect(e.fix).toContain(k);
  });

  it('refuses a body over 65536 UTF-8 bytes, naming the size and the limit', () => {
    expect(MAX_BODY_BYTES).toBe(65536);
    expect(checkBodySize('x'.repeat(65536))).toBe(65536);
    const e = thrown(() => checkBodySize('é'.repeat(32769)));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toContain('65538 bytes');
    expect(e.message).toContain('65536');
  });

  it('takes priorities 0..4 only', () => {
    expect(checkMailPriority(0)).toBe(0);
    expect(checkMailPriority(4)).toBe(4);
    for (const p of [-1, 5, 1.5, Number.NaN]) expect(thrown(() => checkMailPriority(p)).code).toBe('INVALID_PRIORITY');
  });
});
