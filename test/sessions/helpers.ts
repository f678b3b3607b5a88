import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostedSession, type SessionExit, type SessionSpec } from '../../src/sessions/hosted-session.js';
import type { ScreenState } from '../../src/sessions/screen.js';

/**
 * Polls `fn` every `intervalMs` until it returns a truthy value (which is returned) or
 * `timeoutMs` passes; then throws with `what` and the last value seen. Never a fixed sleep.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition', intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the session's screen contains `text` somewhere; returns the screen. */
export function waitForScreen(session: HostedSession, text: string | RegExp, timeoutMs = 10_000): Promise<string[]> {
  const has = (l: string): boolean => (typeof text === 'string' ? l.includes(text) : text.test(l));
  return waitFor(() => {
    const lines = session.screenText();
    return lines.some(has) ? lines : undefined;
  }, timeoutMs, `screen to show ${String(text)}; screen:\n${session.screenText().join('\n')}`);
}

/** Resolves with the session's exit once its screen is final (at once if it already exited). */
export async function waitForExit(session: HostedSession, timeoutMs = 15_000): Promise<SessionExit> {
  if (session.state === 'exited') {
    // A start failure is 'exited' at once; its message may still be on its way into xterm.
    await session.whenIdleWritten();
    return { code: session.exitCode!, signal: session.exitSignal, reason: session.exitReason! };
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`session ${session.id} did not exit within ${timeoutMs} ms`)), timeoutMs);
    session.once('exit', (info) => {
      clearTimeout(timer);
      resolve(info);
    });
  });
}

/** A temp dir and its cleanup. */
export function tempDir(prefix = 'gt-sessions-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** A spec running `bash --norc --noprofile -c script` in a 80x24 terminal. */
export function bashSpec(script: string, over: Partial<SessionSpec> = {}): SessionSpec {
  return baseSpec('bash', ['--norc', '--noprofile', '-c', script], over);
}

/** A spec running `node -e code` (the test's own node binary). */
export function nodeSpec(code: string, over: Partial<SessionSpec> = {}): SessionSpec {
  return baseSpec(process.execPath, ['-e', code], over);
}

function baseSpec(command: string, args: string[], over: Partial<SessionSpec>): SessionSpec {
  return {
    id: `test-${process.pid}-${++counter}`,
    generation: 1,
    command,
    args,
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), LANG: 'C.UTF-8' },
    cols: 80,
    rows: 24,
    ...over,
  };
}

/** What the live session shows now, as a {@link ScreenState} (alternate buffer unknown). */
export function liveScreen(session: HostedSession): ScreenState {
  const snap = session.snapshot();
  return { cols: snap.cols, rows: snap.rows, lines: session.screenText(), cursor: snap.cursor };
}

/** Sessions created by a test, disposed in afterEach. */
export class Sessions {
  private readonly all: HostedSession[] = [];
  /** Starts a session and remembers it for {@link disposeAll}. */
  start(spec: SessionSpec): HostedSession {
    const s = new HostedSession(spec);
    this.all.push(s);
    return s;
  }
  /** Disposes every session started here. */
  disposeAll(): void {
    for (const s of this.all.splice(0)) s.dispose();
  }
}
