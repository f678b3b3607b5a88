/**
 * What every command gets: where it runs, its environment, its output, and how to find the town.
 * Commands are registered on a commander program by one `register*` function per command group
 * (one file per group under `src/cli/commands/`).
 */
import type { Command } from 'commander';
import { GtError } from '../core/errors.js';
import { reportError, type Io } from './output.js';

/** The context a command runs in. Tests build their own. */
export interface CliContext {
  /** Working directory the command was run from. */
  cwd: string;
  /** Environment variables (GT_TOWN, BD_ACTOR, HOME, …). */
  env: NodeJS.ProcessEnv;
  /** stdout/stderr writers. */
  io: Io;
  /** Set by a command to the process exit code (0 by default). */
  exitCode: number;
  /** Path of the `gt` bin script (used to register the git merge driver and spawn helpers). */
  gtBin: string;
}

/** Options every command may take. */
export interface JsonOption {
  json?: boolean;
}

/**
 * Wrap a command action: run it, turn any thrown error into the error output and exit code.
 *
 * @param style `beads` for `bd` commands (beads' JSON error shape), `gt` for the rest.
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  style: 'beads' | 'gt',
  fn: (...args: A) => void | Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes (…positional, options, command); find the options object for --json.
    const cmd = args[args.length - 1] as Command | undefined;
    const opts = (typeof cmd?.optsWithGlobals === 'function' ? cmd.optsWithGlobals() : {}) as JsonOption;
    try {
      await fn(...args);
    } catch (e) {
      ctx.exitCode = reportError(ctx.io, e, Boolean(opts.json), style);
    }
  };
}

/** A usage error (exit 2). */
export function usage(message: string, fix?: string): GtError {
  return new GtError('USAGE', message, fix ? { fix } : {});
}

/**
 * Parse an integer option, naming the option when it is not one.
 *
 * @throws GtError USAGE.
 */
export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usage(`${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}
