/**
 * `gt bd dep …`, `gt bd label …` and `gt bd comment`: the dependency graph, labels and comments
 * (beads.md §3-4). `dep add A B` means A depends on B (B blocks A).
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { getComments, getLabels } from '../../store/sqlite/ledger-rows.js';
import { dependencyTree } from '../../store/sqlite/ledger-query.js';
import { flattenTree, inert, treeLines } from '../bd-format.js';
import { action, intOption, usage, type CliContext } from '../context.js';
import { withLedger } from '../ledger-session.js';
import { printJson, printLines } from '../output.js';
import { emitJson, type BdOptions } from './bd.js';

/** Register dep/label/comment subcommands on the `bd` command. */
export function registerBdGraph(bd: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'beads', fn);

  const dep = bd.command('dep').description('dependencies between beads');
  dep.command('add')
    .description('<issue> depends on <depends-on> (default type blocks)')
    .argument('<issue>', 'the dependent bead')
    .argument('<depends-on>', 'the bead it depends on (or external:<project>:<id>)')
    .option('-t, --type <type>', 'blocks, parent-child, related, discovered-from, waits-for, conditional-blocks, tracks, …', 'blocks')
    .option('--json', 'JSON output')
    .action(run(async (issue: string, target: string, o: BdOptions & { type: string }) => {
      await withLedger(ctx, undefined, (s) => {
        const d = s.ledger.addDependency(issue, target, o.type);
        s.wrote();
        if (o.json) emitJson(ctx, { status: 'added', issue_id: d.issue_id, depends_on_id: d.depends_on_id, type: d.type });
        else printLines(ctx.io, [`✓ Added dependency: ${d.issue_id} depends on ${d.depends_on_id} (${d.type})`]);
      });
    }));
  dep.command('remove')
    .alias('rm')
    .description('remove the dependency of <issue> on <depends-on>')
    .argument('<issue>', 'the dependent bead')
    .argument('<depends-on>', 'the bead it depends on')
    .option('--json', 'JSON output')
    .action(run(async (issue: string, target: string, o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const from = s.ledger.resolve(issue);
        s.ledger.removeDependency(from, target);
        s.wrote();
        if (o.json) emitJson(ctx, { status: 'removed', issue_id: from, depends_on_id: target });
        else printLines(ctx.io, [`✓ Removed dependency: ${from} no longer depends on ${target}`]);
      });
    }));
  dep.command('tree')
    .description('the dependency tree of a bead')
    .argument('<id>', 'root bead')
    .option('--direction <dir>', 'down: what it depends on (default); up: what depends on it', 'down')
    .option('--max-depth <n>', 'deepest level shown (default 50)')
    .option('--json', 'JSON output (a flat list with depth and parent_id)')
    .action(run(async (id: string, o: BdOptions & { direction: string; maxDepth?: string }) => {
      if (o.direction !== 'down' && o.direction !== 'up') throw usage(`--direction must be down or up, got "${o.direction}"`);
      await withLedger(ctx, undefined, (s) => {
        const tree = dependencyTree(s.ledger.db, s.ledger.resolve(id), o.direction as 'down' | 'up', intOption('--max-depth', o.maxDepth, 1) ?? 50)!;
        if (o.json) printJson(ctx.io, flattenTree(tree));
        else printLines(ctx.io, treeLines(tree));
      });
    }));
  dep.command('list')
    .description('the direct dependencies of a bead')
    .argument('<id>', 'bead')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const issue = s.ledger.get(id);
        const deps = issue.dependencies ?? [];
        if (o.json) printJson(ctx.io, deps);
        else printLines(ctx.io, deps.length ? deps.map((d) => `${d.issue_id} → ${d.depends_on_id} (${d.type})`) : [`${issue.id} has no dependencies.`]);
      });
    }));

  const label = bd.command('label').description('labels of beads');
  label.command('add')
    .description('add a label to beads')
    .argument('<id>', 'bead')
    .argument('<label>', 'label')
    .option('--json', 'JSON output')
    .action(run(async (id: string, name: string, o: BdOptions) => {
      checkLabel(name);
      await withLedger(ctx, undefined, (s) => {
        const u = s.ledger.update(id, { addLabels: [name] });
        s.wrote();
        if (o.json) emitJson(ctx, { status: 'added', issue_id: u.id, label: name });
        else printLines(ctx.io, [`✓ Added label ${inert(name)} to ${u.id}`]);
      });
    }));
  label.command('remove')
    .alias('rm')
    .description('remove a label from a bead')
    .argument('<id>', 'bead')
    .argument('<label>', 'label')
    .option('--json', 'JSON output')
    .action(run(async (id: string, name: string, o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const rid = s.ledger.resolve(id);
        if (!getLabels(s.ledger.db, rid).includes(name)) {
          throw new GtError('NOT_FOUND', `${rid} has no label "${name}"`, { fix: `its labels: ${getLabels(s.ledger.db, rid).join(', ') || '(none)'}` });
        }
        s.ledger.update(rid, { removeLabels: [name] });
        s.wrote();
        if (o.json) emitJson(ctx, { status: 'removed', issue_id: rid, label: name });
        else printLines(ctx.io, [`✓ Removed label ${inert(name)} from ${rid}`]);
      });
    }));
  label.command('list')
    .description('labels of a bead')
    .argument('<id>', 'bead')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const labels = getLabels(s.ledger.db, s.ledger.resolve(id));
        if (o.json) printJson(ctx.io, labels);
        else printLines(ctx.io, labels.length ? labels : ['(no labels)']);
      });
    }));

  bd.command('comment')
    .description('add a comment to a bead')
    .argument('<id>', 'bead')
    .argument('[text...]', 'comment text')
    .option('--author <name>', 'author (default: you)')
    .option('--json', 'JSON output')
    .action(run(async (id: string, words: string[], o: BdOptions & { author?: string }) => {
      const text = words.join(' ');
      if (!text.trim()) throw usage('comment needs text', 'gt bd comment hq-a1 "found the cause"');
      await withLedger(ctx, undefined, (s) => {
        const c = s.ledger.comment(id, text, o.author);
        s.wrote();
        if (o.json) emitJson(ctx, c);
        else printLines(ctx.io, [`✓ Comment added to ${c.issue_id}`]);
      });
    }));
  bd.command('comments')
    .description('comments of a bead')
    .argument('<id>', 'bead')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const comments = getComments(s.ledger.db, s.ledger.resolve(id));
        if (o.json) printJson(ctx.io, comments);
        else printLines(ctx.io, comments.length ? comments.flatMap((c) => [`[${inert(c.author)}] ${c.created_at}`, `  ${inert(c.text)}`]) : ['(no comments)']);
      });
    }));
}

function checkLabel(name: string): void {
  if (!name.trim() || /[\s,]/.test(name) || name.length > 100) {
    throw new GtError('INVALID_VALUE', `invalid label "${name}"`, { fix: 'labels are one word without spaces or commas, at most 100 chars (e.g. area:auth)' });
  }
}
