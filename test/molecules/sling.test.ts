// A formula on a bead (gastown-features.md §3.3): slingFormula pours the formula as a wisp
// attached to the bead and slings the bead; the agent's `gt prime` then lists the steps and
// says what to run next. No session is started (the CLI asks the daemon for that).
import { describe, expect, it } from 'vitest';
import type { PrimeJson } from '../../src/core/work/prime.js';
import { moleculeSteps } from '../../src/store/molecule-progress.js';
import { slingFormula } from '../../src/store/work/sling.js';
import { gt } from '../cli/helpers.js';
import { gtError, useWorld } from '../work/helpers.js';
import { chain, formula, step } from './helpers.js';

const t = useWorld();

const work = formula('polecat-work', [
  step('load-context', [], { title: 'Load the context', description: 'read the bead and the code' }),
  step('implement', ['load-context'], { title: 'Implement it' }),
  step('submit', ['implement'], { title: 'Submit with gt done' }),
]);

describe('gt sling <formula> --on <bead>', () => {
  it('attaches a wisp to the bead, hooks the bead, and prime shows the steps and what to run', async () => {
    const bead = t.w.bead('Fix the parser');
    const out = await slingFormula(t.w.town, work, 'demo', { on: bead.id, actor: 'mayor', noConvoy: true });
    expect(out.kind).toBe('hooked');
    if (out.kind !== 'hooked') return;
    const root = out.molecule.root;
    expect(out.molecule).toMatchObject({ wisp: true, attachedTo: bead.id });
    expect(t.w.ledger.get(bead.id)).toMatchObject({ status: 'hooked', assignee: out.address, metadata: { molecule: root, formula: 'polecat-work' } });
    expect(t.w.ledger.get(root)).toMatchObject({ title: 'polecat-work: Fix the parser', ephemeral: true, metadata: { attached_to: bead.id } });

    const env2 = { GT_TOWN: t.w.root, BD_ACTOR: out.address };
    const prime = await gt(['prime', '--json'], { env: env2 });
    expect(prime.code, prime.err).toBe(0);
    const j = prime.json<PrimeJson>();
    expect(j.hook).toMatchObject({ id: bead.id });
    expect(j.molecule).toMatchObject({
      id: root, formula: 'polecat-work', wisp: true, completed: 0, total: 3, complete: false,
      next: { id: `${root}.1`, step_id: 'load-context', title: 'Load the context', status: 'ready', description: 'read the bead and the code' },
    });
    expect(j.molecule!.steps.map((s) => [s.step_id, s.status])).toEqual([['load-context', 'ready'], ['implement', 'blocked'], ['submit', 'blocked']]);
    const text = (await gt(['prime'], { env: env2 })).out;
    expect(text).toContain(`## Your molecule: ${root} — polecat-work: Fix the parser (0/3 steps done)`);
    expect(text).toContain(`- [ready] ${root}.1 load-context: Load the context`);
    expect(text).toContain(`- [blocked] ${root}.3 submit: Submit with gt done`);
    expect(text).toContain(`run \`gt bd close ${root}.1 --continue\``);

    // the agent works the first step; prime follows
    expect((await gt(['bd', 'close', `${root}.1`, '--continue'], { env: env2 })).code).toBe(0);
    const after = (await gt(['prime', '--json'], { env: env2 })).json<PrimeJson>();
    expect(after.molecule).toMatchObject({ completed: 1, next: { id: `${root}.2`, status: 'current' } });
    expect(after.molecule!.steps.map((s) => s.status)).toEqual(['done', 'current', 'blocked']);
    expect((await gt(['mol', 'current', '--json'], { env: env2 })).json<Array<{ molecule_id: string }>>().map((m) => m.molecule_id)).toEqual([root]);
    for (const id of [`${root}.2`, `${root}.3`]) await gt(['bd', 'close', id, '--continue'], { env: env2 });
    const done = await gt(['prime'], { env: env2 });
    expect(done.out).toContain('All 3 steps are done. Run `gt done`.');
    // gt done squashes the finished wisp with the work: a closed digest, the steps gone
    const finished = await gt(['done', '--no-changes', '--reason', 'nothing to change', '--json'], { env: env2 });
    expect(finished.code, finished.err).toBe(0);
    const digest = finished.json<{ squashed?: string }>().squashed;
    expect(digest).toBeTruthy();
    expect(t.w.ledger.get(root)).toMatchObject({ status: 'closed', metadata: { digest } });
    expect(t.w.ledger.get(digest!)).toMatchObject({ status: 'closed', title: 'Digest: polecat-work: Fix the parser' });
    expect(moleculeSteps(t.w.town.db, root)).toEqual([]);
  });

  it('burns a stale wisp when the bead is slung again, and leaves nothing behind when the sling is refused', async () => {
    const bead = t.w.bead('Again');
    const first = await slingFormula(t.w.town, chain(2), 'demo', { on: bead.id, actor: 'mayor', noConvoy: true });
    const again = await slingFormula(t.w.town, chain(2), 'demo', { on: bead.id, actor: 'mayor', noConvoy: true, force: true });
    expect(t.w.town.db.prepare('SELECT count(*) FROM issues WHERE id = ?').pluck().get(first.molecule.root)).toBe(0);
    expect(t.w.ledger.get(bead.id).metadata).toMatchObject({ molecule: again.molecule.root });

    const closed = t.w.bead('Closed one');
    t.w.ledger.close(closed.id);
    const before = t.w.town.db.prepare('SELECT count(*) FROM issues').pluck().get();
    expect((await gtError(slingFormula(t.w.town, chain(2), 'demo', { on: closed.id, actor: 'mayor' }))).code).toBe('INVALID_STATUS');
    // refused by the sling itself (a busy polecat): the poured wisp is burned again
    if (again.kind !== 'hooked') throw new Error('expected a hook');
    const busy = t.w.bead('For a busy polecat', { metadata: { mine: 1 } });
    const name = again.address.split('/').pop()!;
    expect((await gtError(slingFormula(t.w.town, chain(2), `demo/${name}`, { on: busy.id, actor: 'mayor' }))).code).toBe('ALREADY_CLAIMED');
    expect(t.w.ledger.get(busy.id).metadata).toEqual({ mine: 1 });
    expect(t.w.town.db.prepare('SELECT count(*) FROM issues').pluck().get()).toBe(Number(before) + 1);
  });

  it('without --on pours a molecule and slings its root', async () => {
    const out = await slingFormula(t.w.town, work, 'demo', { actor: 'mayor', noConvoy: true });
    if (out.kind !== 'hooked') throw new Error('expected a hook');
    expect(out.bead).toBe(out.molecule.root);
    expect(out.molecule.wisp).toBe(false);
    expect(t.w.ledger.get(out.bead)).toMatchObject({ issue_type: 'molecule', status: 'hooked', assignee: out.address });
    expect(moleculeSteps(t.w.town.db, out.bead).map((s) => s.state)).toEqual(['ready', 'blocked', 'blocked']);
    const j = (await gt(['prime', '--json'], { env: { GT_TOWN: t.w.root, BD_ACTOR: out.address } })).json<PrimeJson>();
    expect(j.molecule).toMatchObject({ id: out.bead, total: 3, next: { step_id: 'load-context' } });
    expect((await gtError(slingFormula(t.w.town, work, undefined, { actor: 'mayor' }))).code).toBe('USAGE');
  });
});
