/**
 * Who is acting: beads' actor rules (BD_ACTOR, then BEADS_ACTOR, then the git user, then the OS
 * user) and the git identity a ledger commit is written with (Gas Town: agents commit as
 * `<rig>.<role>.<name>@<agent_email_domain>`).
 */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

let gitUserCache: { name?: string; email?: string } | undefined;

function gitConfig(key: string, cwd: string): string | undefined {
  try {
    const v = execFileSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    return v || undefined;
  } catch {
    return undefined;
  }
}

/** The git user of `cwd` (name and email from `git config`), cached per process. */
export function gitUser(cwd: string): { name?: string; email?: string } {
  gitUserCache ??= { name: gitConfig('user.name', cwd), email: gitConfig('user.email', cwd) };
  return gitUserCache;
}

/** The acting name for ledger changes (beads: BD_ACTOR > BEADS_ACTOR > git user.name > OS user). */
export function resolveActor(env: NodeJS.ProcessEnv, cwd: string): string {
  const fromEnv = env.BD_ACTOR || env.BEADS_ACTOR || env.GT_ACTOR;
  if (fromEnv) return fromEnv;
  const git = gitUser(cwd).name;
  if (git) return git;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return env.USER || 'unknown';
  }
}

/**
 * The git author for a commit made on behalf of `actor`: agent addresses
 * (`demo/polecats/nux`) become `demo.polecats.nux@<domain>`; the git user keeps their own email;
 * anyone else gets `<actor>@<domain>`.
 */
export function authorFor(actor: string, domain: string, cwd: string): { name: string; email: string } {
  const git = gitUser(cwd);
  if (git.name === actor && git.email) return { name: actor, email: git.email };
  const local = actor.replace(/\/+$/, '').replace(/\//g, '.').replace(/[^A-Za-z0-9._+-]/g, '-') || 'gt';
  return { name: actor, email: `${local}@${domain}` };
}
