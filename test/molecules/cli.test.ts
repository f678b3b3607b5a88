// `gt mol pour|wisp` through the real formula store: a formula file in the town's formulas/
// directory (and a shipped one), cooked with --var, poured with beads' JSON shape.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moleculeSteps } from '../../src/store/molecule-progress.js';
import { gt } from '../cli/helpers.js';
import { isolateGit, makeWorld, type World } from '../work/helpers.js';

let env: ReturnType<typeof isolateGit>;
let w: World;
let as: NodeJS.ProcessEnv;
beforeAll(async () => {
  env = isolateGit();
  w = await makeWorld(env.base);
  as = { GT_TOWN: w.root, BD_ACTOR: 'mayor' };
  mkdirSync(join(w.root, 'formulas'), { recursive: true });
  writeFileSync(join(w.root, 'formulas', 'fix-bug.formula.toml'), [
    'formula = "fix-bug"',
    'description = "Fix {{issue}} in {{component}}"',
    '[vars.component]',
    'required = true',
    '[vars.issue]',
    'default = "(none)"',
    '[[steps]]',
    'id = "reproduce"',
    'title = "Reproduce {{issue}}"',
    '[[steps]]',
    'id = "fix"',
    'title = "Fix {{component}}"',
    'needs = ["reproduce"]',
    'run = "npm test"',
    '[[steps]]',
    'id = "review"',
    'type = "human"',
    'needs = ["fix"]',
    '',
  ].join('\n'));
});
afterAll(() => {
  w.close();
  env.cleanup();
});

describe('gt mol pour / wisp', () => {
  it('cooks a town formula with --var and pours it (beads JSON shape)', async () => {
    const r = await gt(['mol', 'pour', 'fix-bug', '--var', 'component=parser', '--rig', 'demo', '--json'], { env: as });
    expect(r.code, r.err).toBe(0);
    const j = r.json<{ new_epic_id: string; id_mapping: Record<string, string>; created: number; phase: string; formula: string }>();
    expect(j).toMatchObject({ created: 4, phase: 'liquid', formula: 'fix-bug' });
    expect(j.new_epic_id).toMatch(/^dm-/);
    expect(j.id_mapping).toEqual({ reproduce: `${j.new_epic_id}.1`, fix: `${j.new_epic_id}.2`, review: `${j.new_epic_id}.3` });
    const steps = moleculeSteps(w.town.db, j.new_epic_id);
    expect(steps.map((s) => [s.stepId, s.title, s.state, s.human])).toEqual([
      ['reproduce', 'Reproduce (none)', 'ready', false], ['fix', 'Fix parser', 'blocked', false], ['review', 'review', 'blocked', true],
    ]);
    expect(steps[1]!.issue.metadata).toMatchObject({ step_id: 'fix', run: 'npm test' });
    expect(w.ledger.get(j.new_epic_id)).toMatchObject({ description: 'Fix (none) in parser', metadata: { vars: { component: 'parser', issue: '(none)' } } });
  });

  it('pours a wisp on a bead, passing the bead as {{issue}}', async () => {
    const bead = w.bead('Parser crash');
    const r = await gt(['mol', 'wisp', 'fix-bug', '--var', 'component=lexer', '--on', bead.id, '--json'], { env: as });
    expect(r.code, r.err).toBe(0);
    const j = r.json<{ new_epic_id: string; phase: string; attached: string }>();
    expect(j).toMatchObject({ phase: 'vapor', attached: bead.id });
    expect(w.ledger.get(`${j.new_epic_id}.1`)).toMatchObject({ title: `Reproduce ${bead.id}`, ephemeral: true });
    expect(w.ledger.get(bead.id).metadata).toMatchObject({ molecule: j.new_epic_id });
  });

  it('pours a shipped convoy formula as legs and a synthesis, and reports formula errors', async () => {
    const r = await gt(['mol', 'pour', 'code-review', '--json'], { env: as });
    expect(r.code, r.err).toBe(0);
    const root = r.json<{ new_epic_id: string }>().new_epic_id;
    const steps = moleculeSteps(w.town.db, root);
    const legs = steps.filter((s) => s.issue.labels?.includes('leg'));
    expect(legs.length).toBeGreaterThan(1);
    expect(legs.every((s) => s.state === 'ready')).toBe(true);
    expect(steps.at(-1)).toMatchObject({ stepId: 'synthesis', state: 'blocked' });

    const missing = await gt(['mol', 'pour', 'fix-bug'], { env: as });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('needs var "component"');
    const unknown = await gt(['mol', 'pour', 'no-such-formula'], { env: as });
    expect(unknown.err).toContain('no formula "no-such-formula"');
    expect((await gt(['mol', 'pour', 'fix-bug', '--var', 'oops'], { env: as })).code).toBe(2);
  });
});
