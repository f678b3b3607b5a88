// Working a molecule: `gt bd close <step> --continue` walks a chain to molecule_complete, skips
// steps for a person or a gate, and two agents racing with it (separate processes) never claim
// the same step. `gt mol current` shows every step's state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAndContinue } from '../../src/store/molecule-lifecycle.js';
import { loadMolecule, moleculeProgressStats } from '../../src/store/molecule-progress.js';
import { pourMolecule } from '../../src/store/molecules.js';
import { Ledger } from '../../src/store/sqlite/ledger.js';
import { BD_BIN, gt, runBin } from '../cli/helpers.js';
import { isolateGit, makeWorld, type World } from '../work/helpers.js';
import { chain, formula, step } from './helpers.js';

let env: ReturnType<typeof isolateGit>;
let w: World;
let as: (actor: string) => NodeJS.ProcessEnv;
beforeAll(async () => {
  env = isolateGit();
  w = await makeWorld(env.base);
  as = (actor) => ({ GT_TOWN: w.root, BD_ACTOR: actor });
});
afterAll(() => {
  w.close();
  env.cleanup();
});

interface CloseJson {
  closed: Array<{ id: string; status: string }>;
  continue: null | { molecule_id: string; molecule_complete: boolean; auto_advanced: boolean; next_step?: { id: string; status: string; assignee?: string }; completed: number; total: number; waiting_on?: Array<{ id: string; kind: string }> };
  schema_version: number;
}

describe('gt bd close --continue', () => {
  it('walks a 3-step chain to molecule_complete, claiming each next step for the actor', async () => {
    const m = pourMolecule(w.town, chain(3), { actor: 'mayor', rig: 'demo' });
    const [s1, s2, s3] = m.steps.map((s) => s.beadId);
    const first = await gt(['bd', 'close', s1!, '--continue', '--json'], { env: as('demo/polecats/nux') });
    expect(first.code).toBe(0);
    const j = first.json<CloseJson>();
    expect(j.closed.map((c) => [c.id, c.status])).toEqual([[s1, 'closed']]);
    expect(j.continue).toMatchObject({ molecule_id: m.root, molecule_complete: false, auto_advanced: true, next_step: { id: s2, status: 'in_progress', assignee: 'demo/polecats/nux' }, completed: 1, total: 3 });
    expect(j.schema_version).toBe(1);

    const text = await gt(['bd', 'close', s2!, '--continue'], { env: as('demo/polecats/nux') });
    expect(text.out).toContain(`✓ Closed ${s2}`);
    expect(text.out).toContain(`Next step: ${s3}: Do s3`);
    expect(text.out).toContain(`When it is done: gt bd close ${s3} --continue`);
    expect(w.ledger.get(s3!)).toMatchObject({ status: 'in_progress', assignee: 'demo/polecats/nux' });

    const last = (await gt(['bd', 'close', s3!, '--continue', '--json'], { env: as('demo/polecats/nux') })).json<CloseJson>();
    expect(last.continue).toMatchObject({ molecule_complete: true, auto_advanced: false, completed: 3, total: 3 });
    expect(last.continue?.next_step).toBeUndefined();
    expect(moleculeProgressStats(loadMolecule(w.town.db, m.root, 'dm'))).toMatchObject({ completed: 3, total: 3, percent: 100 });
  });

  it('says so outside a molecule, names without claiming under --no-auto, and refuses several ids', async () => {
    const bead = w.bead('lonely');
    const r = await gt(['bd', 'close', bead.id, '--continue', '--json'], { env: as('overseer') });
    expect(r.json<CloseJson>().continue).toBeNull();
    expect((await gt(['bd', 'close', w.bead('l2').id, '--continue'], { env: as('overseer') })).out).toContain('not part of a molecule');
    const m = pourMolecule(w.town, chain(2), { actor: 'mayor', rig: 'demo' });
    const j = (await gt(['bd', 'close', m.steps[0]!.beadId, '--continue', '--no-auto', '--json'], { env: as('overseer') })).json<CloseJson>();
    expect(j.continue).toMatchObject({ auto_advanced: false, next_step: { id: m.steps[1]!.beadId, status: 'open' } });
    const two = await gt(['bd', 'close', 'a', 'b', '--continue'], { env: as('overseer') });
    expect(two.code).toBe(2);
    expect(two.err).toContain('--continue closes one step at a time');
  });

  it('never claims a person\'s step or a gate; it names them as waiting', () => {
    const m = pourMolecule(w.town, formula('gated', [step('a'), step('sign', ['a'], { type: 'human' }), step('wait', ['a'], { type: 'gate' }), step('after', ['sign', 'wait'])]), { actor: 'mayor', rig: 'demo' });
    const r = closeAndContinue(new Ledger(w.town.db, { actor: 'demo/polecats/nux', prefix: 'dm' }), m.steps[0]!.beadId);
    expect(r.continue?.auto_advanced).toBe(false);
    expect(r.continue?.next_step).toBeUndefined();
    expect(r.continue?.waiting_on).toEqual([{ id: m.steps[1]!.beadId, title: 'Do sign', kind: 'human' }, { id: m.steps[2]!.beadId, title: 'Do wait', kind: 'gate' }]);
  });

  it('two agents racing close --continue in separate processes never claim the same step', async () => {
    // a: first; then 12 steps that all need only a; two agents take turns as fast as they can
    const m = pourMolecule(w.town, formula('fanout', [step('a'), ...Array.from({ length: 12 }, (_, i) => step(`p${i}`, ['a']))]), { actor: 'mayor', rig: 'demo' });
    const claimed: Record<string, string[]> = { 'demo/polecats/nux': [], 'demo/polecats/slit': [] };
    w.ledger.close(m.steps[0]!.beadId);
    new Ledger(w.town.db, { actor: 'demo/polecats/nux', prefix: 'dm' }).update(m.steps[1]!.beadId, { claim: true });
    new Ledger(w.town.db, { actor: 'demo/polecats/slit', prefix: 'dm' }).update(m.steps[2]!.beadId, { claim: true });
    const work = async (agent: string, start: string) => {
      claimed[agent]!.push(start);
      for (let cur: string | undefined = start; cur;) {
        const r = await runBin(BD_BIN, ['close', cur, '--continue', '--json'], { env: as(agent) });
        expect(r.code, r.err).toBe(0);
        const next: CloseJson['continue'] = r.json<CloseJson>().continue;
        cur = next?.auto_advanced ? next.next_step?.id : undefined;
        if (cur) {
          expect(next?.next_step).toMatchObject({ status: 'in_progress', assignee: agent });
          claimed[agent]!.push(cur);
        }
      }
    };
    await Promise.all([work('demo/polecats/nux', m.steps[1]!.beadId), work('demo/polecats/slit', m.steps[2]!.beadId)]);
    const all = [...claimed['demo/polecats/nux']!, ...claimed['demo/polecats/slit']!];
    console.log(`race: nux worked ${claimed['demo/polecats/nux']!.length} steps, slit ${claimed['demo/polecats/slit']!.length}`);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(m.steps.slice(1).map((s) => s.beadId).sort());
    const view = loadMolecule(w.town.db, m.root, 'dm');
    expect(view.steps.every((s) => s.state === 'done')).toBe(true);
    for (const s of view.steps.slice(1)) expect(claimed[s.assignee]).toContain(s.id);
  });
});

describe('gt mol current / progress', () => {
  it('shows each step as done, current, ready or blocked, for an id or for the agent', async () => {
    const m = pourMolecule(w.town, formula('mixed', [step('a'), step('b'), step('c', ['a']), step('d', ['c'])]), { actor: 'mayor', rig: 'demo' });
    const ids = m.steps.map((s) => s.beadId);
    w.ledger.close(ids[0]!);
    new Ledger(w.town.db, { actor: 'demo/crew/alice', prefix: 'dm' }).update(ids[2]!, { claim: true });
    const r = await gt(['mol', 'current', m.root, '--json'], { env: as('overseer') });
    expect(r.code, r.err).toBe(0);
    const [p] = r.json<Array<{ molecule_id: string; steps: Array<{ issue: { id: string }; status: string; is_current: boolean }>; completed: number; total: number; current_step?: { id: string }; next_step?: unknown }>>();
    expect(p!.molecule_id).toBe(m.root);
    expect(p!.steps.map((s) => [s.issue.id, s.status, s.is_current])).toEqual([[ids[0], 'done', false], [ids[1], 'ready', false], [ids[2], 'current', true], [ids[3], 'blocked', false]]);
    expect(p).toMatchObject({ completed: 1, total: 4, current_step: { id: ids[2] } });
    expect(p!.next_step).toBeUndefined();
    // found from the agent's in-progress step, without an id; a step id works too
    const mine = (await gt(['mol', 'current', '--json'], { env: as('demo/crew/alice') })).json<Array<{ molecule_id: string }>>();
    expect(mine.map((x) => x.molecule_id)).toEqual([m.root]);
    expect((await gt(['mol', 'current', ids[3]!, '--json'], { env: as('overseer') })).json<Array<{ molecule_id: string }>>()[0]!.molecule_id).toBe(m.root);
    expect((await gt(['mol', 'current', '--json'], { env: as('demo/crew/nobody') })).json()).toEqual([]);
    const text = (await gt(['mol', 'current', m.root], { env: as('demo/crew/alice') })).out;
    expect(text).toContain(`[current] ${ids[2]}: Do c <- YOU ARE HERE`);
    expect(text).toContain(`[blocked] ${ids[3]}: Do d`);
    expect(text).toContain('Progress: 1/4 steps complete (25%)');
    const prog = (await gt(['mol', 'progress', m.root, '--json'], { env: as('overseer') })).json();
    expect(prog).toMatchObject({ molecule_id: m.root, total: 4, completed: 1, in_progress: 1, percent: 25, current_step_id: ids[2], current_step: { id: ids[2], step_id: 'c', status: 'current' } });
    expect((await gt(['mol', 'progress', m.root], { env: as('overseer') })).out).toContain(`${m.root}  1/4 (25%)`);
    const bad = await gt(['mol', 'current', w.bead('plain').id], { env: as('overseer') });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('is not a molecule, a step of one, or a bead with one attached');
  });
});

