/**
 * `gt daemon start|stop|status|run|logs`: the town daemon that owns every agent session.
 * Any command that needs the daemon starts it on demand; these commands manage it by hand.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { cleanStaleDaemon, connectDaemon, processAlive, readDaemonPid, readDaemonState, waitProcessGone } from '../../daemon/client.js';
import { daemonLogFile } from '../../daemon/paths.js';
import { resolveTown } from '../../store/town/town.js';
import { action, intOption, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

interface Ping {
  pid: number;
  version: string;
  protocol: number;
  uptime_ms: number;
  clients: number;
  sessions?: number;
}

function tail(file: string, lines: number): string[] {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  const want = Math.min(size, Math.max(64 * 1024, lines * 400));
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(want);
    readSync(fd, buf, 0, want, size - want);
    const all = buf.toString('utf8').split('\n');
    if (all[all.length - 1] === '') all.pop();
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}

/** Register `gt daemon …`. */
export function register(program: Command, ctx: CliContext): void {
  const daemon = program.command('daemon').description('the town daemon: owns every agent session');
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);

  daemon.command('start')
    .description('start the daemon (detached) unless it is running')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const before = readDaemonPid(root);
      const client = await connectDaemon(root, { gtBin: ctx.gtBin, env: ctx.env });
      try {
        const ping = await client.request<Ping>('daemon.ping');
        const started = before === undefined || before !== ping.pid;
        if (o.json) printJson(ctx.io, { ...ping, started });
        else printLines(ctx.io, [`${started ? '✓ Started' : 'Already running:'} daemon pid ${ping.pid} (${readDaemonState(root)?.socket ?? ''})`]);
      } finally {
        client.close();
      }
    }));

  daemon.command('stop')
    .description('stop the daemon and the sessions it hosts (hooked work restarts with the next daemon)')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const pid = readDaemonPid(root);
      if (pid === undefined || !processAlive(pid)) {
        const cleaned = cleanStaleDaemon(root);
        if (o.json) printJson(ctx.io, { running: false, cleaned_stale_files: cleaned });
        else printLines(ctx.io, [`The daemon is not running${cleaned ? ' (removed the files a dead daemon left)' : ''}.`]);
        return;
      }
      try {
        const client = await connectDaemon(root, { gtBin: ctx.gtBin, autostart: false, timeoutMs: 3_000 });
        try { await client.request('daemon.stop'); } finally { client.close(); }
      } catch {
        process.kill(pid, 'SIGTERM'); // not answering on its socket: signal it
      }
      let gone = await waitProcessGone(pid, 10_000);
      if (!gone) {
        process.kill(pid, 'SIGKILL');
        gone = await waitProcessGone(pid, 3_000);
        cleanStaleDaemon(root);
      }
      if (o.json) printJson(ctx.io, { running: false, pid, stopped: gone });
      else printLines(ctx.io, [gone ? `✓ Stopped daemon pid ${pid}` : `Could not stop daemon pid ${pid}`]);
      if (!gone) ctx.exitCode = 1;
    }));

  daemon.command('status')
    .description('is the daemon running; its pid, socket, uptime and sessions')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const pid = readDaemonPid(root);
      if (pid === undefined || !processAlive(pid)) {
        const stale = pid !== undefined;
        if (stale) cleanStaleDaemon(root);
        if (o.json) printJson(ctx.io, { running: false, stale_pid: stale ? pid : null });
        else printLines(ctx.io, [stale ? `The daemon is not running (pid ${pid} is gone; cleaned its files). Start it: gt daemon start` : 'The daemon is not running. Start it: gt daemon start']);
        return;
      }
      const client = await connectDaemon(root, { gtBin: ctx.gtBin, autostart: false, timeoutMs: 5_000 });
      try {
        const ping = await client.request<Ping>('daemon.ping');
        const state = readDaemonState(root);
        if (o.json) printJson(ctx.io, { running: true, ...ping, socket: state?.socket, started_at: state?.started_at, log: daemonLogFile(root) });
        else {
          printLines(ctx.io, [
            `Daemon running: pid ${ping.pid}, up ${Math.round(ping.uptime_ms / 1000)} s, protocol v${ping.protocol}`,
            `  socket ${state?.socket ?? '?'}`,
            `  sessions ${ping.sessions ?? 0} · clients ${ping.clients}`,
            `  log ${daemonLogFile(root)}`,
          ]);
        }
      } finally {
        client.close();
      }
    }));

  daemon.command('run')
    .description('run the daemon in the foreground (what `start` launches)')
    .action(run(async () => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const { runDaemon } = await import('../../daemon/daemon.js');
      const { daemonServices } = await import('../../daemon/services.js');
      await runDaemon(root, ctx.gtBin, daemonServices());
    }));

  daemon.command('logs')
    .description("the daemon's log")
    .option('-n, --lines <n>', 'how many lines (default 50)')
    .option('-f, --follow', 'keep printing new lines')
    .action(run(async (o: { lines?: string; follow?: boolean }) => {
      const root = resolveTown(ctx.cwd, ctx.env);
      const file = daemonLogFile(root);
      const lines = intOption('--lines', o.lines, 1) ?? 50;
      if (!existsSync(file)) {
        printLines(ctx.io, [`No daemon log yet (${file}).`]);
        return;
      }
      printLines(ctx.io, tail(file, lines));
      if (!o.follow) return;
      let offset = statSync(file).size;
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const size = statSync(file).size;
        if (size > offset) {
          ctx.io.out(readFileSync(file).subarray(offset, size).toString('utf8'));
          offset = size;
        }
      }
    }));
}
