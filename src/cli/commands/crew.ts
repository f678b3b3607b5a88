/**
 * `gt crew add|list`: a human's long-lived clone inside a rig (gastown-features.md §2.3).
 */
import type { Command } from 'commander';
import { addCrew, listCrew } from '../../store/town/crew.js';
import { rigForPath } from '../../store/town/rigs.js';
import { withTown } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
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
