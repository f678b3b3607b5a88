// The scheduler's capacity governor on a real SQLite town (issue #5): limits per town and per
// rig, slings past capacity queued (once per bead) in priority order, failures, clear.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rigSettingsFile, settingsFile } from '../../src/core/town/layout.js';
import { RigSettingsSchema, TownSettingsSchema } from '../../src/core/town/settings.js';
import { listEvents } from '../../src/store/events.js';
import { capacity, clearSlings, dispatchableSlings, enqueueSling, markSling, queuedSlings, workingPolecats } from '../../src/store/scheduler.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';
import { updateSettingsFile, type Town } from '../../src/store/town/town.js';
import { updateAgent } from '../../src/store/work/agents.js';
import { slingBead } from '../../src/store/work/sling.js';
import { mailTown } from '../mail/helpers.js';

let town: Town;
let root: string;
let cleanup: () => void;
let ledger: Ledger;
beforeEach(async () => {
  ({ town, root, cleanup } = await mailTown());
  ledger = new Ledger(town.db, { actor: 'overseer', prefix: town.json.prefix });
});
afterEach(() => cleanup());

const setTown = (key: string, value: string) => updateSettingsFile(settingsFile(root), TownSettingsSchema, key, value);
const setRig = (rig: string, key: string, value: string) => updateSettingsFile(rigSettingsFile(root, rig), RigSettingsSchema, key, value);
const busy = (address: string, bead: string) => updateAgent(town.db, address, { hook_bead: bead });

describe('capacity', () => {
  it('counts polecats with work on their hook against the town and the rig limit; -1 and 0 mean no limit', () => {
    busy('app/polecats/nux', 'app-1');
    busy('web/polecats/quartz', 'web-1');
    expect(workingPolecats(town)).toBe(2);
    expect(workingPolecats(town, 'app')).toBe(1);
    expect(capacity(town, 'app').free).toBe(true);
    setTown('scheduler.max_polecats', '0');
    expect(capacity(town, 'app').free).toBe(true);
    setTown('scheduler.max_polecats', '2');
    expect(capacity(town, 'app')).toEqual({ free: false, town: { max: 2, working: 2 }, rig: { max: -1, working: 1 } });
    setTown('scheduler.max_polecats', '-1');
    setRig('app', 'scheduler.max_polecats', '1');
    expect(capacity(town, 'app')).toMatchObject({ free: false, rig: { max: 1, working: 1 } });
    expect(capacity(town, 'web').free).toBe(true);
  });
});

describe('dispatchable slings', () => {
  it('a queued bead with an open blocker waits (listed, not dispatched) until the blocker closes', () => {
    const leg = ledger.create({ title: 'leg', prefix: 'app' }).id;
    const synthesis = ledger.create({ title: 'synthesis', prefix: 'app', deps: [{ type: 'blocks', id: leg }] }).id;
    enqueueSling(town, { beadId: synthesis, rig: 'app', target: 'app', priority: 2 });
    expect(queuedSlings(town).map((q) => q.bead_id)).toEqual([synthesis]);
    expect(dispatchableSlings(town)).toEqual([]);
    ledger.close(leg, { reason: 'done' });
    expect(dispatchableSlings(town).map((q) => q.bead_id)).toEqual([synthesis]);
  });
});

describe('slings past capacity', () => {
  it('are queued once per bead with the reason, in priority order, without touching the bead', async () => {
    setTown('scheduler.max_polecats', '1');
    busy('app/polecats/nux', 'app-busy');
    const low = ledger.create({ title: 'low', prefix: 'app', priority: 3 }).id;
    const high = ledger.create({ title: 'high', prefix: 'app', priority: 0 }).id;
    const first = await slingBead(town, low, 'app', { actor: 'overseer' });
    expect(first).toMatchObject({ kind: 'queued', bead: low, rig: 'app', reason: 'the town runs 1/1 polecats' });
    const again = await slingBead(town, low, 'app', { actor: 'overseer' });
    expect(again.kind === 'queued' && again.queued.id).toBe(first.kind === 'queued' && first.queued.id);
    await slingBead(town, high, undefined, { actor: 'overseer' }); // the rig of the bead's prefix
    expect(queuedSlings(town).map((q) => [q.bead_id, q.priority, q.state])).toEqual([[high, 0, 'queued'], [low, 3, 'queued']]);
    expect(ledger.get(low).status).toBe('open');
    expect(ledger.get(low).assignee ?? '').toBe('');
    expect(listEvents(town, { type: 'scheduler.queued' }).map((e) => e.subject)).toEqual([low, low, high]);
  });

  it('stops retrying a sling that failed three times; clear drops what is queued', async () => {
    setTown('scheduler.max_polecats', '1');
    busy('app/polecats/nux', 'app-busy');
    const a = ledger.create({ title: 'a', prefix: 'app' }).id;
    const b = ledger.create({ title: 'b', prefix: 'app' }).id;
    await slingBead(town, a, 'app', { actor: 'overseer' });
    await slingBead(town, b, 'app', { actor: 'overseer' });
    const qa = queuedSlings(town).find((q) => q.bead_id === a)!;
    for (let i = 0; i < 2; i++) markSling(town, qa.id, { ok: false, error: 'no worktree' });
    expect(queuedSlings(town).find((q) => q.id === qa.id)).toMatchObject({ attempts: 2, error: 'no worktree' });
    markSling(town, qa.id, { ok: false, error: 'no worktree' });
    expect(queuedSlings(town).map((q) => q.bead_id)).toEqual([b]);
    const c = ledger.create({ title: 'c', prefix: 'app' }).id;
    await slingBead(town, c, 'app', { actor: 'overseer' });
    markSling(town, queuedSlings(town).find((q) => q.bead_id === c)!.id, { ok: false, error: 'closed meanwhile', final: true });
    expect(queuedSlings(town).map((q) => q.bead_id)).toEqual([b]);
    expect(clearSlings(town)).toBe(1);
    expect(queuedSlings(town)).toEqual([]);
  });
});
