/**
 * `gt convoy create|add|list|show|close|watch` (issue #5; Gas Town §3.11): tracked batches of
 * beads that land when every tracked bead is merged.
 */
import type { Command } from 'commander';
import { addToConvoy, closeConvoy, convoyInfo, createConvoy, listConvoys, watchConvoy, type ConvoyInfo } from '../../store/convoys.js';
import { withTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** A progress bar of `width` cells: merged █, in progress ▒, open ░ (never colour alone). */
export function progressBar(c: ConvoyInfo['counts'], width = 20): string {
  if (!c.total) return '░'.repeat(width);
  const merged = Math.round((c.merged / c.total) * width);
  const doing = Math.round(((c.in_progress + c.closed) / c.total) * width);
  return '█'.repeat(merged) + '▒'.repeat(Math.min(width - merged, doing)) + '░'.repeat(Math.max(0, width - merged - doing));
}

/** One line for a convoy. */
export function convoyLine(c: ConvoyInfo): string {
  const state = c.landed ? 'landed' : c.status === 'closed' ? 'closed' : c.stranded ? 'stranded' : 'open';
  return `${c.id.padEnd(10)} ${progressBar(c.counts)} ${c.counts.merged}/${c.counts.total} merged ${state.padEnd(8)} ${inert(c.title)}`;
}

/** Register `gt convoy`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  const me = () => ctx.env.BD_ACTOR || 'overseer';
  const convoy = program.command('convoy').description('tracked batches of beads; a convoy lands when all its beads are merged');

  convoy.command('create')
    .description('create a convoy, optionally tracking beads')
    .argument('<title>', 'title')
    .argument('[beads...]', 'beads to track')
    .option('--owner <address>', 'who is told when it lands (default: you)')
    .option('--notify <address>', 'also tell this address (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'JSON output')
    .action(run(async (title: string, beads: string[], o: JsonOption & { owner?: string; notify?: string[] }) => {
      if (!title.trim()) throw usage('a convoy needs a title');
      await withTown(ctx.cwd, ctx.env, (town) => {
        const c = createConvoy(town, { title, beads, owner: o.owner ?? me(), notify: o.notify ?? [], actor: me() });
        if (o.json) printJson(ctx.io, c);
        else printLines(ctx.io, [`✓ Created convoy ${c.id} tracking ${c.counts.total} bead(s)`]);
      });
    }));

  convoy.command('add')
    .description('track more beads')
    .argument('<convoy>', 'convoy id')
    .argument('<beads...>', 'beads to track')
    .action(run(async (id: string, beads: string[]) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const c = addToConvoy(town, id, beads, me());
        printLines(ctx.io, [`✓ ${c.id} now tracks ${c.counts.total} bead(s)`]);
      });
    }));

  convoy.command('list')
    .description('convoys with progress (open ones unless --all)')
    .option('--all', 'include landed and closed convoys')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { all?: boolean }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const list = listConvoys(town, { all: Boolean(o.all) });
        if (o.json) printJson(ctx.io, list);
        else printLines(ctx.io, list.length ? list.map(convoyLine) : ['No convoys. Create one: gt convoy create "<title>" <beads…>']);
      });
    }));

  convoy.command('show')
    .description('one convoy and its beads')
    .argument('<convoy>', 'convoy id')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const c = convoyInfo(town, id);
        if (o.json) { printJson(ctx.io, c); return; }
        printLines(ctx.io, [
          convoyLine(c), `  owner ${c.owner}${c.notify.length ? ` · notify ${c.notify.join(', ')}` : ''} · ${c.counts.open} open · ${c.counts.in_progress} in progress · ${c.counts.merged} merged · ${c.counts.closed} closed unmerged`,
          ...c.tracked.map((t) => `  ${t.stage === 'merged' ? '✓' : t.stage === 'in_progress' ? '▶' : t.stage === 'closed' ? '–' : '·'} ${t.id} ${inert(t.title)}${t.assignee ? ` @${inert(t.assignee)}` : ''} [${t.stage}]`),
        ]);
      });
    }));

  convoy.command('close')
    .description('close a convoy by hand')
    .argument('<convoy>', 'convoy id')
    .option('-r, --reason <text>', 'why', 'closed')
    .option('-f, --force', 'even with unfinished beads')
    .action(run(async (id: string, o: { reason: string; force?: boolean }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const c = closeConvoy(town, id, { reason: o.reason, force: Boolean(o.force), actor: me() });
        printLines(ctx.io, [`✓ Closed ${c.id}`]);
      });
    }));

  convoy.command('watch')
    .description('be told when a convoy lands')
    .argument('<convoy>', 'convoy id')
    .option('--address <address>', 'who (default: you)')
    .action(run(async (id: string, o: { address?: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const c = watchConvoy(town, id, o.address ?? me(), me());
        printLines(ctx.io, [`✓ ${o.address ?? me()} watches ${c.id}`]);
      });
    }));
}
