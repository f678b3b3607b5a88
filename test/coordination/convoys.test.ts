// Convoys on a real SQLite town (issue #5): progress, landing only when every tracked bead is
// merged (not merely closed), CONVOY_LANDED mail, stranded, reopen on add, close guard.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addToConvoy, closeConvoy, convoyInfo, convoyOf, createConvoy, landReadyConvoys, listConvoys, watchConvoy,
} from '../../src/store/convoys.js';
import { listEvents } from '../../src/store/events.js';
import { mrById, mrsIn } from '../../src/store/refinery/refinery-db.js';
import { inbox } from '../../src/store/mail/mail.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';
import type { Town } from '../../src/store/town/town.js';
import { createMergeRequest } from '../../src/store/work/agents.js';
import { thrown } from '../helpers/errors.js';
import { mailTown } from '../mail/helpers.js';

let town: Town;
let cleanup: () => void;
let ledger: Ledger;
beforeEach(async () => {
  ({ town, cleanup } = await mailTown());
  ledger = new Ledger(town.db, { actor: 'overseer', prefix: town.json.prefix });
});
afterEach(() => cleanup());

const bead = (title: string) => ledger.create({ title, prefix: 'app' }).id;
let sha = 0;
/** A merge request for `id`, merged or still queued. */
function mr(id: string, state: 'merged' | 'queued'): void {
  const { mr: row } = createMergeRequest(town.db, { rig: 'app', branch: `polecat/nux/${id}`, target: 'main', bead_id: id, polecat: 'app/polecats/nux', commit_sha: `${++sha}`.padStart(40, '0') });
  town.db.prepare('UPDATE merge_requests SET state = ? WHERE id = ?').run(state, row.id);
}

describe('convoys', () => {
  it('lands only when every tracked bead is merged: closed without a merge does not count', () => {
    const [a, b, c] = [bead('one'), bead('two'), bead('three')];
    const cv = createConvoy(town, { title: 'Three things', beads: [a, b, c], owner: 'overseer', notify: ['mayor'] });
    expect(cv).toMatchObject({ status: 'open', owner: 'overseer', notify: ['mayor'], landed: false, counts: { total: 3, open: 3, in_progress: 0, merged: 0, closed: 0 } });
    expect(convoyOf(town, a)).toBe(cv.id);

    ledger.update(a!, { set: { status: 'in_progress', assignee: 'app/polecats/nux' } });
    mr(a!, 'merged');
    ledger.close(a!, { reason: 'merged' });
    mr(b!, 'merged');
    ledger.close(c!, { reason: 'nothing to change' }); // closed, never merged
    expect(convoyInfo(town, cv.id).counts).toEqual({ total: 3, open: 0, in_progress: 0, merged: 2, closed: 1 });
    expect(landReadyConvoys(town)).toEqual([]);
    expect(convoyInfo(town, cv.id).status).toBe('open');

    mr(c!, 'queued');
    expect(landReadyConvoys(town)).toEqual([]); // queued is not merged
    town.db.prepare("UPDATE merge_requests SET state = 'merged' WHERE bead_id = ?").run(c);
    expect(landReadyConvoys(town)).toEqual([cv.id]);
    const landed = convoyInfo(town, cv.id);
    expect(landed).toMatchObject({ status: 'closed', landed: true, counts: { merged: 3 } });
    for (const who of ['overseer', 'mayor']) {
      const mail = inbox(town, who);
      expect(mail.map((m) => [m.message.kind, m.message.subject])).toEqual([['CONVOY_LANDED', 'Convoy landed: Three things']]);
      expect(mail[0]!.message.fields).toEqual({ Convoy: cv.id, Beads: 3 });
    }
    expect(listEvents(town, { type: 'convoy' }).map((e) => e.type)).toEqual(['convoy.created', 'convoy.landed']);
    expect(landReadyConvoys(town)).toEqual([]); // once
    expect(listConvoys(town)).toEqual([]);
    expect(listConvoys(town, { all: true }).map((x) => x.id)).toEqual([cv.id]);
  });

  it('lands a convoy whose owner is no mailbox (a shell user\'s name), telling the overseer instead', () => {
    const a = bead('from a shell');
    const cv = createConvoy(town, { title: 'Slung from a shell', beads: [a], owner: 'Jane Doe' });
    mr(a, 'merged');
    expect(landReadyConvoys(town)).toEqual([cv.id]);
    const landed = town.db.prepare("SELECT d.address FROM mail_deliveries d JOIN messages m ON m.id = d.message_id WHERE m.kind = 'CONVOY_LANDED'").pluck().all();
    expect(landed).toEqual(['overseer']);
  });

  it('never lands an empty convoy; adding work to a landed convoy opens it again', () => {
    const empty = createConvoy(town, { title: 'Nothing yet', owner: 'overseer' });
    expect(landReadyConvoys(town)).toEqual([]);
    const a = bead('first');
    addToConvoy(town, empty.id, [a], 'overseer');
    mr(a, 'merged');
    expect(landReadyConvoys(town)).toEqual([empty.id]);
    const b = bead('more');
    const reopened = addToConvoy(town, empty.id, [b], 'overseer');
    expect(reopened).toMatchObject({ status: 'open', landed: false, counts: { total: 2, merged: 1, open: 1 } });
  });

  it('is stranded when it has ready beads and nobody works on any of them', () => {
    const [a, b] = [bead('ready one'), bead('ready two')];
    const cv = createConvoy(town, { title: 'Idle', beads: [a, b], owner: 'overseer' });
    expect(convoyInfo(town, cv.id).stranded).toBe(true);
    ledger.update(a, { set: { status: 'hooked', assignee: 'app/polecats/nux' } });
    expect(convoyInfo(town, cv.id)).toMatchObject({ stranded: false, counts: { in_progress: 1, open: 1 } });
  });

  it('refuses to close with unfinished beads unless forced; watch adds a watcher once', () => {
    const a = bead('unfinished');
    const cv = createConvoy(town, { title: 'Guarded', beads: [a], owner: 'overseer' });
    expect(thrown(() => closeConvoy(town, cv.id, { actor: 'overseer' }))).toMatchObject({ code: 'CLOSE_GUARD', message: `${cv.id} still tracks unfinished beads: ${a}` });
    watchConvoy(town, cv.id, 'app/crew/alice', 'overseer');
    expect(watchConvoy(town, cv.id, 'app/crew/alice', 'overseer').notify).toEqual(['app/crew/alice']);
    expect(closeConvoy(town, cv.id, { actor: 'overseer', force: true, reason: 'dropped' })).toMatchObject({ status: 'closed', landed: false });
  });

  it('gives merge requests of its beads the convoy\'s age for the queue score', () => {
    const a = bead('aged');
    const cv = createConvoy(town, { title: 'Old work', beads: [a], owner: 'overseer' });
    const { mr: row } = createMergeRequest(town.db, { rig: 'app', branch: `polecat/nux/${a}`, target: 'main', bead_id: a, polecat: 'app/polecats/nux', commit_sha: 'f'.repeat(40), convoy: cv.id });
    expect(mrById(town.db, row.id)?.convoy_created_at).toBe(cv.created_at);
    expect(mrsIn(town.db, 'app', ['queued']).map((m) => [m.id, m.convoy, m.convoy_created_at])).toEqual([[row.id, cv.id, cv.created_at]]);
  });

  it('names what is wrong: a bead that is not a convoy, an unknown bead', () => {
    const a = bead('plain task');
    expect(thrown(() => convoyInfo(town, a))).toMatchObject({ code: 'INVALID_VALUE', message: `${a} is a task, not a convoy` });
    expect(thrown(() => createConvoy(town, { title: 'x', beads: ['app-zzzz'], owner: 'overseer' })).code).toBe('BEAD_NOT_FOUND');
    expect(listConvoys(town)).toEqual([]); // nothing half-made
  });
});
