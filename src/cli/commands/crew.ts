/**
 * `gt crew add|start|list`: a human's long-lived clone inside a rig (gastown-features.md §2.3), and
 * an agent or a shell running in it.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { writeTx } from '../../store/sqlite/db.js';
import { upsertAgent } from '../../store/work/agents.js';
import { addCrew, listCrew } from '../../store/town/crew.js';
import { rigForPath } from '../../store/town/rigs.js';
import { withTown } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

/** Options of the crew commands. */
interface CrewOptions extends JsonOption {
  rig?: string;
}

/** Register `gt crew …` on `program`. */
export function register(program: Command, ctx: CliContext): void {
  const crew = program.command('crew').description('crew: your own full clones inside a rig');

  crew
    .command('add')
    .description('clone a rig for a human to work in (<rig>/crew/<name>)')
    .argument('<name>', 'crew member name (letters, digits, "_")')
    .option('--rig <rig>', 'the rig (default: the rig you are in)')
    .option('--json', 'print the result as JSON')
    .action(action(ctx, 'gt', async (name: string, opts: CrewOptions) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const rig = opts.rig ?? rigForPath(town, ctx.cwd);
        if (!rig) throw usage('which rig?', `pass --rig <rig> (e.g. gt crew add ${name} --rig <rig>)`);
        const member = await addCrew(town, rig, name);
        if (opts.json) printJson(ctx.io, member);
        else printLines(ctx.io, [`Added crew "${member.name}" to rig "${member.rig}" on ${member.branch}`, `  cd ${member.path}`]);
      });
    }));

  crew
    .command('start')
    .description('run an agent (or a shell: --agent shell) in a crew clone; unmonitored, attach to talk to it')
    .argument('<name>', 'crew member name')
    .option('--rig <rig>', 'the rig (default: the rig you are in)')
    .option('--agent <runtime>', 'runtime preset (default: settings default_agent)')
    .option('--json', 'print the session as JSON')
    .action(action(ctx, 'gt', async (name: string, opts: CrewOptions & { agent?: string }) => {
      const address = await withTown(ctx.cwd, ctx.env, (town) => {
        const rig = opts.rig ?? rigForPath(town, ctx.cwd);
        if (!rig) throw usage('which rig?', `pass --rig <rig> (e.g. gt crew start ${name} --rig <rig>)`);
        const member = listCrew(town, rig).find((m) => m.name === name);
        if (!member) throw new GtError('NOT_FOUND', `no crew "${name}" in rig ${rig}`, { fix: `add it first: gt crew add ${name} --rig ${rig}` });
        const addr = `${rig}/crew/${name}`;
        writeTx(town.db, () => upsertAgent(town.db, { address: addr, role: 'crew', rig, name, worktree: member.path, ...(opts.agent ? { runtime: opts.agent } : {}) }));
        return addr;
      });
      const info = await withDaemonClient(ctx, async (client) => {
        const current = (await client.request<AgentInfo[]>('agent.list', {})).find((a) => a.address === address);
        if (current?.session && current.session.status !== 'exited' && !opts.agent) return current;
        return client.request<AgentInfo>('agent.restart', { address, reason: 'crew', prompt: undefined, ...(opts.agent ? { runtime: opts.agent } : {}) });
      });
      if (opts.json) printJson(ctx.io, info);
      else printLines(ctx.io, [`✓ ${address} running (${info.runtime}, session ${info.session?.id ?? '?'}). Talk to it: gt attach ${address}`]);
    }));

  crew
    .command('list')
    .description('list crew clones')
    .option('--rig <rig>', 'only this rig')
    .option('--json', 'print as JSON')
    .action(action(ctx, 'gt', async (opts: CrewOptions) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const members = listCrew(town, opts.rig);
        if (opts.json) printJson(ctx.io, members);
        else if (!members.length) printLines(ctx.io, ['no crew yet — add one with `gt crew add <name> --rig <rig>`']);
        else printLines(ctx.io, members.map((m) => `${m.rig}/${m.name}  ${m.branch}  ${m.path}`));
      });
    }));
}
