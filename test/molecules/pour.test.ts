// Pouring a cooked formula: the beads, edges and flags are exactly what the plan says; ready
// work follows the needs; wisps never reach .beads/issues.jsonl while poured molecules do.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile } from '../../src/core/town/layout.js';
import { exportLedgerFile } from '../../src/store/ledger-file.js';
import { moleculePlan, pourMolecule } from '../../src/store/molecules.js';
import { readyWork } from '../../src/store/sqlite/ledger-query.js';
import { gtError, useWorld } from '../work/helpers.js';
import { chain, formula, step } from './helpers.js';

const t = useWorld();

function edges(ids: string[]): Array<{ from: string; to: string; type: string }> {
  return (t.w.town.db.prepare(`SELECT issue_id AS "from", depends_on_id AS "to", type FROM dependencies
    WHERE issue_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`).all(JSON.stringify(ids)) as Array<{ from: string; to: string; type: string }>);
}

describe('pourMolecule', () => {
  const review = formula('review', [
    step('design', [], { acceptance: 'a design doc exists', run: 'make design', priority: 1 }),
    step('implement', ['design'], { labels: ['code'] }),
    step('approve', ['implement'], { type: 'human' }),
    step('ci', ['implement'], { type: 'gate' }),
    step('ship', ['approve', 'ci'], { type: 'feature' }),
  ], { vars: { component: 'auth' } });

  it('creates the root, one bead per step, parent-child and blocks edges exactly as the plan says', () => {
    const m = pourMolecule(t.w.town, review, { actor: 'mayor', rig: 'demo' });
    expect(m.root).toMatch(/^dm-[0-9a-z]{3,}$/);
    expect(m.steps).toEqual(['design', 'implement', 'approve', 'ci', 'ship'].map((stepId, i) => ({ stepId, beadId: `${m.root}.${i + 1}` })));
    const root = t.w.ledger.get(m.root);
    expect(root).toMatchObject({
      title: 'review', description: 'the review formula', issue_type: 'molecule', status: 'open', created_by: 'mayor', source_formula: 'review',
      metadata: { formula: 'review', formula_version: 1, formula_origin: 'town', vars: { component: 'auth' }, wisp: false },
    });
    expect(root.ephemeral).toBeUndefined();
    const [design, implement, approve, ci, ship] = m.steps.map((s) => t.w.ledger.get(s.beadId));
    expect(design).toMatchObject({ title: 'Do design', description: 'how to do design', issue_type: 'task', priority: 1, acceptance_criteria: 'a design doc exists', metadata: { step_id: 'design', run: 'make design', acceptance: 'a design doc exists' } });
    expect(implement).toMatchObject({ labels: ['code'], metadata: { step_id: 'implement' } });
    expect(approve).toMatchObject({ issue_type: 'task', labels: ['human'] });
    expect(ci).toMatchObject({ issue_type: 'gate', labels: ['gate'] });
    expect(ship).toMatchObject({ issue_type: 'feature' });
    const id = (n: number) => `${m.root}.${n}`;
    expect(edges(m.steps.map((s) => s.beadId))).toEqual([
      { from: id(1), to: m.root, type: 'parent-child' },
      { from: id(2), to: m.root, type: 'parent-child' }, { from: id(2), to: id(1), type: 'blocks' },
      { from: id(3), to: m.root, type: 'parent-child' }, { from: id(3), to: id(2), type: 'blocks' },
      { from: id(4), to: m.root, type: 'parent-child' }, { from: id(4), to: id(2), type: 'blocks' },
      { from: id(5), to: m.root, type: 'parent-child' }, { from: id(5), to: id(3), type: 'blocks' }, { from: id(5), to: id(4), type: 'blocks' },
    ]);
    const blocked = t.w.town.db.prepare('SELECT id, is_blocked FROM issues WHERE id = ? OR id LIKE ? ORDER BY id').all(m.root, `${m.root}.%`);
    expect(blocked).toEqual([m.root, id(1), id(2), id(3), id(4), id(5)].map((x, i) => ({ id: x, is_blocked: i >= 2 ? 1 : 0 })));
    // the ledger's own write path agrees: a child bead created later gets the next number
    expect(t.w.ledger.create({ title: 'extra', parent: m.root }).id).toBe(id(6));
    expect(t.w.ledger.get(id(1)).comments).toBeUndefined();
    expect((t.w.town.db.prepare("SELECT count(*) FROM events WHERE issue_id = ? AND event_type = 'created'").pluck().get(id(3)))).toBe(1);
  });

  it('shows only the first step of a chain as ready work, then the next when it closes', () => {
    const m = pourMolecule(t.w.town, chain(3), { actor: 'mayor', rig: 'demo' });
    const ready = () => readyWork(t.w.town.db, { prefix: 'dm', limit: 0 }).map((i) => i.id).filter((i) => i.startsWith(m.root));
    expect(ready()).toEqual([`${m.root}.1`]);
    t.w.ledger.close(`${m.root}.1`);
    expect(ready()).toEqual([`${m.root}.2`]);
  });

  it('pours convoy formulas as parallel legs and a synthesis needing every leg', () => {
    const convoy = formula('design-review', [], {
      type: 'convoy',
      legs: [{ id: 'api', title: 'API', description: 'review the API', agent: 'codex' }, { id: 'data', title: 'Data', description: 'review the data', agent: '' }],
      synthesis: { title: 'Synthesis', description: 'combine the reviews' },
    });
    expect(moleculePlan(convoy).map((p) => [p.stepId, p.needs])).toEqual([['api', []], ['data', []], ['synthesis', ['api', 'data']]]);
    const m = pourMolecule(t.w.town, convoy, { actor: 'mayor', rig: 'demo' });
    expect(t.w.ledger.get(`${m.root}.1`)).toMatchObject({ labels: ['leg'], metadata: { step_id: 'api', leg: true, agent: 'codex' } });
    expect(edges([`${m.root}.3`]).filter((e) => e.type === 'blocks').map((e) => e.to)).toEqual([`${m.root}.1`, `${m.root}.2`]);
    const ready = readyWork(t.w.town.db, { prefix: 'dm', limit: 0 }).map((i) => i.id).filter((i) => i.startsWith(m.root)).sort();
    expect(ready).toEqual([`${m.root}.1`, `${m.root}.2`]);
  });

  it('attaches a molecule to a bead: root metadata.attached_to, bead metadata.molecule', () => {
    const bead = t.w.bead('feature x', { metadata: { keep: 1 } });
    const m = pourMolecule(t.w.town, chain(2), { actor: 'mayor', rig: 'demo', wisp: true, attachTo: bead.id, assignee: 'demo/polecats/nux' });
    expect(m.attachedTo).toBe(bead.id);
    expect(t.w.ledger.get(bead.id).metadata).toEqual({ keep: 1, molecule: m.root, formula: 'chain-2' });
    expect(t.w.ledger.get(m.root)).toMatchObject({ assignee: 'demo/polecats/nux', ephemeral: true, metadata: { attached_to: bead.id, wisp: true } });
  });

  it('refuses a broken plan before writing anything', async () => {
    const before = t.w.town.db.prepare('SELECT count(*) FROM issues').pluck().get();
    expect((await gtError(() => pourMolecule(t.w.town, formula('dup', [step('a'), step('a')]), { actor: 'x' }))).message).toMatch(/two steps with id "a"/);
    expect((await gtError(() => pourMolecule(t.w.town, formula('unknown', [step('a', ['zz'])]), { actor: 'x' }))).message).toMatch(/needs "zz", which is no step/);
    const cycle = await gtError(() => pourMolecule(t.w.town, formula('cyc', [step('a', ['b']), step('b', ['a']), step('c')]), { actor: 'x' }));
    expect(cycle).toMatchObject({ code: 'INVALID_VALUE', details: { steps: ['a', 'b'] } });
    expect((await gtError(() => pourMolecule(t.w.town, chain(2), { actor: 'x', attachTo: 'dm-nope' }))).code).toBe('BEAD_NOT_FOUND');
    expect(t.w.town.db.prepare('SELECT count(*) FROM issues').pluck().get()).toBe(before);
  });

  it('never exports wisp beads to .beads/issues.jsonl; poured molecules are exported', () => {
    const poured = pourMolecule(t.w.town, chain(2, 'poured'), { actor: 'mayor', rig: 'demo' });
    const wisp = pourMolecule(t.w.town, chain(2, 'vapor'), { actor: 'mayor', rig: 'demo', wisp: true });
    exportLedgerFile(t.w.town.db, ledgerFile(t.w.root));
    const ids = readFileSync(ledgerFile(t.w.root), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(expect.arrayContaining([poured.root, `${poured.root}.1`, `${poured.root}.2`]));
    expect(ids.filter((i) => i.startsWith(wisp.root))).toEqual([]);
    // a wisp is not ready work either (beads: ephemeral excluded)
    expect(readyWork(t.w.town.db, { limit: 0 }).map((i) => i.id)).not.toContain(`${wisp.root}.1`);
  });
});

describe('moleculePlan with convoy steps already cooked in', () => {
  it('marks the leg steps and adds nothing twice', () => {
    const cooked = formula('cr', [step('api'), step('data'), step('synthesis', ['api'])], {
      type: 'convoy', legs: [{ id: 'api', title: 'API', description: '', agent: 'codex' }, { id: 'data', title: 'Data', description: '', agent: '' }],
      synthesis: { title: 'Synthesis', description: '' },
    });
    expect(moleculePlan(cooked).map((p) => [p.stepId, p.needs, p.labels, p.metadata])).toEqual([
      ['api', [], ['leg'], { step_id: 'api', leg: true, agent: 'codex' }],
      ['data', [], ['leg'], { step_id: 'data', leg: true, agent: '' }],
      ['synthesis', ['api'], [], { step_id: 'synthesis' }],
    ]);
  });
});
