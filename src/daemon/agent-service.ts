/**
 * The daemon's agent service: starts agents' sessions in the session host, keeps their status
 * (core/agents/status.ts) current from the live byte stream, records every session in SQLite,
 * streams output to subscribers, types nudges, and after a daemon restart starts again the
 * sessions of agents that still have work on their hook.
 *
 * Every session has a generation (agents.generation, +1 per start); input, nudges and patrol
 * actions carry it and are refused for any other generation (STALE_GENERATION), so a message
 * meant for an old session never lands in a fresh one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../core/errors.js';
import { isReady, launchArgv, resolveRuntime, type RuntimePreset } from '../core/agents/presets.js';
import { getCompiledRules, matchScreen, type CompiledRules } from '../core/agents/screen-rules.js';
import { decideStatus, exitMessage, explainStatus, type HookEvent, type StatusVerdict } from '../core/agents/status.js';
import { HostedSession } from '../sessions/hosted-session.js';
import { SessionHost } from '../sessions/session-host.js';
import { recordEvent } from '../store/events.js';
import { writeTx } from '../store/sqlite/db.js';
import { getAgent, insertSession, listAgents, markSessionExited, nextGeneration, requireAgent, updateAgent, type AgentRow } from '../store/work/agents.js';
import { unhookBead } from '../store/work/hook.js';
import { agentEnv, beacon } from './agent-env.js';
import { hookArgs, installAgentHooks } from './agent-hooks.js';
import type { DaemonContext, DaemonService } from './daemon.js';
import { NudgeService } from './nudge-service.js';
import { recordingsDir } from './paths.js';

/** An agent whose session this daemon hosts. */
export interface LiveAgent {
  address: string;
  generation: number;
  session: HostedSession;
  preset: RuntimePreset;
  rules: CompiledRules;
  readySeen: boolean;
  /** The bead that was on the agent's hook when this session started ('' for none). */
  startedHook: string;
  /** Prompt still to be typed once the agent is ready (prompt mode type/none). */
  typedPrompt?: string;
  hookEvent?: HookEvent;
  verdict: StatusVerdict;
  /** Set when the session was stopped on request (stop, restart, handoff): the witness leaves it alone. */
  stoppedOnRequest?: boolean;
}

/** How often status is recomputed, in ms. */
export const STATUS_TICK_MS = 200;

/** Public shape of an agent in `agent.list`. */
export interface AgentInfo {
  address: string;
  role: string;
  rig: string;
  name: string;
  runtime: string;
  state: string;
  hook_bead: string;
  generation: number;
  session: null | { id: string; pid: number | null; status: string; why: string; started_at: string; bytes_out?: number; exit_code?: number; exit_reason?: string };
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw new GtError('USAGE', `missing "${name}"`);
  return v;
};

/** The agent service of the daemon. */
export class AgentService implements DaemonService {
  readonly name = 'agents';
  readonly host = new SessionHost();
  private readonly live = new Map<string, LiveAgent>();
  private readonly exited = new Map<string, { generation: number; code: number; reason: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** The nudge queue (the witness nudges through it). */
  readonly nudges: NudgeService;
  private stopping = false;

  constructor(private readonly ctx: DaemonContext) {
    this.nudges = new NudgeService(ctx, this);
    ctx.stat('sessions', () => this.all().filter((a) => a.session.state === 'running').length);
    ctx.handle('agent.start', (p) => this.info(this.startAgent(str(p.address, 'address'), { runtime: p.runtime as string | undefined, prompt: p.prompt as string | undefined, reason: (p.reason as string | undefined) ?? 'started' }).address));
    ctx.handle('agent.stop', (p) => this.stopAgent(str(p.address, 'address'), p.generation as number | undefined));
    ctx.handle('agent.ensure', (p) => this.ensureAgent(str(p.address, 'address'), (p.reason as string | undefined) ?? 'assigned', p.runtime as string | undefined));
    ctx.handle('agent.restart', (p) => this.restartAgent(str(p.address, 'address'), p.generation as number | undefined, (p.reason as string | undefined) ?? 'handoff', p.runtime as string | undefined));
    ctx.handle('agent.list', (p) => this.list(p.rig as string | undefined));
    ctx.handle('agent.explain', (p) => this.explain(str(p.address, 'address')));
    ctx.handle('agent.report', (p) => this.report(str(p.address, 'address'), Number(p.generation), str(p.kind, 'kind'), typeof p.message === 'string' ? p.message : undefined));
    ctx.handle('agent.peek', (p) => this.peek(str(p.address, 'address'), Number(p.lines ?? 0)));
    ctx.handle('session.snapshot', (p) => this.mustLive(str(p.address, 'address')).session.snapshot());
    ctx.handle('session.subscribe', (p, conn) => {
      const a = this.mustLive(str(p.address, 'address'));
      conn.topics.add(`session:${a.address}`);
      return a.session.snapshot(); // then every 'session.data' published after it
    });
    ctx.handle('session.unsubscribe', (p, conn) => {
      conn.topics.delete(`session:${String(p.address)}`);
      return { ok: true };
    });
    ctx.handle('session.input', (p) => {
      const a = this.mustLive(str(p.address, 'address'), p.generation as number | undefined);
      a.session.write(String(p.data ?? ''));
      return { ok: true };
    });
    ctx.handle('session.resize', (p) => {
      const a = this.mustLive(str(p.address, 'address'), p.generation as number | undefined);
      a.session.resize(Math.max(20, Number(p.cols)), Math.max(5, Number(p.rows)));
      return { cols: a.session.cols, rows: a.session.rows };
    });
  }

  /** The live agent at `address`, if its session runs here. */
  get(address: string): LiveAgent | undefined {
    return this.live.get(address);
  }

  /** Every live agent. */
  all(): LiveAgent[] {
    return [...this.live.values()];
  }

  /**
   * The live agent, checking the generation when one is given.
   *
   * @throws GtError SESSION_NOT_FOUND when it has no running session, STALE_GENERATION when the
   * caller meant an earlier session.
   */
  mustLive(address: string, generation?: number): LiveAgent {
    const a = this.live.get(address);
    if (!a || a.session.state !== 'running') {
      const ex = this.exited.get(address);
      throw new GtError('SESSION_NOT_FOUND', `${address} has no running session${ex ? ` (generation ${ex.generation} ${ex.reason})` : ''}`, {
        fix: `start it: gt sling <bead> ${address}, or see gt agents`,
      });
    }
    if (generation !== undefined && generation !== null && Number(generation) !== a.generation) {
      throw new GtError('STALE_GENERATION', `${address} is now generation ${a.generation}; refused an action for generation ${generation}`, {
        fix: 'the session restarted; re-read its state before acting',
      });
    }
    return a;
  }

  /**
   * Start a session for an agent that exists in the agents table.
   *
   * @throws GtError AGENT_NOT_FOUND, INVALID_VALUE (unknown runtime, listing the presets),
   * DAEMON_RUNNING-like conflicts when it already has a running session.
   */
  startAgent(address: string, options: { runtime?: string; prompt?: string; reason: string }): LiveAgent {
    const { town } = this.ctx;
    const existing = this.live.get(address);
    if (existing && existing.session.state === 'running') {
      throw new GtError('INVALID_VALUE', `${address} already has a running session (generation ${existing.generation})`, { fix: `attach to it: gt attach ${address}` });
    }
    const agent = requireAgent(town.db, address);
    const settings = town.settings();
    const preset = resolveRuntime(options.runtime || agent.runtime || settings.default_agent, settings.agents, process.env);
    // Hooks first: a settings file it cannot merge stops the start before anything is recorded.
    const cwd = agent.worktree || this.ctx.root;
    installAgentHooks(preset.hooks, cwd);
    const generation = writeTx(town.db, () => nextGeneration(town.db, address));
    const fresh = getAgent(town.db, address) ?? agent;
    const launch = launchArgv(preset, { prompt: options.prompt ?? beacon(fresh, options.reason), extraArgs: hookArgs(preset.hooks) });
    const env = agentEnv({ root: this.ctx.root, agent: fresh, preset, generation, base: process.env, emailDomain: settings.agent_email_domain, gtBin: this.ctx.gtBin });
    mkdirSync(recordingsDir(this.ctx.root), { recursive: true });
    const recordFile = settings.sessions.record ? join(recordingsDir(this.ctx.root), `${address.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${generation}.cast`) : undefined;
    this.exited.delete(address);
    const session = this.host.start({
      id: address, generation, command: launch.command, args: launch.args, cwd, env,
      cols: settings.sessions.cols, rows: settings.sessions.rows, scrollback: settings.sessions.scrollback,
      ...(recordFile ? { recordFile } : {}),
    });
    const sessionId = `${address}#${generation}`;
    writeTx(town.db, () => {
      insertSession(town.db, { agent: address, generation, runtime: preset.name, argv: [launch.command, ...launch.args], cwd, ...(session.pid !== undefined ? { pid: session.pid } : {}), ...(recordFile ? { recording: recordFile } : {}) });
      updateAgent(town.db, address, { runtime: preset.name, state: 'working', generation });
      recordEvent(this.ctx.town, { type: 'agent.started', actor: 'deacon', rig: fresh.rig, subject: address, payload: { generation, runtime: preset.name, reason: options.reason } });
    });
    const live: LiveAgent = {
      address, generation, session, preset, rules: getCompiledRules(preset.rules), readySeen: false, startedHook: fresh.hook_bead,
      ...(launch.typedPrompt ? { typedPrompt: launch.typedPrompt } : {}),
      verdict: { status: 'starting', why: 'just started', signals: [] },
    };
    this.live.set(address, live);
    session.on('data', (data) => {
      this.nudges.observe(address, data);
      this.ctx.publish(`session:${address}`, 'session.data', { address, generation, data });
    });
    session.on('title', (title) => this.ctx.publish(`session:${address}`, 'session.title', { address, generation, title }));
    session.on('exit', (exit) => this.onExit(live, sessionId, exit.code, exit.reason));
    this.ctx.log(`started ${sessionId}: ${launch.command} ${launch.args.map((a) => JSON.stringify(a)).join(' ')} in ${cwd}`);
    this.ctx.publish('agents', 'agent.started', { address, generation, runtime: preset.name });
    return live;
  }

  private onExit(live: LiveAgent, sessionId: string, code: number, exitReason: string): void {
    const { town } = this.ctx;
    // The CLI's own last words ("Failed to connect to api.anthropic.com: ENOTFOUND") go with the reason.
    const screen = live.session.screenText();
    const message = live.stoppedOnRequest || this.stopping || code === 0 || code === 127 ? '' : exitMessage(matchScreen(live.rules, screen, '').error, screen);
    const reason = message ? `${exitReason}: "${message}"` : exitReason;
    this.exited.set(live.address, { generation: live.generation, code, reason, at: Date.now() });
    live.verdict = { status: 'exited', why: reason, signals: [] };
    if (this.stopping) return; // the stop path records its own reason
    try {
      writeTx(town.db, () => markSessionExited(town.db, sessionId, { code, reason }));
      recordEvent(this.ctx.town, { type: 'agent.exited', actor: 'deacon', rig: getAgent(town.db, live.address)?.rig ?? '', subject: live.address, payload: { generation: live.generation, code, reason } });
      const agent = getAgent(town.db, live.address);
      if (agent && agent.generation === live.generation) {
        updateAgent(town.db, live.address, { state: agent.hook_bead ? 'stalled' : 'idle' });
        if (code === 127 && agent.hook_bead) {
          // The runtime could not start at all: give the work back instead of stalling it.
          unhookBead(town, agent.hook_bead, { reason: `session could not start: ${reason}`, actor: 'deacon' });
        }
      }
    } catch (e) {
      this.ctx.log(`recording the exit of ${sessionId} failed: ${(e as Error).message}`);
    }
    this.ctx.log(`exited ${sessionId}: ${reason}`);
    this.ctx.publish(`session:${live.address}`, 'session.exit', { address: live.address, generation: live.generation, code, reason });
    this.ctx.publish('agents', 'agent.status', { address: live.address, generation: live.generation, status: 'exited', why: reason });
  }

  /** Stop an agent's session (SIGTERM, then SIGKILL). */
  async stopAgent(address: string, generation?: number): Promise<{ address: string; generation: number; code?: number }> {
    const a = this.mustLive(address, generation);
    a.stoppedOnRequest = true;
    const done = new Promise<void>((r) => a.session.once('exit', () => r()));
    a.session.kill('SIGTERM');
    await done;
    return { address, generation: a.generation, ...(a.session.exitCode !== undefined ? { code: a.session.exitCode } : {}) };
  }

  /** Stop and start again on the same hook (handoff; witness restarts). */
  async restartAgent(address: string, generation: number | undefined, reason: string, runtime?: string): Promise<AgentInfo> {
    const before = this.live.get(address);
    if (before?.session.state === 'running') await this.stopAgent(address, generation);
    const fresh = this.startAgent(address, { reason, ...(runtime ? { runtime } : {}) });
    recordEvent(this.ctx.town, { type: 'agent.restarted', actor: 'deacon', rig: getAgent(this.ctx.town.db, address)?.rig ?? '', subject: address, payload: { from: before?.generation ?? null, generation: fresh.generation, reason } });
    return this.info(address);
  }

  /**
   * Make sure the agent has a session working on its current hook: a running session that
   * started with this hook is kept (e.g. one the daemon just recovered); one that started with
   * other (or no) work is replaced by a fresh session; none → start one.
   */
  async ensureAgent(address: string, reason: string, runtime?: string): Promise<AgentInfo> {
    const a = this.live.get(address);
    const agent = requireAgent(this.ctx.town.db, address);
    const sameRuntime = !runtime || a?.preset.name === runtime;
    if (a && a.session.state === 'running' && a.startedHook === agent.hook_bead && sameRuntime) return this.info(address);
    return this.restartAgent(address, undefined, reason, runtime);
  }

  /**
   * Record an agent hook report (Claude Code, Gemini CLI, Codex notify; see agent-hooks.ts) and
   * recompute the status at once, so the TUI and `gt agents` show it without waiting a tick.
   *
   * @throws GtError USAGE for an unknown kind; SESSION_NOT_FOUND / STALE_GENERATION as {@link mustLive}.
   */
  report(address: string, generation: number, kind: string, message?: string): { ok: boolean; status: string } {
    if (!['working', 'idle', 'waiting', 'stop'].includes(kind)) throw new GtError('USAGE', `unknown report "${kind}"`, { fix: 'working, idle, waiting or stop' });
    const a = this.mustLive(address, Number.isFinite(generation) ? generation : undefined);
    a.hookEvent = { kind: kind as HookEvent['kind'], at: Date.now(), runtime: a.preset.hooks === 'none' ? a.preset.name : a.preset.hooks, ...(message ? { message: message.slice(0, 500) } : {}) };
    this.refresh(a, Date.now());
    return { ok: true, status: a.verdict.status };
  }

  /** Recompute one agent's verdict and publish a change of status. */
  private refresh(a: LiveAgent, now: number): void {
    const before = a.verdict.status;
    a.verdict = this.verdictOf(a, now);
    if (a.verdict.status !== before) {
      this.ctx.publish('agents', 'agent.status', { address: a.address, generation: a.generation, status: a.verdict.status, why: a.verdict.why });
    }
  }

  /** The last `lines` lines (screen, or with scrollback when more are asked) of a session. */
  peek(address: string, lines: number): { address: string; generation: number; status: string; lines: string[] } {
    const a = this.live.get(address);
    if (!a) throw new GtError('SESSION_NOT_FOUND', `${address} has no session in this daemon`, { fix: 'see gt agents' });
    const n = lines > 0 ? lines : a.session.rows;
    const all = n > a.session.rows ? a.session.scrollbackText(n + a.session.rows) : a.session.screenText();
    while (all.length && !all[all.length - 1]!.trim()) all.pop(); // the empty rows below the output
    return { address, generation: a.generation, status: a.verdict.status, lines: all.slice(-n) };
  }

  private verdictOf(a: LiveAgent, now: number): StatusVerdict {
    const { session } = a;
    const t = this.ctx.town.settings().agent_status;
    const screen = session.screenText();
    if (!a.readySeen && session.state === 'running') a.readySeen = isReady(a.preset, screen, now - session.startedAt);
    return decideStatus(a.rules, {
      alive: session.state === 'running',
      ...(session.exitCode !== undefined ? { exitCode: session.exitCode } : {}),
      ...(session.exitReason ? { exitReason: session.exitReason } : {}),
      startedAt: session.startedAt,
      lastOutputAt: session.lastOutputAt,
      now,
      screenLines: screen,
      title: session.title,
      ...(a.hookEvent ? { hookEvent: a.hookEvent } : {}),
      readySeen: a.readySeen,
      thresholds: { quietMs: t.quiet_ms, stuckMs: t.stuck_ms, startupMs: t.startup_ms },
    });
  }

  private tick(): void {
    const now = Date.now();
    for (const a of this.live.values()) {
      if (a.session.state === 'running') this.refresh(a, now);
      if (a.typedPrompt && a.readySeen && a.session.state === 'running') {
        const text = a.typedPrompt;
        delete a.typedPrompt;
        this.nudges.enqueue(a.address, text, { urgent: true, generation: a.generation });
      }
    }
    this.nudges.deliver();
  }

  /** One agent's public info. */
  info(address: string): AgentInfo {
    const agent = requireAgent(this.ctx.town.db, address);
    return this.toInfo(agent);
  }

  private toInfo(agent: AgentRow): AgentInfo {
    const a = this.live.get(agent.address);
    const ex = this.exited.get(agent.address);
    let session: AgentInfo['session'] = null;
    if (a) {
      session = {
        id: `${a.address}#${a.generation}`, pid: a.session.pid ?? null, status: a.verdict.status, why: a.verdict.why,
        started_at: new Date(a.session.startedAt).toISOString(),
        bytes_out: a.session.bytesOut,
        ...(a.session.exitCode !== undefined ? { exit_code: a.session.exitCode } : {}),
        ...(a.session.exitReason ? { exit_reason: a.session.exitReason } : {}),
      };
    } else if (ex) {
      session = { id: `${agent.address}#${ex.generation}`, pid: null, status: 'exited', why: ex.reason, started_at: '', exit_code: ex.code, exit_reason: ex.reason };
    }
    return {
      address: agent.address, role: agent.role, rig: agent.rig, name: agent.name, runtime: agent.runtime,
      state: agent.state, hook_bead: agent.hook_bead, generation: agent.generation, session,
    };
  }

  /** Every agent of the town (or a rig) with its live status. */
  list(rig?: string): AgentInfo[] {
    return listAgents(this.ctx.town.db, rig ? { rig } : {}).map((r) => this.toInfo(r));
  }

  /** Why an agent has its status: every signal (for `gt agents --explain`). */
  explain(address: string): AgentInfo & { explain: string[]; screen: string[] } {
    const a = this.mustLive(address);
    a.verdict = this.verdictOf(a, Date.now());
    return { ...this.info(address), explain: explainStatus(a.verdict), screen: a.session.screenText(8) };
  }

  /**
   * After a (re)start of the daemon: sessions recorded as running belonged to a daemon that is
   * gone (its PTYs died with it); mark them exited. Agents with work still on their hook get a
   * fresh session (generation + 1), which re-primes from the hook.
   */
  async start(): Promise<void> {
    const { town } = this.ctx;
    const stale = town.db.prepare("SELECT id FROM sessions WHERE state = 'running'").all() as Array<{ id: string }>;
    writeTx(town.db, () => {
      for (const s of stale) markSessionExited(town.db, s.id, { code: null, reason: 'the daemon that hosted it stopped' });
    });
    this.nudges.recover();
    for (const agent of listAgents(town.db)) {
      if (!agent.hook_bead || agent.state === 'nuked') continue;
      try {
        this.startAgent(agent.address, { reason: 'restarted after a daemon restart' });
        this.ctx.log(`recovered ${agent.address} (hook ${agent.hook_bead})`);
      } catch (e) {
        this.ctx.log(`could not restart ${agent.address}: ${(e as Error).message}`);
      }
    }
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        this.ctx.log(`status tick failed: ${(e as Error).stack ?? String(e)}`);
      }
    }, STATUS_TICK_MS);
  }

  /** Stop every session (daemon shutdown): recorded as stopped with the daemon. */
  async stop(reason: string): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const waits = this.all().filter((a) => a.session.state === 'running').map((a) => new Promise<void>((r) => {
      a.session.once('exit', () => r());
      a.session.kill('SIGTERM');
    }));
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 5_000))]);
    const { town } = this.ctx;
    writeTx(town.db, () => {
      for (const a of this.all()) {
        markSessionExited(town.db, `${a.address}#${a.generation}`, { code: a.session.exitCode ?? null, reason: `daemon stopped (${reason})` });
        recordEvent(this.ctx.town, { type: 'agent.exited', actor: 'deacon', rig: getAgent(town.db, a.address)?.rig ?? '', subject: a.address, payload: { generation: a.generation, code: a.session.exitCode ?? null, reason: `daemon stopped (${reason})` } });
      }
    });
    this.host.disposeAll();
  }
}
