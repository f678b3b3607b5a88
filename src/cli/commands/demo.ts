/**
 * `gt demo`: make a throwaway demo town (a sample repo with its own tests as a rig, a few beads
 * in a blocks chain) and show it. `npm start` runs this.
 */
import type { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDemoTown } from '../../store/town/demo.js';
import { townStatus } from '../../store/town/status.js';
import { openTown } from '../../store/town/town.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';
import { statusLines } from './status.js';

/** Register `gt demo`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('demo')
    .description('create a throwaway demo town (no API key needed) and show its status')
    .option('--dir <dir>', 'where to make it (default: <tmp>/gastown-demo; an old demo there is replaced)')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (o: JsonOption & { dir?: string }) => {
      const dir = o.dir ? resolve(ctx.cwd, o.dir) : join(tmpdir(), 'gastown-demo');
      const demo = await createDemoTown(dir, ctx.gtBin);
      const town = openTown(demo.root);
      try {
        const status = townStatus(town);
        if (o.json) { printJson(ctx.io, { demo, status }); return; }
        printLines(ctx.io, [
          `Demo town ready in ${demo.root}`,
          '',
          ...statusLines(status),
          '',
          'Try it (`npm link` puts gt and bd on your PATH; without it use node bin/gt.js):',
          `  export GT_TOWN=${demo.root}`,
          '  gt bd ready                       # what can be worked on now',
          `  gt bd dep tree ${demo.beads[3]}   # the blocks chain`,
          `  gt bd close ${demo.beads[1]}      # then gt bd ready again: the next one is free`,
          '  gt status',
        ]);
      } finally {
        town.close();
      }
    }));
}
