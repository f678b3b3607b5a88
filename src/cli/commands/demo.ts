/**
 * `gt demo`: make a throwaway demo town (a sample repo with its own tests as a rig, scripted
 * beads, a convoy; the shipped scripted agent as default runtime, so no API key is needed),
 * start its daemon and sling the convoy's two beads, then show where things are. Within a
 * minute the agents commit, one mails the overseer, one escalates, and the refinery merges both
 * (the convoy lands). `npm start` runs this.
 */
import type { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { cleanStaleDaemon, connectDaemon, processAlive, readDaemonPid, waitProcessGone } from '../../daemon/client.js';
import { createDemoTown, isDemoDir, type DemoTown } from '../../store/town/demo.js';
import { townStatus, type TownStatus } from '../../store/town/status.js';
import { openTown } from '../../store/town/town.js';
import { unhookBead } from '../../store/work/hook.js';
import { slingBead } from '../../store/work/sling.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';
import { statusLines } from './status.js';

/** One bead the demo slung at start. */
export interface DemoSling {
  /** The bead id. */
  bead: string;
  /** The agent that has it on its hook (`hello/polecats/<name>`). */
  address: string;
  /** The session id the daemon started (`<address>#<generation>`), when it reported one. */
  session?: string;
  /** The convoy the bead is in. */
  convoy?: string;
}

/** Options of {@link prepareDemo}. */
export interface PrepareDemoOptions {
  /** Where to make the demo (default `<tmp>/gastown-demo`; relative to `ctx.cwd`). */
  dir?: string;
  /** Start the daemon and sling the demo's work (default true). */
  work?: boolean;
}

/** What {@link prepareDemo} made and started. */
export interface PreparedDemo {
  /** The demo town. */
  demo: DemoTown;
  /** The beads slung at start (empty when `work` was false). */
  slung: DemoSling[];
}

/** Who the demo acts as when it slings: the human. */
const DEMO_ACTOR = 'overseer';

/**
 * Stop the daemon of an old demo town before its folder is wiped (its sessions go with it), as
 * `gt daemon stop` does: ask it, else SIGTERM, then SIGKILL. Nothing happens when none runs.
 */
export async function stopDemoDaemon(root: string, gtBin: string): Promise<void> {
  const pid = readDaemonPid(root);
  if (pid === undefined || !processAlive(pid)) {
    cleanStaleDaemon(root);
    return;
  }
  try {
    const client = await connectDaemon(root, { gtBin, autostart: false, timeoutMs: 3_000 });
    try { await client.request('daemon.stop'); } finally { client.close(); }
  } catch {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone meanwhile */ }
  }
  if (!(await waitProcessGone(pid, 10_000))) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    await waitProcessGone(pid, 3_000);
  }
  cleanStaleDaemon(root);
}

/**
 * Start the demo's work the way `gt sling <bead> hello` does: start the town's daemon, then for
 * each bead of `demo.work` hook it to a free polecat (slingBead) and ask the daemon to start
 * that polecat's session (`agent.ensure`). A session that cannot start gives its bead back.
 *
 * @param env environment of a daemon started here (the base of every agent's environment).
 * @returns what was slung, in order.
 * @throws GtError from the sling or the daemon (DAEMON_DOWN when it did not start).
 */
export async function startDemoWork(demo: DemoTown, gtBin: string, env: NodeJS.ProcessEnv = process.env): Promise<DemoSling[]> {
  const client = await connectDaemon(demo.root, { gtBin, env, timeoutMs: 30_000 });
  try {
    const slung: DemoSling[] = [];
    for (const beadId of demo.work) {
      const town = openTown(demo.root);
      let outcome;
      try {
        outcome = await slingBead(town, beadId, demo.rig, { actor: DEMO_ACTOR });
      } finally {
        town.close();
      }
      if (outcome.kind === 'queued') {
        slung.push({ bead: outcome.bead, address: '', ...(outcome.convoy ? { convoy: outcome.convoy } : {}) });
        continue;
      }
      let info: AgentInfo;
      try {
        info = await client.request<AgentInfo>('agent.ensure', { address: outcome.address, reason: 'assigned' });
      } catch (e) {
        if ((e as GtError).code === 'INVALID_VALUE' && /runtime/.test((e as Error).message)) {
          const t = openTown(demo.root);
          try { unhookBead(t, outcome.bead, { reason: (e as Error).message }); } finally { t.close(); }
        }
        throw e;
      }
      slung.push({
        bead: outcome.bead, address: outcome.address,
        ...(info.session?.id ? { session: info.session.id } : {}), ...(outcome.convoy ? { convoy: outcome.convoy } : {}),
      });
    }
    return slung;
  } finally {
    client.close();
  }
}

/**
 * Make the demo town in `options.dir` (an old demo there is replaced, its daemon stopped first;
 * any other existing folder is refused) and, unless `work` is false, start its work.
 *
 * @throws GtError INVALID_VALUE when the folder exists and is not a demo; errors of
 *   {@link startDemoWork}.
 */
export async function prepareDemo(ctx: CliContext, options: PrepareDemoOptions = {}): Promise<PreparedDemo> {
  const dir = options.dir ? resolve(ctx.cwd, options.dir) : join(tmpdir(), 'gastown-demo');
  if (isDemoDir(dir)) await stopDemoDaemon(join(dir, 'town'), ctx.gtBin);
  const demo = await createDemoTown(dir, ctx.gtBin);
  const slung = options.work === false ? [] : await startDemoWork(demo, ctx.gtBin, ctx.env);
  return { demo, slung };
}

/** The lines `gt demo` prints: the town, what was slung, and what to try next. */
export function demoLines(demo: DemoTown, slung: readonly DemoSling[], status: TownStatus): string[] {
  const first = slung.find((s) => s.address)?.address.replace('/polecats/', '/') ?? `${demo.rig}/<polecat>`;
  return [
    `Demo town ready in ${demo.root} (sample repository ${demo.repo})`,
    '',
    ...statusLines(status),
    '',
    ...(slung.length ? [
      `Slung (convoy ${demo.convoy}):`,
      ...slung.map((s) => `  ${s.bead} → ${s.address || '(queued)'}`),
      'Within a minute: the agents commit, one mails you, one escalates a question, the refinery',
      'runs node --test and merges both onto main, and the convoy lands.',
      '',
    ] : []),
    'Try it (`npm link` puts gt and bd on your PATH; without it use node bin/gt.js):',
    `  export GT_TOWN=${demo.root}`,
    '  export BD_ACTOR=overseer               # you are the overseer, the human in charge',
    '  gt agents                              # the polecats and what they are doing',
    `  gt peek ${first}`.padEnd(41) + '# the last lines of its screen (gt attach to type)',
    '  gt convoy list --all                   # the convoy, landed once both are merged',
    '  gt mail inbox overseer                 # mail for you',
    '  gt escalate list                       # questions waiting on you',
    `  git -C ${demo.repo} log --oneline      # the merges`,
    '  gt bd ready                            # more work, ready to sling:',
    ...demo.spare.map((b) => `  gt sling ${b} ${demo.rig}`),
    '  gt daemon stop                         # stop the agents when you are done',
  ];
}

/** Register `gt demo`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('demo')
    .description('create a throwaway demo town (no API key needed), start its scripted agents and show it')
    .option('--dir <dir>', 'where to make it (default: <tmp>/gastown-demo; an old demo there is replaced)')
    .option('--no-tui', 'do not open the full-screen UI: print the status and the commands to try, and exit (also when there is no terminal)')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (o: JsonOption & { dir?: string; tui?: boolean }) => {
      const { demo, slung } = await prepareDemo(ctx, o.dir ? { dir: o.dir } : {});
      const town = openTown(demo.root);
      let status: TownStatus;
      try {
        status = townStatus(town);
      } finally {
        town.close();
      }
      if (o.json) { printJson(ctx.io, { demo, slung, status }); return; }
      if (o.tui !== false && process.stdout.isTTY && process.stdin.isTTY) {
        const { openTui } = await import('./tui.js');
        await openTui({ ...ctx, env: { ...ctx.env, BD_ACTOR: 'overseer' } }, { root: demo.root });
        // `gt` may not be on PATH yet (npm start, no npm link): name the bin that is.
        const gtCmd = `GT_TOWN=${demo.root} node ${relative(ctx.cwd, ctx.gtBin) || ctx.gtBin}`;
        printLines(ctx.io, [
          `The demo town stays in ${demo.root}.`,
          `  open it again:        ${gtCmd} tui`,
          `  stop its agents:      ${gtCmd} daemon stop`,
          '  a fresh demo:         npm start (or gt demo)',
        ]);
        return;
      }
      printLines(ctx.io, demoLines(demo, slung, status));
    }));
}
