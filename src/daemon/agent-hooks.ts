/**
 * Agent hooks installed into a polecat's worktree (issue #11 §3; gastown-features.md §3.1 for
 * Gas Town's Claude Code hooks). Never the user's global settings:
 *
 * - Claude Code: `.claude/settings.local.json` — SessionStart → `gt prime`, UserPromptSubmit →
 *   working + new mail, Stop → idle, Notification → waiting with its message, PreCompact →
 *   prime again (Claude Code hooks reference: `hooks.<Event>[].hooks[].{type,command}`).
 * - Gemini CLI: `.gemini/settings.json` — SessionStart, BeforeAgent, AfterAgent, Notification,
 *   PreCompress (Gemini CLI hooks, same `hooks.<Event>[].hooks[]` shape, JSON on stdin).
 * - Codex: `notify` (Codex config: a program run with the event JSON as its last argument after
 *   each turn), passed as `-c notify=[…]` on the command line: no file.
 *
 * Every command is `gt agents hook <kind> <event>` ({@link HOOK_COMMAND_PREFIX}); installing
 * again replaces our entries and keeps everything else in the file. The files are added to the
 * repository's `info/exclude`, so an agent's `git add -A` never commits them.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { GtError } from '../core/errors.js';
import { HOOK_COMMAND_PREFIX, hookFilesFor, type HookKind } from '../core/agents/hook-files.js';
import { writeFileAtomic } from '../store/atomic-file.js';

/** The events we hook per runtime, in file order. */
export const HOOK_EVENTS: Readonly<Record<'claude' | 'gemini', readonly string[]>> = {
  claude: ['SessionStart', 'UserPromptSubmit', 'Stop', 'Notification', 'PreCompact'],
  gemini: ['SessionStart', 'BeforeAgent', 'AfterAgent', 'Notification', 'PreCompress'],
};

interface HookEntry {
  matcher?: string;
  hooks?: Array<{ type?: string; command?: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

const ours = (e: HookEntry) => (e.hooks ?? []).some((h) => typeof h.command === 'string' && h.command.startsWith(HOOK_COMMAND_PREFIX));

function readSettings(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GtError('CONFIG_INVALID', `${file}: not valid JSON (${(e as Error).message}); its hooks were not installed`, {
      fix: 'fix or delete the file, then restart the session (gt handoff <agent>)', details: { file },
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GtError('CONFIG_INVALID', `${file}: expected a JSON object; its hooks were not installed`, { fix: 'fix or delete the file', details: { file } });
  }
  return value as Record<string, unknown>;
}

/**
 * The settings document with our hooks merged in: for each event, entries whose commands are
 * ours are replaced, every other entry and key is kept.
 *
 * @param existing the file's current object ({} for none).
 * @param kind `claude` or `gemini`.
 */
export function mergeHookSettings(existing: Record<string, unknown>, kind: 'claude' | 'gemini'): Record<string, unknown> {
  const hooks = { ...((existing.hooks && typeof existing.hooks === 'object' && !Array.isArray(existing.hooks)) ? existing.hooks as Record<string, unknown> : {}) };
  for (const event of HOOK_EVENTS[kind]) {
    const list = Array.isArray(hooks[event]) ? (hooks[event] as HookEntry[]).filter((e) => !ours(e)) : [];
    list.push({ matcher: '', hooks: [{ type: 'command', command: `${HOOK_COMMAND_PREFIX} ${kind} ${event}` }] });
    hooks[event] = list;
  }
  return { ...existing, hooks };
}

/**
 * The repository's `info/exclude` for a worktree: `<common git dir>/info/exclude`, found from
 * the worktree's `.git` (a folder, or a `gitdir:` file whose folder names its `commondir`).
 * Undefined when `dir` is not in a git checkout.
 */
export function excludeFileOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return join(dotGit, 'info', 'exclude');
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (!m) return undefined;
      const gitdir = isAbsolute(m[1]!.trim()) ? m[1]!.trim() : resolve(d, m[1]!.trim());
      const common = join(gitdir, 'commondir');
      const base = existsSync(common) ? resolve(gitdir, readFileSync(common, 'utf8').trim()) : gitdir;
      return join(base, 'info', 'exclude');
    }
    if (dirname(d) === d) return undefined;
  }
}

function exclude(worktree: string, paths: string[]): void {
  const file = excludeFileOf(worktree);
  if (!file) return;
  const have = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(have.split('\n').map((l) => l.trim()));
  const add = paths.map((p) => `/${p}`).filter((p) => !lines.has(p));
  if (!add.length) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${have && !have.endsWith('\n') ? '\n' : ''}# gastown agent hooks\n${add.join('\n')}\n`);
}

/**
 * Install a runtime's hooks into a worktree (or any folder the session runs in).
 *
 * @param kind the preset's `hooks`.
 * @param worktree absolute path of the session's working directory.
 * @returns the absolute paths written ([] for codex, runtimes without hooks, and a folder that does not exist).
 * @throws GtError CONFIG_INVALID when an existing settings file is not a JSON object (it is left as it was).
 */
export function installAgentHooks(kind: HookKind, worktree: string): string[] {
  // A missing folder is the session's error to report ("working directory … does not exist"), not ours to create.
  if ((kind !== 'claude' && kind !== 'gemini') || !existsSync(worktree)) return [];
  const written: string[] = [];
  for (const rel of hookFilesFor(kind)) {
    const file = join(worktree, rel);
    const merged = mergeHookSettings(readSettings(file), kind);
    writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
    written.push(file);
  }
  exclude(worktree, hookFilesFor(kind));
  return written;
}

/**
 * Command-line arguments that install a runtime's hooks without a file: Codex's `notify`
 * program as a `-c` override (TOML array), so Codex runs `gt agents hook codex notify '<json>'`
 * after every turn. [] for other runtimes.
 */
export function hookArgs(kind: HookKind): string[] {
  return kind === 'codex' ? ['-c', `notify=${JSON.stringify([...HOOK_COMMAND_PREFIX.split(' '), 'codex', 'notify'])}`] : [];
}
