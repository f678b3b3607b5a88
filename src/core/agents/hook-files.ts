/**
 * Where each runtime's agent hooks live inside a polecat's worktree (issue #11 §3). Hooks are
 * installed per worktree, never in the user's global settings:
 *
 * - `claude`: `.claude/settings.local.json` (Claude Code's project-local settings, hooks
 *   SessionStart, UserPromptSubmit, Stop, Notification, PreCompact).
 * - `gemini`: `.gemini/settings.json` (Gemini CLI's workspace settings, `hooks` key).
 * - `codex`: no file; Codex's `notify` program is passed as a `-c notify=[…]` override on its
 *   command line.
 */

/** Which hook family a runtime preset uses (`RuntimePreset.hooks`). */
export type HookKind = 'claude' | 'gemini' | 'codex' | 'none';

/** Every {@link HookKind}. */
export const HOOK_KINDS: readonly HookKind[] = ['claude', 'gemini', 'codex', 'none'];

/**
 * The files, relative to the worktree, that hold a runtime's hooks; empty when its hooks are
 * not a file (codex) or it has none.
 *
 * @param kind the preset's `hooks`.
 * @returns POSIX relative paths, e.g. `['.claude/settings.local.json']`.
 */
export function hookFilesFor(kind: HookKind): string[] {
  switch (kind) {
    case 'claude':
      return ['.claude/settings.local.json'];
    case 'gemini':
      return ['.gemini/settings.json'];
    default:
      return [];
  }
}

/**
 * The command every installed hook runs: `gt agents hook <kind> <event>`, which reads the
 * runtime's JSON from stdin (or, for codex `notify`, the last argv element) and reports the
 * status to the daemon. A hook file is "ours" when one of its commands starts with this prefix.
 */
export const HOOK_COMMAND_PREFIX = 'gt agents hook';
