/**
 * The session host: every agent terminal of a daemon, by session id. Exited sessions stay
 * listed (their last screen is still useful to `gt peek` and the witness) until replaced by a
 * new `start` of the same id, `remove`d, or `disposeAll`.
 */
import { EventEmitter } from 'node:events';
import { GtError } from '../core/errors.js';
import { HostedSession, type SessionExit, type SessionSpec } from './hosted-session.js';

/** Events of a {@link SessionHost}. */
export interface SessionHostEvents {
  /** A session was started (also when its command could not be found: it exits at once). */
  'session-start': [session: HostedSession];
  /** A session's child exited and its last output is parsed. */
  'session-exit': [session: HostedSession, info: SessionExit];
  /** A session's agent set its terminal title. */
  'session-title': [session: HostedSession, title: string];
}

/** Options of {@link SessionHost.kill}. */
export interface KillOptions {
  /** Signal to send first (default SIGTERM; SIGKILL follows after 3 s). */
  signal?: NodeJS.Signals;
  /** When given, the session must be this generation. */
  generation?: number;
}

/** A map of hosted sessions by id. */
export class SessionHost extends EventEmitter<SessionHostEvents> {
  private readonly sessions = new Map<string, HostedSession>();

  /**
   * Starts a session. An exited session of the same id is disposed and replaced.
   *
   * @throws GtError INVALID_VALUE when a session with this id is still running, or when the
   *   spec's size is invalid (see {@link HostedSession}).
   */
  start(spec: SessionSpec): HostedSession {
    const old = this.sessions.get(spec.id);
    if (old?.state === 'running') {
      throw new GtError('INVALID_VALUE', `session "${spec.id}" is already running (generation ${old.generation}, pid ${old.pid})`, {
        fix: 'kill it first, or use another session id',
        details: { id: spec.id, generation: old.generation },
      });
    }
    const session = new HostedSession(spec);
    old?.dispose();
    this.sessions.set(spec.id, session);
    session.on('exit', (info) => this.emit('session-exit', session, info));
    session.on('title', (title) => this.emit('session-title', session, title));
    this.emit('session-start', session);
    return session;
  }

  /** The session with this id (running or exited), if any. */
  get(id: string): HostedSession | undefined {
    return this.sessions.get(id);
  }

  /** Every session, in start order. */
  list(): HostedSession[] {
    return [...this.sessions.values()];
  }

  /**
   * Kills a session's process group (see {@link HostedSession.kill}); no-op when it already exited.
   *
   * @throws GtError SESSION_NOT_FOUND for an unknown id; STALE_GENERATION when
   *   `options.generation` is not the session's generation.
   */
  kill(id: string, options: KillOptions = {}): void {
    const session = this.sessions.get(id);
    if (!session) throw new GtError('SESSION_NOT_FOUND', `no session "${id}"`);
    if (options.generation !== undefined && options.generation !== session.generation) {
      throw new GtError('STALE_GENERATION', `session "${id}" is generation ${session.generation}, not ${options.generation}`, {
        details: { id, generation: session.generation, requested: options.generation },
      });
    }
    session.kill(options.signal);
  }

  /** Disposes a session (killing a live child) and forgets it. @returns false for an unknown id. */
  remove(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    session.dispose();
    this.sessions.delete(id);
    return true;
  }

  /** Disposes every session (live children get SIGHUP, then SIGKILL) and empties the host. */
  disposeAll(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
  }
}
