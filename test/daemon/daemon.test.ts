// The town daemon as a real detached process: start on demand, one per town, stale files after
// kill -9 cleaned, protocol errors answered.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDaemon, processAlive, readDaemonPid } from '../../src/daemon/client.js';
import { daemonPidFile } from '../../src/daemon/paths.js';
import { GT_BIN, gt, runBin, tempDir, waitFor } from '../cli/helpers.js';

describe('gt daemon', () => {
  const tmp = tempDir('gt-daemon-');
  const root = join(tmp.dir, 'town');
  const env = { GT_TOWN: root };
  beforeAll(async () => {
    expect((await gt(['install', root])).code).toBe(0);
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('starts detached, reports status, and a second start reuses it', async () => {
    const first = await runBin(GT_BIN, ['daemon', 'start', '--json'], { env });
    expect(first.code, first.err).toBe(0);
    const a = first.json<{ pid: number; started: boolean }>();
    expect(a.started).toBe(true);
    expect(processAlive(a.pid)).toBe(true);
    const second = (await runBin(GT_BIN, ['daemon', 'start', '--json'], { env })).json<{ pid: number; started: boolean }>();
    expect(second).toMatchObject({ pid: a.pid, started: false });
    const status = (await runBin(GT_BIN, ['daemon', 'status', '--json'], { env })).json<{ running: boolean; pid: number; protocol: number }>();
    expect(status).toMatchObject({ running: true, pid: a.pid, protocol: 1 });
  });

  it('concurrent clients that all autostart end up with one daemon', async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectDaemon(root, { gtBin: GT_BIN, env: process.env })));
    const pids = await Promise.all(clients.map((c) => c.request<{ pid: number }>('daemon.ping').then((p) => p.pid)));
    for (const c of clients) c.close();
    expect(new Set(pids).size).toBe(1);
    expect(readDaemonPid(root)).toBe(pids[0]);
  });

  it('after kill -9 the stale pid file and socket are cleaned and the next command starts a new daemon', async () => {
    const pid = readDaemonPid(root)!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), 5_000, 'the daemon to die');
    expect(existsSync(daemonPidFile(root))).toBe(true); // left behind by the dead daemon
    const status = await runBin(GT_BIN, ['daemon', 'status', '--json'], { env });
    expect(status.json()).toMatchObject({ running: false, stale_pid: pid });
    const c = await connectDaemon(root, { gtBin: GT_BIN, env: process.env });
    const ping = await c.request<{ pid: number }>('daemon.ping');
    c.close();
    expect(ping.pid).not.toBe(pid);
    expect(Number(readFileSync(daemonPidFile(root), 'utf8'))).toBe(ping.pid);
  });

  it('answers unknown methods and wrong protocol versions with errors, not silence', async () => {
    const c = await connectDaemon(root, { gtBin: GT_BIN, env: process.env });
    try {
      await expect(c.request('no.such.method')).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('unknown method') });
    } finally {
      c.close();
    }
  });

  it('stop stops it and removes its files; stop again says it is not running', async () => {
    const pid = readDaemonPid(root)!;
    const stop = await runBin(GT_BIN, ['daemon', 'stop', '--json'], { env });
    expect(stop.json()).toMatchObject({ running: false, stopped: true, pid });
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(daemonPidFile(root))).toBe(false);
    const again = await runBin(GT_BIN, ['daemon', 'stop'], { env });
    expect(again.code).toBe(0);
    expect(again.out).toContain('not running');
    const down = await connectDaemon(root, { gtBin: GT_BIN, autostart: false }).catch((e: { code: string }) => e.code);
    expect(down).toBe('DAEMON_DOWN');
  });

  it('logs show what the daemon did', async () => {
    const logs = await runBin(GT_BIN, ['daemon', 'logs', '-n', '100'], { env });
    expect(logs.out).toContain('listening on');
    expect(logs.out).toContain('stopping: gt daemon stop');
  });
});
