/**
 * What `gt doctor` holds the machine and the town to: the minimum node and git versions, how
 * to install a missing agent runtime, and what makes an installed hook file ours. Pure.
 */
import { HOOK_COMMAND_PREFIX } from '../agents/hook-files.js';

/** The oldest node gt runs on (package.json `engines.node: ">=20.19"`). */
export const MIN_NODE = '20.19.0';

/**
 * The oldest git gt works with: 2.31, for `git rev-parse --path-format=absolute` (the
 * refinery's scratch worktree, store/refinery/stack.ts); `git init --initial-branch` (town
 * install) needs 2.28 and `git worktree remove` 2.17.
 */
export const MIN_GIT = '2.31.0';

/** Why {@link MIN_GIT} is what it is, for the message of a too-old git. */
export const MIN_GIT_REASON = 'the refinery uses `git rev-parse --path-format=absolute` (git 2.31)';

/**
 * The first `major.minor[.patch]` in a text (`git version 2.39.5` → `[2, 39, 5]`,
 * `v20.19.1` → `[20, 19, 1]`), or undefined when there is none.
 */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/**
 * True when version text `found` is at least `min` (both parsed by {@link parseVersion}); false
 * when `found` has no version in it.
 */
export function versionAtLeast(found: string, min: string): boolean {
  const a = parseVersion(found);
  const b = parseVersion(min);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return true;
}

/** npm packages of the agent CLIs we know how to install, by binary name. */
const NPM_PACKAGES: Readonly<Record<string, string>> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
};

/**
 * How to install a runtime's executable: `install it: npm install -g <package>` for claude, codex and
 * gemini (matched on the command's base name, so a custom agent `/opt/bin/codex` gets codex's
 * hint), else a generic sentence naming the command.
 *
 * @param command the runtime's executable (`codex`, `/usr/local/bin/claude`, `my-agent`).
 */
export function installHint(command: string): string {
  const base = (command.split(/[\\/]/).pop() ?? command).replace(/\.(?:exe|cmd|bat)$/i, '');
  const pkg = Object.hasOwn(NPM_PACKAGES, base) ? NPM_PACKAGES[base] : undefined;
  if (pkg) return `install it: npm install -g ${pkg}`;
  return command.includes('/') ? `make ${command} exist and be executable` : `install \`${command}\` on the PATH the daemon's sessions get`;
}

/** Every string value of a `command` key anywhere in a JSON value (hook files nest them). */
function commandsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) commandsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'command' && typeof v === 'string') out.push(v);
      else commandsIn(v, out);
    }
  }
  return out;
}

/**
 * What is wrong with the text of an installed hook file, or undefined when it is ours: valid
 * JSON with at least one `command` starting with {@link HOOK_COMMAND_PREFIX}.
 *
 * @param text the file's content.
 * @returns `not valid JSON (…)` or `has no "gt agents hook …" command`.
 */
export function hookFileProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `is not valid JSON (${(e as Error).message})`;
  }
  return commandsIn(parsed).some((c) => c.trimStart().startsWith(HOOK_COMMAND_PREFIX))
    ? undefined
    : `has no "${HOOK_COMMAND_PREFIX} …" command`;
}
