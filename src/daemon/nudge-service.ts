/**
 * Nudges: text typed into a live session (issue #3 §2, Gas Town §3.5), kept in SQLite so none
 * is lost. A nudge waits while the agent is busy and is typed at its next idle (an urgent one at
 * once), with bracketed paste when the agent turned that mode on (so a multi-line text arrives as
 * one paste), then Enter; delivery is confirmed by a change of the screen and retried. A nudge
 * bound to a session generation is never typed into a later session ('stale').
 *
 * Exactly once: a nudge is claimed (queued → delivering) in one UPDATE before it is typed and
 * ends delivered or failed; after a daemon crash a nudge left in 'delivering' is not typed again
 * (marked 'stale'), because the old session it was being typed into is gone.
 */
import { GtError } from '../core/errors.js';
import { nowTime } from '../core/ledger/time.js';
import { parseAgentAddress } from '../core/work/names.js';
import { recordEvent } from '../store/events.js';
import { writeTx } from '../store/sqlite/db.js';
import type { AgentService, LiveAgent } from './agent-service.js';
import type { DaemonContext } from './daemon.js';

/** Longest nudge text, in characters (a nudge is a prompt, not a document). */
export const MAX_NUDGE_CHARS = 16_000;
/** Tries before a nudge is marked failed. */
export const NUDGE_ATTEMPTS = 3;

/** A nudge row. */
export interface NudgeRow {
  id: number;
  agent: string;
  generation: number | null;
  text: string;
  urgent: number;
  state: 'queued' | 'delivering' | 'delivered' | 'failed' | 'stale';
  attempts: number;
  error: string | null;
  created_at: string;
  delivered_at: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nudge queue and its delivery. */
export class NudgeService {
  private readonly inFlight = new Set<string>();
  private readonly bracketed = new Map<string, boolean>();

  constructor(private readonly ctx: DaemonContext, private readonly agents: AgentService) {
    ctx.handle('nudge.send', (p) => {
      const address = String(p.address ?? '');
      const text = String(p.text ?? '');
      if (!address) throw new GtError('USAGE', 'missing "address"');
      const id = this.enqueue(address, text, { urgent: Boolean(p.urgent), ...(p.generation !== undefined ? { generation: Number(p.generation) } : {}) });
      setImmediate(() => this.deliver());
      return this.get(id);
    });
    ctx.handle('nudge.status', (p) => this.get(Number(p.id)));
  }

  /** Remember whether the agent has bracketed paste on (DECSET 2004), from its output. */
  observe(address: string, chunk: string): void {
    const on = chunk.lastIndexOf('\x1b[?2004h');
    const off = chunk.lastIndexOf('\x1b[?2004l');
    if (on > off) this.bracketed.set(address, true);
    else if (off > on) this.bracketed.set(address, false);
  }

  /**
   * Queue a nudge.
   *
   * @throws GtError INVALID_VALUE for empty text or text over {@link MAX_NUDGE_CHARS}.
   */
  enqueue(address: string, text: string, options: { urgent?: boolean; generation?: number } = {}): number {
    if (!text.trim()) throw new GtError('INVALID_VALUE', 'a nudge needs text', { fix: 'gt nudge <agent> "what to do"' });
    if (text.length > MAX_NUDGE_CHARS) throw new GtError('INVALID_VALUE', `the nudge is ${text.length} characters; the limit is ${MAX_NUDGE_CHARS}`, { fix: 'send the detail as mail or a bead, and nudge a short pointer to it' });
    const db = this.ctx.town.db;
    return writeTx(db, () => Number(db.prepare('INSERT INTO nudges (agent, generation, text, urgent, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(address, options.generation ?? null, text, options.urgent ? 1 : 0, nowTime()).lastInsertRowid));
  }

  /** A nudge row. @throws GtError NOT_FOUND. */
  get(id: number): NudgeRow {
    const row = this.ctx.town.db.prepare('SELECT * FROM nudges WHERE id = ?').get(id) as NudgeRow | undefined;
    if (!row) throw new GtError('NOT_FOUND', `no nudge ${id}`);
    return row;
  }

  /** After a restart: nudges caught mid-typing by a crash are not typed again. */
  recover(): void {
    const db = this.ctx.town.db;
    writeTx(db, () => db.prepare("UPDATE nudges SET state = 'stale', error = 'the daemon stopped while typing it' WHERE state = 'delivering'").run());
  }

  /** Type every deliverable queued nudge (called on each status tick). */
  deliver(): void {
    const db = this.ctx.town.db;
    const queued = db.prepare("SELECT * FROM nudges WHERE state = 'queued' ORDER BY urgent DESC, id").all() as NudgeRow[];
    for (const n of queued) {
      if (this.inFlight.has(n.agent)) continue;
      const live = this.agents.get(n.agent);
      if (!live || live.session.state !== 'running') continue; // waits for a session
      if (n.generation !== null && n.generation !== live.generation) {
        writeTx(db, () => db.prepare("UPDATE nudges SET state = 'stale', error = ? WHERE id = ? AND state = 'queued'")
          .run(`meant for generation ${n.generation}; the session is now generation ${live.generation}`, n.id));
        continue;
      }
      const status = live.verdict.status;
      if (!n.urgent && status !== 'idle') continue; // delivered at its next idle
      if (n.urgent && status === 'starting' && !live.readySeen) continue;
      const claimed = writeTx(db, () => db.prepare("UPDATE nudges SET state = 'delivering', attempts = attempts + 1 WHERE id = ? AND state = 'queued'").run(n.id).changes === 1);
      if (!claimed) continue;
      this.inFlight.add(n.agent);
      void this.type(live, n).finally(() => this.inFlight.delete(n.agent));
    }
  }

  private async waitChange(live: LiveAgent, before: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await live.session.whenIdleWritten();
      if (live.session.screenText().join('\n') !== before) return true;
      if (live.session.state !== 'running') return false;
      await sleep(25);
    }
    return false;
  }

  private async type(live: LiveAgent, n: NudgeRow): Promise<void> {
    const db = this.ctx.town.db;
    const screen = () => live.session.screenText().join('\n');
    let ok = false;
    let error = '';
    try {
      await live.session.whenIdleWritten();
      const before = screen();
      const paste = this.bracketed.get(live.address)
        ? `\x1b[200~${n.text}\x1b[201~`
        : n.text.replace(/\r?\n/g, ' '); // without bracketed paste a newline would submit early
      live.session.write(paste);
      if (!(await this.waitChange(live, before, 2_000))) {
        error = 'the text did not appear on the screen';
      } else {
        for (let enter = 0; enter < 2 && !ok; enter++) {
          const typed = screen();
          live.session.write('\r');
          ok = await this.waitChange(live, typed, 2_000);
        }
        if (!ok) error = 'Enter did not change the screen';
      }
    } catch (e) {
      error = (e as Error).message;
    }
    writeTx(db, () => {
      if (ok) {
        db.prepare("UPDATE nudges SET state = 'delivered', delivered_at = ?, error = NULL WHERE id = ?").run(nowTime(), n.id);
        recordEvent(this.ctx.town, { type: 'agent.nudged', actor: 'deacon', rig: parseAgentAddress(n.agent)?.rig ?? '', subject: n.agent, payload: { nudge: n.id, generation: n.generation, urgent: n.urgent === 1 } });
      }
      else db.prepare('UPDATE nudges SET state = ?, error = ? WHERE id = ?').run(n.attempts >= NUDGE_ATTEMPTS ? 'failed' : 'queued', error, n.id);
    });
    this.ctx.log(`nudge ${n.id} to ${n.agent}: ${ok ? 'delivered' : `not delivered (${error})`}`);
    this.ctx.publish('agents', 'nudge.state', { id: n.id, address: n.agent, state: ok ? 'delivered' : n.attempts >= NUDGE_ATTEMPTS ? 'failed' : 'queued' });
  }
}
