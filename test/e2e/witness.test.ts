// Issue #5 end to end: the witness's ladder for a stuck agent (nudge → handoff restart →
// escalation), each step bound to the session generation it saw; real daemon, PTYs, fake agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/daemon/agent-service.js';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, fakeTown, gt, runBin, scriptedBead, sling, townDb, waitFor } from './helpers.js';

describe('witness: a stuck agent', () => {
  const tmp = tempDir('gt-witness-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir, { stuckMs: 1500 }));
    for (const [key, value] of [['witness.stuck_nudge_wait_ms', '1000'], ['witness.stuck_handoff_wait_ms', '1000']]) {
      expect((await gt(['config', 'set', key!, value!], { env })).code).toBe(0);
    }
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('is nudged, then restarted with a handoff, then escalated, each action on the generation it saw', async () => {
    const bead = await scriptedBead(env, 'goes silent', ['sleep 120000']);
    const { address, generation: g1 } = (await sling(env, bead)).json<{ agent: AgentInfo }>().agent;
    const db = townDb(root);
    try {
      const esc = await waitFor(() => db.prepare("SELECT * FROM escalations WHERE bead_id = ? AND category = 'blocked'").get(bead) as
        { summary: string; source: string; source_generation: number; detail: string } | undefined, 45_000, 'the escalation of the stuck agent');
      expect(esc).toMatchObject({ summary: `${address} is stuck after a nudge and a restart`, source: 'app/witness', source_generation: g1 + 1 });
      expect(esc.detail).toContain('Last screen lines:');
      expect(esc.detail).toContain(`hooked ${bead}: goes silent`);

      const acted = (db.prepare("SELECT payload FROM town_events WHERE type = 'witness.acted' AND subject = ? ORDER BY id").pluck().all(address) as string[])
        .map((p) => JSON.parse(p) as { generation: number; action: string });
      expect(acted.map((a) => [a.generation, a.action.replace(/ esc-\d+/, ' esc-N')])).toEqual([
        [g1, 'nudged (stuck)'],
        [g1, 'handoff restart (still stuck after the nudge)'],
        [g1 + 1, `escalated esc-N: ${address} is stuck after a nudge and a restart`],
      ]);
      // the nudge was bound to the first session; the restart made exactly one more
      expect(db.prepare("SELECT generation FROM nudges WHERE agent = ? AND text LIKE 'You look stuck%'").pluck().all(address)).toEqual([g1]);
      expect(db.prepare('SELECT generation FROM sessions WHERE agent = ? ORDER BY generation').pluck().all(address)).toEqual([g1, g1 + 1]);
      expect((db.prepare("SELECT payload FROM town_events WHERE type = 'agent.restarted' AND subject = ?").pluck().all(address) as string[]).map((p) => JSON.parse(p) as unknown))
        .toEqual([{ from: g1, generation: g1 + 1, reason: 'witness: stuck' }]);
    } finally {
      db.close();
    }
  }, 60_000);
});
