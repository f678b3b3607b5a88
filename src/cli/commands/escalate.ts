/**
 * `gt escalate "<what>" --severity critical|high|medium|low --category decision|help|blocked|
 * failed|emergency|lifecycle [--bead id]` and `gt escalate list|show|ack|close|reassign`
 * (issue #5; Gas Town §3.8).
 */
import type { Command } from 'commander';
import { parseCategory, parseSeverity, severityRank } from '../../core/escalation/routes.js';
import { shortAge } from '../../core/text.js';
import { ackEscalation, closeEscalation, getEscalation, listEscalations, raiseEscalation, reassignEscalation, type EscalationRow } from '../../store/escalations.js';
import { withTown } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

const MARK = ['‼', '!', '·', ' '];

/** One line for an escalation. */
export function escalationLine(e: EscalationRow): string {
  return `${MARK[severityRank(e.severity)] ?? ' '} ${e.id.padEnd(8)} ${e.severity.padEnd(8)} ${e.state.padEnd(6)} ${shortAge(e.created_at).padStart(4)} → ${e.assignee.padEnd(18)} ${inert(e.summary)}${e.bead_id ? ` (${e.bead_id})` : ''}`;
}

/** Register `gt escalate`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  const me = () => ctx.env.BD_ACTOR || 'overseer';
  const esc = program.command('escalate')
    .description('ask for attention: routed up by severity until someone acknowledges it')
    .argument('[what...]', 'what needs attention')
    .option('-s, --severity <severity>', 'critical, high, medium or low', 'medium')
    .option('-c, --category <category>', 'decision, help, blocked, failed, emergency or lifecycle', 'help')
    .option('--bead <id>', 'the bead it is about')
    .option('-d, --detail <text>', 'more detail (screen excerpt, what was tried)')
    .option('--json', 'JSON output')
    .action(run(async (words: string[], o: JsonOption & { severity: string; category: string; bead?: string; detail?: string }) => {
      const summary = words.join(' ').trim();
      if (!summary) throw usage('escalate needs a summary', 'gt escalate "tests fail on main" --severity high --category blocked');
      const severity = parseSeverity(o.severity);
      const category = parseCategory(o.category);
      await withTown(ctx.cwd, ctx.env, (town) => {
        const e = raiseEscalation(town, { severity, category, summary, source: me(), ...(o.bead ? { beadId: o.bead } : {}), ...(o.detail ? { detail: o.detail } : {}) });
        if (o.json) printJson(ctx.io, e);
        else printLines(ctx.io, [`✓ ${e.id} (${e.severity}) sent to ${e.assignee}`]);
      });
    }));

  esc.command('list')
    .description('open escalations, most severe first')
    .option('--all', 'include closed ones')
    .option('--assignee <address>', 'only those waiting on this address')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { all?: boolean; assignee?: string }) => {
      const json = o.json || Boolean(esc.opts().json);
      await withTown(ctx.cwd, ctx.env, (town) => {
        const rows = listEscalations(town, { ...(o.all ? { all: true } : {}), ...(o.assignee ? { assignee: o.assignee } : {}) });
        if (json) printJson(ctx.io, rows);
        else printLines(ctx.io, rows.length ? rows.map(escalationLine) : ['No open escalations.']);
      });
    }));

  esc.command('show')
    .description('one escalation in full')
    .argument('<id>', 'escalation id (esc-N)')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: JsonOption) => {
      const json = o.json || Boolean(esc.opts().json);
      await withTown(ctx.cwd, ctx.env, (town) => {
        const e = getEscalation(town, id);
        if (json) { printJson(ctx.io, e); return; }
        printLines(ctx.io, [
          escalationLine(e),
          `  category ${e.category} · from ${e.source}${e.source_generation ? ` (generation ${e.source_generation})` : ''} · re-escalated ${e.reescalations}×`,
          ...(e.acked_at ? [`  acknowledged by ${e.acked_by} at ${e.acked_at}`] : []),
          ...(e.closed_at ? [`  closed at ${e.closed_at}: ${inert(e.close_reason ?? '')}`] : []),
          ...(e.detail ? ['', ...inert(e.detail).split('\n').map((l) => `  ${l}`)] : []),
        ]);
      });
    }));

  esc.command('ack')
    .description('acknowledge: you are on it; it stops moving up')
    .argument('<id>', 'escalation id')
    .action(run(async (id: string) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const e = ackEscalation(town, id, me());
        printLines(ctx.io, [`✓ ${e.id} acknowledged`]);
      });
    }));

  esc.command('close')
    .description('close an escalation')
    .argument('<id>', 'escalation id')
    .option('-r, --reason <text>', 'how it was resolved', 'resolved')
    .action(run(async (id: string, o: { reason: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const e = closeEscalation(town, id, me(), o.reason);
        printLines(ctx.io, [`✓ ${e.id} closed`]);
      });
    }));

  esc.command('reassign')
    .description('hand an escalation to another address')
    .argument('<id>', 'escalation id')
    .argument('<address>', 'who should handle it')
    .action(run(async (id: string, to: string) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const e = reassignEscalation(town, id, to, me());
        printLines(ctx.io, [`✓ ${e.id} reassigned to ${e.assignee}`]);
      });
    }));
}
