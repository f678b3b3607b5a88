/**
 * The TUI's link to the town daemon: connects (starting the daemon when needed), mirrors the
 * agents' session state into the town store from pushed events, keeps one mirror terminal per
 * visible pane (subscribe → snapshot → `session.data`), and reconnects with back-off when the
 * daemon goes away, showing why in the banner meanwhile. Agents never depend on this link:
 * closing it leaves every session running.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { TownEvent } from '../core/events/types.js';
import { connectDaemon, type DaemonClient } from '../daemon/client.js';
import type { AgentInfo } from '../daemon/agent-service.js';
import type { Rect } from './layout.js';
import { PaneMirror, type SessionSnapshot } from './render/pane-mirror.js';
import type { SessionView, TownState } from './state/stores.js';

/** Options of {@link DaemonLink}. */
export interface DaemonLinkOptions {
  root: string;
  gtBin: string;
  env: NodeJS.ProcessEnv;
  town: StoreApi<TownState>;
  /** A mirror parsed new output (mark its pane dirty). */
  onMirrorChange: (address: string) => void;
  /** The set of mirrors changed (re-place the pane layers). */
  onMirrorsChanged: () => void;
  /** The daemon said town.db changed; `events` are the town events since the last push. */
  onTownChanged: (events: TownEvent[]) => void;
  /** Start the daemon when it is not running (default true). */
  autostart?: boolean;
}

const RETRY_MS = [1_000, 2_000, 3_000, 5_000];

/** See the module comment. */
export class DaemonLink {
  private client: DaemonClient | undefined;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly mirrors = new Map<string, PaneMirror>();
  /** The pane size each mirror was attached for (`WxH`): a new size re-attaches it. */
  private readonly sizes = new Map<string, string>();
  private desired = new Map<string, Rect>();
  private syncing: Promise<void> = Promise.resolve();
  private syncAgain = false;
  private pending = new Map<string, Partial<SessionView> & { address: string }>();
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DaemonLinkOptions) {}

  /** Start connecting (returns at once; state goes to the town store). */
  start(): void {
    void this.connect();
  }

  /** The mirror of an agent's session, when attached. */
  mirror(address: string): PaneMirror | undefined {
    return this.mirrors.get(address);
  }

  /** Every attached mirror. */
  attached(): PaneMirror[] {
    return [...this.mirrors.values()];
  }

  private setDaemon(d: TownState['daemon']): void {
    this.o.town.setState({ daemon: d });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.setDaemon({ ...this.o.town.getState().daemon, state: this.attempt === 0 ? 'connecting' : 'down' });
    let client: DaemonClient;
    try {
      client = await connectDaemon(this.o.root, { gtBin: this.o.gtBin, env: this.o.env, autostart: this.o.autostart ?? true, timeoutMs: 10_000 });
    } catch (e) {
      this.down((e as Error).message);
      return;
    }
    if (this.closed) {
      client.close();
      return;
    }
    this.client = client;
    client.on('event', (name: string, params: Record<string, unknown>) => this.onEvent(name, params));
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.dropMirrors();
      if (!this.closed) this.down('the connection to the daemon closed (it stopped or crashed)');
    });
    try {
      await client.request('subscribe', { topics: ['agents', 'town'] });
      const agents = await client.request<AgentInfo[]>('agent.list', {});
      const sessions: Record<string, SessionView> = {};
      for (const a of agents) {
        if (!a.session) continue;
        sessions[a.address] = {
          address: a.address, generation: a.generation, status: a.session.status, why: a.session.why,
          ...(a.session.status === 'exited' ? { exit: { code: a.session.exit_code ?? null, reason: a.session.exit_reason ?? a.session.why } } : {}),
        };
      }
      this.attempt = 0;
      this.o.town.setState({ sessions, daemon: { state: 'up' } });
      this.o.onTownChanged([]);
      this.requestSync();
    } catch (e) {
      client.close();
      this.down((e as Error).message);
    }
  }

  private down(reason: string): void {
    if (this.closed) return;
    const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)]!;
    this.attempt++;
    this.setDaemon({ state: 'down', reason, retryAt: Date.now() + wait });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), wait);
  }

  /** Merge session updates and apply them in one store write (one repaint for a burst). */
  private patchSession(p: Partial<SessionView> & { address: string }): void {
    const prev = this.pending.get(p.address);
    this.pending.set(p.address, { ...prev, ...p });
    this.pendingTimer ??= setTimeout(() => {
      this.pendingTimer = undefined;
      const batch = this.pending;
      this.pending = new Map();
      this.o.town.setState((s) => {
        const sessions = { ...s.sessions };
        for (const [address, patch] of batch) {
          const base: SessionView = sessions[address] ?? { address, generation: 0, status: 'starting', why: '' };
          const next = { ...base, ...patch } as SessionView;
          if (patch.exit === undefined && 'exit' in patch) delete next.exit;
          sessions[address] = next;
        }
        return { sessions };
      });
      this.requestSync();
    }, 30);
  }

  private onEvent(name: string, p: Record<string, unknown>): void {
    const address = String(p.address ?? '');
    const generation = Number(p.generation ?? 0);
    if (name === 'session.data') {
      const m = this.mirrors.get(address);
      if (m && m.generation === generation) m.feed(String(p.data ?? ''));
    } else if (name === 'agent.status') {
      const status = String(p.status);
      this.patchSession({ address, generation, status, why: String(p.why ?? ''), ...(status !== 'exited' ? { exit: undefined } : {}) } as SessionView);
    } else if (name === 'agent.started') {
      this.patchSession({ address, generation, status: 'starting', why: 'just started', exit: undefined } as unknown as SessionView);
    } else if (name === 'session.exit') {
      const reason = String(p.reason ?? 'exited');
      this.patchSession({ address, generation, status: 'exited', why: reason, exit: { code: p.code === null || p.code === undefined ? null : Number(p.code), reason } });
    } else if (name === 'town.changed') {
      this.o.onTownChanged((p.events as TownEvent[] | undefined) ?? []);
    }
  }

  /** Which panes are visible now, with their content rectangles (cells). */
  setVisible(desired: Map<string, Rect>): void {
    const same = desired.size === this.desired.size
      && [...desired].every(([k, r]) => { const o = this.desired.get(k); return o !== undefined && o.w === r.w && o.h === r.h; });
    this.desired = desired;
    if (!same) this.requestSync(); // session events request their own syncs
  }

  private requestSync(): void {
    if (this.syncAgain) return;
    this.syncAgain = true;
    this.syncing = this.syncing.then(async () => {
      this.syncAgain = false;
      try {
        await this.sync();
      } catch {
        // a session that went away mid-sync: the next event syncs again
      }
    });
  }

  /** Reconcile mirrors with the visible panes: attach new ones, drop hidden or stale ones. */
  private async sync(): Promise<void> {
    const client = this.client;
    const sessions = this.o.town.getState().sessions;
    let changed = false;
    for (const [address, m] of [...this.mirrors]) {
      const s = sessions[address];
      const rect = this.desired.get(address);
      const stale = !s || s.exit || s.generation !== m.generation;
      const resized = rect && this.sizes.get(address) !== `${rect.w}x${rect.h}`;
      if (!rect || stale || resized) {
        this.mirrors.delete(address);
        m.dispose();
        changed = true;
        if (client && !stale) await client.request('session.unsubscribe', { address }).catch(() => undefined);
      }
    }
    if (client) {
      for (const [address, rect] of this.desired) {
        const s = sessions[address];
        if (!s || s.exit || this.mirrors.has(address)) continue;
        try {
          if (rect.w >= 20 && rect.h >= 5) await client.request('session.resize', { address, cols: rect.w, rows: rect.h, generation: s.generation });
          const snap = await client.request<SessionSnapshot>('session.subscribe', { address });
          if (!this.desired.has(address) || this.client !== client) {
            await client.request('session.unsubscribe', { address }).catch(() => undefined);
            continue;
          }
          this.mirrors.set(address, new PaneMirror(address, snap, () => this.o.onMirrorChange(address)));
          this.sizes.set(address, `${rect.w}x${rect.h}`);
          changed = true;
        } catch {
          // not running any more (exit event follows) or a newer generation (started event follows)
        }
      }
    }
    if (changed) this.publishAttached();
  }

  private publishAttached(): void {
    const attached: Record<string, true> = {};
    for (const k of this.mirrors.keys()) attached[k] = true;
    this.o.town.setState({ attached });
    this.o.onMirrorsChanged();
  }

  private dropMirrors(): void {
    for (const m of this.mirrors.values()) m.dispose();
    this.mirrors.clear();
    this.publishAttached();
  }

  /** Type raw bytes into a session (fire and forget; a failure shows as a toast via `onError`). */
  input(address: string, generation: number, data: string, onError?: (e: Error) => void): void {
    const c = this.client;
    if (!c) {
      onError?.(new Error('the daemon is unreachable'));
      return;
    }
    c.request('session.input', { address, generation, data }).catch((e: Error) => onError?.(e));
  }

  /** Count of running sessions, from the store. */
  runningCount(): number {
    return Object.values(this.o.town.getState().sessions).filter((s) => !s.exit).length;
  }

  /** Close the link (the daemon and every agent keep running). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pendingTimer);
    for (const m of this.mirrors.values()) m.dispose();
    this.mirrors.clear();
    this.client?.close();
    this.client = undefined;
  }
}
