/**
 * The `gt` command line (and `bd`, which is `gt bd`). Command groups are loaded on demand: a
 * command pays only for the modules its group imports, so `gt bd ready` never loads git or the
 * TUI (STACK.md: every eager import costs every command).
 */
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliContext } from './context.js';
import { processIo, reportError, type Io } from './output.js';

/** A command group: its top-level names and a loader that registers it on the program. */
interface Group {
  names: string[];
  load: () => Promise<{ register: (program: Command, ctx: CliContext) => void }>;
}

/** Every command group, in help order. */
const GROUPS: Group[] = [
  { names: ['install'], load: () => import('./commands/install.js') },
  { names: ['rig'], load: () => import('./commands/rig.js') },
  { names: ['crew'], load: () => import('./commands/crew.js') },
  { names: ['config'], load: () => import('./commands/config.js') },
  { names: ['status'], load: () => import('./commands/status.js') },
  { names: ['doctor'], load: () => import('./commands/doctor.js') },
  { names: ['bd'], load: () => import('./commands/bd.js') },
  { names: ['daemon'], load: () => import('./commands/daemon.js') },
  { names: ['sling'], load: () => import('./commands/sling.js') },
  { names: ['mol'], load: () => import('./commands/mol.js') },
  { names: ['agents'], load: () => import('./commands/agents.js') },
  { names: ['peek', 'attach', 'nudge'], load: () => import('./commands/session.js') },
  { names: ['handoff'], load: () => import('./commands/handoff.js') },
  { names: ['mail'], load: () => import('./commands/mail.js') },
  { names: ['mayor'], load: () => import('./commands/mayor.js') },
  { names: ['prime'], load: () => import('./commands/prime.js') },
  { names: ['done'], load: () => import('./commands/done.js') },
  { names: ['hook', 'unsling'], load: () => import('./commands/hook.js') },
  { names: ['polecat'], load: () => import('./commands/polecat.js') },
  { names: ['mq', 'refinery'], load: () => import('./commands/mq.js') },
  { names: ['escalate'], load: () => import('./commands/escalate.js') },
  { names: ['convoy'], load: () => import('./commands/convoy.js') },
  { names: ['formula'], load: () => import('./commands/formula.js') },
  { names: ['scheduler'], load: () => import('./commands/scheduler.js') },
  { names: ['feed'], load: () => import('./commands/feed.js') },
  { names: ['seance'], load: () => import('./commands/seance.js') },
  { names: ['costs'], load: () => import('./commands/costs.js') },
  { names: ['demo'], load: () => import('./commands/demo.js') },
  { names: ['tui'], load: () => import('./commands/tui.js') },
];

/** The version printed by `gt --version`. */
export const VERSION = '0.1.0';

/** Options of {@link runCli}. */
export interface RunCliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  io?: Io;
  /** `bd` runs the beads command set at the top level (`bd ready` = `gt bd ready`). */
  asBd?: boolean;
}

function defaultGtBin(): string {
  const here = fileURLToPath(import.meta.url); // dist/cli/main.js
  return realpathSync(new URL('../../bin/gt.js', `file://${here}`));
}

/**
 * Run the CLI with `argv` (without node and script) and resolve to the exit code:
 * 0 success, 1 error, 2 usage. Never calls process.exit, so tests can run it in-process.
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const ctx: CliContext = {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    io,
    exitCode: 0,
    gtBin: defaultGtBin(),
  };
  // `gt` alone opens the TUI (issue #6); `bd` alone still shows beads' help.
  const args = options.asBd ? ['bd', ...argv] : argv.length ? argv : ['tui'];
  const program = new Command('gt')
    .description('Gas Town: run many AI coding agents on real git repositories, with a beads-compatible ledger.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(s) });

  const first = args.find((a) => !a.startsWith('-'));
  const wanted = GROUPS.filter((g) => first !== undefined && g.names.includes(first));
  for (const g of wanted.length ? wanted : GROUPS) (await g.load()).register(program, ctx);
  // `bd`'s own name in help and errors.
  if (options.asBd) program.commands.find((c) => c.name() === 'bd')?.name('bd');
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return reportError(io, e, args.includes('--json'), args[0] === 'bd' ? 'beads' : 'gt');
  }
  return ctx.exitCode;
}
