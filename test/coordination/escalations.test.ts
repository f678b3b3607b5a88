// Escalations on a real SQLite town (issue #5): routing by severity, announcement mail,
// re-escalation of unacknowledged ones, ack / close / reassign, and bad ids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextAddress, parseCategory, parseSeverity, routeAddresses } from '../../src/core/escalation/routes.js';
import { settingsFile } from '../../src/core/town/layout.js';
import { TownSettingsSchema } from '../../src/core/town/settings.js';
import {
  ackEscalation, closeEscalation, getEscalation, listEscalations, raiseEscalation, reassignEscalation, reescalateDue,
} from '../../src/store/escalations.js';
import { listEvents } from '../../src/store/events.js';
import { inbox } from '../../src/store/mail/mail.js';
import { updateSettingsFile, type Town } from '../../src/store/town/town.js';
import { thrown } from '../helpers/errors.js';
import { mailTown } from '../mail/helpers.js';

let town: Town;
let root: string;
let cleanup: () => void;
beforeEach(async () => { ({ town, root, cleanup } = await mailTown()); });
afterEach(() => cleanup());

const HOUR = 3_600_000;
const setTown = (key: string, value: string) => updateSettingsFile(settingsFile(root), TownSettingsSchema, key, value);

describe('escalation routes (pure)', () => {
  it('expands witness to the rig witness, drops it without a rig, and walks up to the last address', () => {
    const route = ['witness', 'deacon/', 'mayor', 'overseer'];
    expect(routeAddresses(route, 'app')).toEqual(['app/witness', 'deacon', 'mayor', 'overseer']);
    expect(routeAddresses(route, '')).toEqual(['deacon', 'mayor', 'overseer']);
    expect(nextAddress(route, 'app', 'app/witness')).toBe('deacon');
    expect(nextAddress(route, 'app', 'overseer')).toBeUndefined();
    expect(nextAddress(route, 'app', 'someone/else')).toBe('app/witness'); // reassigned off the route: back to its start
  });

  it('reads severities and categories case-insensitively and lists the allowed values otherwise', () => {
    expect(parseSeverity(' HIGH ')).toBe('high');
    expect(parseCategory('Decision')).toBe('decision');
    expect(thrown(() => parseSeverity('urgent'))).toMatchObject({ code: 'INVALID_VALUE', fix: 'use one of: critical, high, medium, low' });
    expect(thrown(() => parseCategory('panic')).fix).toContain('decision, help, blocked, failed, emergency, lifecycle');
  });
});

describe('raiseEscalation', () => {
  it('stores it at the first address of its route, mails that address and records an event', () => {
    const e = raiseEscalation(town, { severity: 'high', category: 'decision', summary: 'Which database?', source: 'app/polecats/nux', sourceGeneration: 3, beadId: 'app-12', detail: 'screen: ? Which database' });
    expect(e).toMatchObject({ id: 'esc-1', level: 'mayor', assignee: 'mayor', state: 'open', reescalations: 0, source_generation: 3, bead_id: 'app-12' });
    const mail = inbox(town, 'mayor');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.message).toMatchObject({ kind: 'HELP', subject: '[high] Which database?', from: 'app/polecats/nux', urgent: true, bead_id: 'app-12' });
    expect(mail[0]!.message.fields).toMatchObject({ Escalation: 'esc-1', Severity: 'high', Category: 'decision', Bead: 'app-12' });
    expect(mail[0]!.message.body).toContain('screen: ? Which database');
    expect(listEvents(town, { type: 'escalation' }).map((ev) => [ev.type, ev.subject, ev.rig])).toEqual([['escalation.raised', 'esc-1', 'app']]);
    expect(raiseEscalation(town, { severity: 'low', category: 'help', summary: 'second', source: 'overseer' }).id).toBe('esc-2');
  });

  it('lists open ones most severe first, closed ones only with all', () => {
    raiseEscalation(town, { severity: 'low', category: 'help', summary: 'low one', source: 'overseer' });
    raiseEscalation(town, { severity: 'critical', category: 'emergency', summary: 'fire', source: 'overseer' });
    const med = raiseEscalation(town, { severity: 'medium', category: 'blocked', summary: 'medium one', source: 'overseer' });
    closeEscalation(town, med.id, 'overseer', 'done');
    expect(listEscalations(town).map((e) => e.summary)).toEqual(['fire', 'low one']);
    expect(listEscalations(town, { all: true }).map((e) => e.summary)).toEqual(['fire', 'medium one', 'low one']);
    expect(listEscalations(town, { assignee: 'mayor' }).map((e) => e.summary)).toEqual(['fire', 'low one']);
  });
});

describe('re-escalation', () => {
  it('moves an unacknowledged escalation up its route after the severity\'s time, announcing each level, and stops at the end', () => {
    setTown('escalation.routes.low', '["witness","deacon","mayor"]');
    setTown('escalation.reescalate_ms.low', '3600000');
    const e = raiseEscalation(town, { severity: 'low', category: 'help', summary: 'tests are slow', source: 'app/polecats/nux' });
    expect(e.assignee).toBe('app/witness');
    const t0 = Date.now();
    expect(reescalateDue(town, t0 + HOUR / 2)).toEqual([]); // not yet
    expect(reescalateDue(town, t0 + HOUR + 1000).map((x) => [x.id, x.assignee, x.reescalations])).toEqual([['esc-1', 'deacon', 1]]);
    expect(inbox(town, 'deacon')[0]!.message.body).toContain('Not acknowledged by app/witness in time');
    // the clock at its new level starts when it got there
    expect(reescalateDue(town, t0 + HOUR + 2000)).toEqual([]);
    expect(reescalateDue(town, t0 + 2 * HOUR + 2000).map((x) => x.assignee)).toEqual(['mayor']);
    expect(reescalateDue(town, t0 + 10 * HOUR)).toEqual([]); // the last address keeps it
    expect(getEscalation(town, 'esc-1')).toMatchObject({ assignee: 'mayor', reescalations: 2 });
    expect(listEvents(town, { type: 'escalation.reescalated' }).map((ev) => ev.payload)).toEqual([{ from: 'app/witness', to: 'deacon' }, { from: 'deacon', to: 'mayor' }]);
  });

  it('leaves acknowledged and closed escalations where they are', () => {
    const a = raiseEscalation(town, { severity: 'critical', category: 'emergency', summary: 'acked', source: 'overseer' });
    const c = raiseEscalation(town, { severity: 'critical', category: 'emergency', summary: 'closed', source: 'overseer' });
    const o = raiseEscalation(town, { severity: 'critical', category: 'emergency', summary: 'open', source: 'overseer' });
    ackEscalation(town, a.id, 'mayor');
    closeEscalation(town, c.id, 'mayor', 'fixed');
    expect(reescalateDue(town, Date.now() + HOUR).map((e) => e.id)).toEqual([o.id]);
    expect(getEscalation(town, a.id)).toMatchObject({ state: 'acked', acked_by: 'mayor', assignee: 'mayor' });
    expect(getEscalation(town, c.id)).toMatchObject({ state: 'closed', close_reason: 'fixed', assignee: 'mayor' });
  });
});

describe('ack, close, reassign', () => {
  it('acks once, closes with a reason, refuses to ack or reassign a closed one', () => {
    const e = raiseEscalation(town, { severity: 'medium', category: 'blocked', summary: 'stuck on auth', source: 'overseer' });
    expect(ackEscalation(town, e.id, 'mayor')).toMatchObject({ state: 'acked', acked_by: 'mayor' });
    expect(ackEscalation(town, e.id, 'overseer').acked_by).toBe('mayor'); // the first ack stands
    expect(closeEscalation(town, e.id, 'mayor', 'unblocked')).toMatchObject({ state: 'closed', close_reason: 'unblocked' });
    expect(thrown(() => ackEscalation(town, e.id, 'mayor'))).toMatchObject({ code: 'INVALID_STATUS' });
    expect(thrown(() => reassignEscalation(town, e.id, 'overseer', 'mayor'))).toMatchObject({ code: 'INVALID_STATUS' });
  });

  it('reassigns to another address, reopens an acked one there, and mails it', () => {
    const e = raiseEscalation(town, { severity: 'high', category: 'decision', summary: 'pick a license', source: 'app/polecats/nux' });
    ackEscalation(town, e.id, 'mayor');
    const moved = reassignEscalation(town, e.id, 'overseer', 'mayor');
    expect(moved).toMatchObject({ assignee: 'overseer', state: 'open' });
    expect(inbox(town, 'overseer')[0]!.message.body).toContain('mayor reassigned this escalation to you.');
  });

  it('names an unknown id, with close matches when there are some', () => {
    expect(thrown(() => ackEscalation(town, 'esc-999', 'mayor'))).toMatchObject({ code: 'NOT_FOUND', message: 'no escalation "esc-999"', fix: 'there are no escalations' });
    raiseEscalation(town, { severity: 'low', category: 'help', summary: 'one', source: 'overseer' });
    expect(thrown(() => getEscalation(town, 'esc-11')).fix).toBe('did you mean esc-1?');
  });
});
