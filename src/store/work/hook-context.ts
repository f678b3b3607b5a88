/**
 * The text an agent hook puts back into the agent's context (issue #11 §3): the agent's prime
 * (SessionStart, PreCompact/PreCompress: who it is, its rules, the bead on its hook) and its new
 * mail as a reminder block (UserPromptSubmit, BeforeAgent; marked read as `gt mail check
 * --inject` does). Used by `gt agents hook`.
 */
import { renderPrime } from '../../core/work/prime.js';
import { inert } from '../../core/text.js';
import { checkInject } from '../mail/mail.js';
import { withTown } from '../town/town.js';
import { primeContextOf } from './hook.js';
import { resolveAgentAddress } from './polecats.js';

/**
 * Prime and/or mail text for the agent of this session (BD_ACTOR, else the sandbox `cwd` is in).
 *
 * @param cwd the hook's working directory (the agent's worktree).
 * @param env the hook's environment (the session's: BD_ACTOR, GT_AGENT, GT_ROOT).
 * @param what which parts to include.
 * @returns the text, inert (no terminal control sequences); '' when there is no agent or nothing new.
 * @throws GtError TOWN_NOT_FOUND when no town is found from `cwd`/`env`.
 */
export async function hookContext(cwd: string, env: NodeJS.ProcessEnv, what: { prime: boolean; mail: boolean }): Promise<string> {
  return withTown(cwd, env, (town) => {
    const who = resolveAgentAddress(town, env, cwd);
    if (!who) return '';
    const parts: string[] = [];
    if (what.prime) parts.push(renderPrime(primeContextOf(town, who, { consumeHandoff: true, ...(env.GT_AGENT ? { runtime: env.GT_AGENT } : {}) })));
    if (what.mail) {
      const mail = checkInject(town, who.address);
      if (mail) parts.push(mail);
    }
    return inert(parts.join('\n'));
  });
}
