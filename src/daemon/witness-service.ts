/**
 * The witness (issue #5; Gas Town §3.7), as deterministic code in the daemon. Every second it
 * looks at each agent session and acts, always naming the session generation it saw, so an
 * action meant for an earlier session is refused (STALE_GENERATION) instead of hitting a fresh
 * one:
 * - waiting for input longer than `witness.waiting_ms` → an escalation carrying the last screen
 *   lines (once per question: when the agent goes on, that escalation is closed as settled);
 * - stuck → a nudge; still stuck after `witness.stuck_nudge_wait_ms` → a handoff restart; still
 *   stuck `witness.stuck_handoff_wait_ms` after that → an escalation. Out of `stuck` for twice
 *   `agent_status.stuck_ms` counts as recovered, and the ladder starts over;
 * - exited while work is on its hook (and not stopped on request) → restarted, at most
 *   `witness.max_restarts` times per bead, then escalated and left alone.
 * It also moves unacknowledged escalations up their route (`escalation.reescalate_ms`).
 */
import { GtError } from '../core/errors.js';
import { nowTime, timeMs } from '../core/ledger/time.js';
import type { TownSettings } from '../core/town/settings.js';
import { closeEscalation, getEscalation, raiseEscalation, reescalateDue } from '../store/escalations.js';
import { recordEvent } from '../store/events.js';
import { writeTx } from '../store/sqlite/db.js';
import { getAgent } from '../store/work/agents.js';
import type { AgentService, LiveAgent } from './agent-service.js';
import type { DaemonContext, DaemonService } from './daemon.js';

/** What the witness types into a stuck agent. */
export const STUCK_NUDGE = 'You look stuck. Check your hook with gt prime and continue, or run gt escalate if you need help.';

/** How often the witness looks, in ms. */
export const WITNESS_TICK_MS = 1000;

interface WitnessRow {
  address: string;
  generation: number;
  bead_id: string;
  status: string;
  since: string;
  stuck_stage: number;
  restarts: number;
  escalation_id: string | null;
  updated_at: string;
}

/** Make the witness service over the agent service. */
export function witnessService(ctx: DaemonContext, agents: AgentService): DaemonService {
  const db = ctx.town.db;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let lastReescalate = 0;

  const load = (address: string): WitnessRow | undefined => db.prepare('SELECT * FROM witness_state WHERE address = ?').get(address) as WitnessRow | undefined;
  const save = (row: WitnessRow) => writeTx(db, () => db.prepare(`INSERT INTO witness_state (address, generation, bead_id, status, since, stuck_stage, restarts, escalation_id, updated_at)
    VALUES (@address, @generation, @bead_id, @status, @since, @stuck_stage, @restarts, @escalation_id, @updated_at)
    ON CONFLICT(address) DO UPDATE SET generation = excluded.generation, bead_id = excluded.bead_id, status = excluded.status, since = excluded.since,
      stuck_stage = excluded.stuck_stage, restarts = excluded.restarts, escalation_id = excluded.escalation_id, updated_at = excluded.updated_at`).run({ ...row, updated_at: nowTime() }));

  const stuckNudgePending = db.prepare("SELECT 1 FROM nudges WHERE agent = ? AND generation = ? AND state IN ('queued', 'delivering') AND text = ? LIMIT 1").pluck();

  const act = (a: LiveAgent, what: string, payload: Record<string, unknown> = {}) => {
    ctx.log(`witness: ${a.address}#${a.generation}: ${what}`);
    try {
      recordEvent(ctx.town, { type: 'witness.acted', actor: 'witness', rig: a.address.split('/')[0] ?? '', subject: a.address, payload: { generation: a.generation, action: what, ...payload } });
    } catch { /* events are best effort here */ }
  };

  const escalate = (a: LiveAgent, bead: string, severity: 'high' | 'medium', category: 'decision' | 'blocked' | 'failed', summary: string): string => {
    const screen = a.session.screenText().filter((l) => l.trim()).slice(-15);
    const e = raiseEscalation(ctx.town, {
      severity, category, summary, source: `${a.address.split('/')[0]}/witness`, sourceGeneration: a.generation,
      ...(bead ? { beadId: bead } : {}), detail: `Agent ${a.address} (session generation ${a.generation}).\nLast screen lines:\n${screen.join('\n')}`,
    });
    act(a, `escalated ${e.id}: ${summary}`, { escalation: e.id });
    return e.id;
  };

  const look = async (a: LiveAgent, now: number, settings: TownSettings): Promise<void> => {
    const w = settings.witness;
    const agent = getAgent(db, a.address);
    if (!agent || agent.generation !== a.generation && a.session.state === 'running') return; // a newer session exists
    const bead = agent.hook_bead;
    const status = a.session.state === 'running' ? a.verdict.status : 'exited';
    let row = load(a.address);
    if (!row || row.generation !== a.generation) {
      const sameBead = row && row.bead_id === bead;
      row = {
        address: a.address, generation: a.generation, bead_id: bead, status, since: nowTime(),
        // a handoff by the witness keeps its stage; restarts count per bead
        stuck_stage: sameBead && row!.stuck_stage === 2 ? 2 : 0, restarts: sameBead ? row!.restarts : 0,
        escalation_id: null, updated_at: '',
      };
      save(row);
    }
    if (row.bead_id !== bead) {
      row = { ...row, bead_id: bead, restarts: 0, stuck_stage: 0, escalation_id: null };
      save(row);
    }
    if (row.status !== status) {
      const left = row.status;
      row = { ...row, status, since: nowTime() };
      if (left === 'waiting' && status !== 'exited' && row.escalation_id && row.stuck_stage < 3) {
        // someone answered: the question's escalation is settled, and a later question gets its own
        settleEscalation(row.escalation_id, a);
        row = { ...row, escalation_id: null };
      }
      save(row);
    }
    const inStatus = now - timeMs(row.since);

    if (status === 'waiting' && inStatus >= w.waiting_ms && !row.escalation_id) {
      save({ ...row, escalation_id: escalate(a, bead, 'high', 'decision', `${a.address} is waiting for input`) });
      return;
    }
    if (status === 'stuck') {
      if (row.stuck_stage === 0) {
        agents.nudges.enqueue(a.address, STUCK_NUDGE, { urgent: true, generation: a.generation });
        act(a, 'nudged (stuck)');
        save({ ...row, stuck_stage: 1, since: nowTime() });
      } else if (row.stuck_stage === 1 && inStatus >= w.stuck_nudge_wait_ms) {
        save({ ...row, stuck_stage: 2, since: nowTime() });
        act(a, 'handoff restart (still stuck after the nudge)');
        await agents.restartAgent(a.address, a.generation, 'witness: stuck').catch((e: GtError) => act(a, `restart refused: ${e.message}`));
      } else if (row.stuck_stage === 2 && inStatus >= w.stuck_handoff_wait_ms && !row.escalation_id) {
        save({ ...row, stuck_stage: 3, escalation_id: escalate(a, bead, 'high', 'blocked', `${a.address} is stuck after a nudge and a restart`) });
      }
      return;
    }
    // Out of `stuck` for twice the stuck threshold: it printed again after its first stuck_ms
    // (else it would be stuck again), so it recovered and a later stall starts the ladder over.
    // The echo of the witness's own nudge alone does not last that long.
    if (status !== 'exited' && (row.stuck_stage === 1 || row.stuck_stage === 2)) {
      if (stuckNudgePending.get(a.address, a.generation, STUCK_NUDGE)) {
        // the nudge is still being typed and retried: its echo is not the agent's progress
        save({ ...row, since: nowTime() });
        return;
      }
      if (inStatus >= 2 * settings.agent_status.stuck_ms) {
        save({ ...row, stuck_stage: 0 });
        act(a, 'recovered from stuck');
        return;
      }
    }
    if (status === 'exited' && bead && !a.stoppedOnRequest && a.session.exitCode !== 127) {
      if (row.escalation_id) return; // given up on this bead: left for a human
      if (row.restarts >= w.max_restarts) {
        save({ ...row, escalation_id: escalate(a, bead, 'high', 'failed', `${a.address} died ${row.restarts + 1} times on ${bead}; not restarting`) });
        return;
      }
      if (agent.generation !== a.generation) return; // someone already started a newer session
      save({ ...row, restarts: row.restarts + 1 });
      act(a, `restart ${row.restarts + 1}/${w.max_restarts} (exited with work on the hook: ${a.session.exitReason ?? a.session.exitCode})`);
      try {
        agents.startAgent(a.address, { reason: `restarted by the witness (${row.restarts + 1}/${w.max_restarts})` });
      } catch (e) {
        act(a, `restart failed: ${(e as Error).message}`);
      }
    }
  };

  /** Close a waiting escalation the agent no longer needs (it went on), unless a human closed it. */
  const settleEscalation = (id: string, a: LiveAgent): void => {
    try {
      const e = getEscalation(ctx.town, id);
      if (e.state !== 'closed' && e.category === 'decision') {
        closeEscalation(ctx.town, id, `${a.address.split('/')[0]}/witness`, `${a.address} is no longer waiting (now ${a.verdict.status})`);
        act(a, `settled ${id}: no longer waiting`, { escalation: id });
      }
    } catch (err) {
      ctx.log(`witness: could not settle ${id}: ${(err as Error).message}`);
    }
  };

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const settings = ctx.town.settings();
      const now = Date.now();
      if (settings.witness.enabled) for (const a of agents.all()) await look(a, now, settings);
      if (now - lastReescalate >= 5000) {
        lastReescalate = now;
        for (const e of reescalateDue(ctx.town, now)) ctx.log(`escalation ${e.id} moved up to ${e.assignee}`);
      }
    } catch (e) {
      ctx.log(`witness tick failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      busy = false;
    }
  };

  return {
    name: 'witness',
    start: () => { timer = setInterval(() => void tick(), WITNESS_TICK_MS); },
    stop: () => { if (timer) clearInterval(timer); },
  };
}
