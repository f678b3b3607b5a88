// `gt sling <formula> --on <bead>` end to end: the real bin, the real daemon and a session of
// the scripted fake agent. The agent primes (the molecule is in its prime), walks the steps
// with `gt bd close <step> --continue` (finding each from `gt mol progress`), then `gt done`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { moleculeSteps } from '../../src/store/molecule-progress.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, fakeTown, runBin, scriptedBead, townDb, waitFor } from '../e2e/helpers.js';

describe('gt sling <formula> --on <bead> with a live agent', () => {
  const tmp = tempDir('gt-mol-e2e-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir));
    mkdirSync(join(root, 'formulas'), { recursive: true });
    writeFileSync(join(root, 'formulas', 'three-steps.formula.toml'), [
      'formula = "three-steps"',
      '[vars.issue]',
      'required = true',
      ...['look', 'change', 'check'].flatMap((id, i) => ['[[steps]]', `id = "${id}"`, `title = "${id} {{issue}}"`, ...(i ? [`needs = ["${['look', 'change'][i - 1]}"]`] : [])]),
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('attaches a wisp; the agent walks every step with close --continue and finishes', async () => {
    const current = 'gt mol progress --json | node -p "JSON.parse(require(\'fs\').readFileSync(0,\'utf8\'))[0].current_step.id"';
    const bead = await scriptedBead(env, 'walk the molecule', [
      ...[1, 2, 3].map(() => `run gt bd close $(${current}) --continue`),
      'done --no-changes walked the molecule',
    ]);
    const r = await runBin(GT_BIN, ['sling', 'three-steps', '--on', bead, 'app', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const j = r.json<{ bead: string; agent: AgentInfo; molecule: { id: string; wisp: boolean; steps: number; attached_to: string } }>();
    expect(j.bead).toBe(bead);
    expect(j.molecule).toMatchObject({ wisp: true, steps: 3, attached_to: bead });
    const db = townDb(root);
    try {
      await waitFor(() => (db.prepare('SELECT status FROM issues WHERE id = ?').pluck().get(bead) as string) === 'closed', 30_000, 'the bead closed by gt done');
      // gt done squashed the finished wisp: the root is closed with its digest, the steps are gone
      const rootDoc = JSON.parse(db.prepare('SELECT doc FROM issues WHERE id = ?').pluck().get(j.molecule.id) as string) as { status: string; metadata: { digest?: string } };
      expect(rootDoc.status).toBe('closed');
      const digest = JSON.parse(db.prepare('SELECT doc FROM issues WHERE id = ?').pluck().get(rootDoc.metadata.digest!) as string) as { status: string; description: string };
      expect(digest.status).toBe('closed');
      // the digest names who finished and every step it walked
      expect(digest.description).toBe(`${j.agent.address} finished ${bead}: look, change, check`);
      expect(moleculeSteps(db, j.molecule.id)).toEqual([]);
      const closes = db.prepare("SELECT subject FROM town_events WHERE type = 'polecat.done' AND actor = ?").pluck().all(j.agent.address) as string[];
      expect(closes).toContain(bead);
    } finally {
      db.close();
    }
  });

  it('a plain bead still slings as before, and an unknown name is still "no bead"', async () => {
    const bead = await scriptedBead(env, 'plain', ['done --no-changes nothing to do']);
    const r = await runBin(GT_BIN, ['sling', bead, 'app', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    expect(r.json<Record<string, unknown>>().molecule).toBeUndefined();
    const none = await runBin(GT_BIN, ['sling', 'app-zzzz', 'app'], { env });
    expect(none.code).toBe(1);
    expect(none.err).toContain('no bead "app-zzzz"');
  });
});
