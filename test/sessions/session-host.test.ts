import { afterEach, describe, expect, it } from 'vitest';
import { SessionHost } from '../../src/sessions/session-host.js';
import type { HostedSession, SessionExit } from '../../src/sessions/hosted-session.js';
import { bashSpec, waitFor, waitForExit, waitForScreen } from './helpers.js';

const hosts: SessionHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.disposeAll();
});
function newHost(): SessionHost {
  const h = new SessionHost();
  hosts.push(h);
  return h;
}

describe('SessionHost', () => {
  it('starts, lists, gets and reports exits', async () => {
    const host = newHost();
    const started: string[] = [];
    const exits: Array<[string, SessionExit]> = [];
    const titles: string[] = [];
    host.on('session-start', (s) => started.push(s.id));
    host.on('session-exit', (s, info) => exits.push([s.id, info]));
    host.on('session-title', (_s, t) => titles.push(t));
    const a = host.start(bashSpec('printf "\\033]0;agent a\\007"; echo a; read x', { id: 'a' }));
    const b = host.start(bashSpec('exit 2', { id: 'b' }));
    expect(host.list().map((s) => s.id)).toEqual(['a', 'b']);
    expect(host.get('a')).toBe(a);
    expect(host.get('zz')).toBeUndefined();
    expect(started).toEqual(['a', 'b']);
    await waitForExit(b);
    await waitForScreen(a, 'a');
    await waitFor(() => titles.includes('agent a'), 10_000, 'title event');
    a.write('\r');
    await waitForExit(a);
    await waitFor(() => exits.length === 2, 10_000, 'two session-exit events');
    expect(Object.fromEntries(exits)).toEqual({
      a: { code: 0, signal: undefined, reason: 'exited with code 0' },
      b: { code: 2, signal: undefined, reason: 'exited with code 2' },
    });
    // exited sessions stay listed with their last screen
    expect(host.get('a')!.screenText()[0]).toBe('a');
  });

  it('refuses a duplicate running id with INVALID_VALUE and replaces an exited one', async () => {
    const host = newHost();
    const first = host.start(bashSpec('echo one; read x', { id: 'dup' }));
    expect(() => host.start(bashSpec('true', { id: 'dup', generation: 2 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', message: expect.stringContaining('already running') }),
    );
    expect(host.list()).toEqual([first]);
    host.kill('dup');
    await waitForExit(first);
    const second = host.start(bashSpec('echo two', { id: 'dup', generation: 2 }));
    expect(second).not.toBe(first);
    expect(host.get('dup')).toBe(second);
    expect(first.screenText()).toEqual([]); // the replaced session was disposed
    await waitForExit(second);
  });

  it('kill checks the id and the generation', async () => {
    const host = newHost();
    const s: HostedSession = host.start(bashSpec('echo up; sleep 100', { id: 'k', generation: 7 }));
    await waitForScreen(s, 'up');
    expect(() => host.kill('nope')).toThrow(expect.objectContaining({ code: 'SESSION_NOT_FOUND' }));
    expect(() => host.kill('k', { generation: 6 })).toThrow(expect.objectContaining({ code: 'STALE_GENERATION' }));
    expect(s.state).toBe('running');
    host.kill('k', { generation: 7, signal: 'SIGINT' });
    expect(await waitForExit(s)).toMatchObject({ signal: 'SIGINT', reason: 'killed by SIGINT on request' });
    host.kill('k'); // no-op once exited
  });

  it('remove and disposeAll dispose sessions and forget them', async () => {
    const host = newHost();
    const a = host.start(bashSpec('echo a; sleep 100', { id: 'a' }));
    const b = host.start(bashSpec('echo b; sleep 100', { id: 'b' }));
    await waitForScreen(a, 'a');
    await waitForScreen(b, 'b');
    expect(host.remove('a')).toBe(true);
    expect(host.remove('a')).toBe(false);
    expect(host.list()).toEqual([b]);
    host.disposeAll();
    expect(host.list()).toEqual([]);
    for (const s of [a, b]) await waitFor(() => s.state === 'exited', 10_000, `${s.id} exited`);
  });
});
