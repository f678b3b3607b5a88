/**
 * How the session host finds an agent's program, as execvp does (no shell): kept apart from the
 * PTY code so that `gt doctor` checks a runtime with the very lookup its sessions will use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where `command` resolves to, or why it does not. */
export type ResolvedCommand = { path: string } | { error: string };

/**
 * Resolves a command as execvp would: a name containing '/' is a path (relative to `cwd`),
 * anything else is searched on `env.PATH` (an empty entry means `cwd`; no PATH, no search). Must be an executable file.
 *
 * @returns `{ path }` (absolute) or `{ error }` ("not found on PATH (/usr/bin:/bin)").
 */
export function resolveCommand(command: string, env: Record<string, string>, cwd: string): ResolvedCommand {
  if (!command) return { error: 'empty command' };
  if (command.includes('/')) {
    const abs = path.resolve(cwd, command);
    if (!fs.existsSync(abs)) return { error: `no such file (${abs})` };
    return isExecutableFile(abs) ? { path: abs } : { error: `not an executable file (${abs})` };
  }
  const search = env.PATH ?? '';
  for (const dir of search ? search.split(':') : []) {
    const candidate = path.resolve(cwd, dir || '.', command);
    if (isExecutableFile(candidate)) return { path: candidate };
  }
  return { error: `not found on PATH (${search})` };
}

/** An existing regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
