/**
 * `gt mayor start|attach|stop|status`: the Mayor, an agent session in the town root whose prime
 * teaches it the gt and bd commands to plan work, create beads and sling them — the user's
 * conversational entry point (Gas Town §0).
 */
import type { Command } from 'commander';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { writeTx } from '../../store/sqlite/db.js';
import { getAgent, upsertAgent } from '../../store/work/agents.js';
import { withTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';
import { agentLines } from './agents.js';

/** The Mayor's first prompt. */
export const MAYOR_PROMPT = 'You are the Mayor of this Gas Town. Run `gt prime` to learn the town and your commands, then ask the overseer what to work on.';

/** Register `gt mayor`. */
export function register(program: Command, ctx: CliContext): void {
  const mayor = program.command('mayor').description('the Mayor: the town\'s coordinating agent');
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);

  mayor.command('start')
    .description('start the Mayor\'s session (in the town root)')
    .option('--agent <runtime>', 'runtime preset (default: settings default_agent)')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { agent?: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        if (!getAgent(town.db, 'mayor')) writeTx(town.db, () => upsertAgent(town.db, { address: 'mayor', role: 'mayor', name: 'mayor', worktree: town.root, state: 'idle' }));
      });
      const info = await withDaemonClient(ctx, async (client) => {
        const current = (await client.request<AgentInfo[]>('agent.list', {})).find((a) => a.address === 'mayor');
        if (current?.session && current.session.status !== 'exited') return current;
        return client.request<AgentInfo>('agent.start', { address: 'mayor', reason: 'mayor', prompt: MAYOR_PROMPT, ...(o.agent ? { runtime: o.agent } : {}) });
      });
      if (o.json) printJson(ctx.io, info);
      else printLines(ctx.io, [`✓ Mayor running (${info.runtime}, session ${info.session?.id ?? '?'}). Talk to it: gt mayor attach`]);
    }));

  mayor.command('stop')
    .description('stop the Mayor\'s session')
    .action(run(async () => {
      await withDaemonClient(ctx, (client) => client.request('agent.stop', { address: 'mayor' }));
      printLines(ctx.io, ['✓ Mayor stopped']);
    }));

  mayor.command('status')
    .description('is the Mayor running, and what is it doing')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption) => {
      const info = await withDaemonClient(ctx, async (client) => (await client.request<AgentInfo[]>('agent.list', {})).find((a) => a.address === 'mayor'));
      if (o.json) printJson(ctx.io, info ?? null);
      else printLines(ctx.io, info ? agentLines([info]) : ['The Mayor has not been started: gt mayor start']);
    }));

  mayor.command('attach')
    .description('talk to the Mayor in this terminal (leave with Ctrl-Q)')
    .option('--leave <chord>', 'the key that leaves', 'ctrl-q')
    .action(run(async (o: { leave: string }) => {
      const { runCli } = await import('../main.js');
      ctx.exitCode = await runCli(['attach', 'mayor', '--leave', o.leave], { cwd: ctx.cwd, env: ctx.env, io: ctx.io });
    }));
}
