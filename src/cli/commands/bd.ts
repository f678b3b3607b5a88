/**
 * `gt bd …` and the `bd` bin: beads' core command set with beads' flags and JSON shapes
 * (beads.md §4), so an agent trained on beads works unchanged. Plain text for people, `--json`
 * for programs; exit 0 on success, 1 on an error, 2 on a usage error.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { parseUserTime } from '../../core/ledger/time.js';
import { parseDepsOption, parseIssueType, parsePriority, parseStatus, customStatuses } from '../../core/ledger/validate.js';
import { getConfig } from '../../store/sqlite/ledger-rows.js';
import { getRig } from '../../store/town/rigs.js';
import type { UpdatableField, UpdateInput } from '../../store/sqlite/ledger.js';
import { issueDetails, listIssues, readyWork, searchIssues, withCounts, blockedIssues, ledgerStats, type IssueFilter } from '../../store/sqlite/ledger-query.js';
import { issueLine, readyLines, showLines, statsLines, inert } from '../bd-format.js';
import { action, intOption, usage, type CliContext } from '../context.js';
import { withLedger, type LedgerSession } from '../ledger-session.js';
import { printJson, printLines } from '../output.js';
import { registerBdGraph } from './bd-graph.js';
import { registerBdSync } from './bd-sync.js';

/** Common options of bd commands. */
export interface BdOptions {
  json?: boolean;
  rig?: string;
}

/**
 * Print a JSON payload the beads way (beads.md §4.1): objects get `schema_version: 1`, arrays
 * are raw; `BD_JSON_ENVELOPE=1` wraps everything as `{"schema_version":1,"data":…}`.
 */
export function emitJson(ctx: CliContext, payload: unknown): void {
  if (ctx.env.BD_JSON_ENVELOPE === '1') printJson(ctx.io, { schema_version: 1, data: payload });
  else if (payload && typeof payload === 'object' && !Array.isArray(payload)) printJson(ctx.io, { ...payload, schema_version: 1 });
  else printJson(ctx.io, payload);
}

/** Split repeatable/comma-separated option values. */
export function listOption(values: string[] | string | undefined): string[] {
  const arr = Array.isArray(values) ? values : values === undefined ? [] : [values];
  return arr.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function customTypes(s: LedgerSession): string[] {
  return listOption(getConfig(s.town.db, 'types.custom'));
}

function statuses(s: LedgerSession, value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const custom = customStatuses(getConfig(s.town.db, 'status.custom'));
  return listOption(value).map((v) => (v === 'tombstone' ? v : parseStatus(v, custom)));
}

function readEstimate(v: string | undefined): number | undefined {
  return intOption('--estimate', v, 0);
}

/** Register `bd` commands on `program` (as `gt bd`). */
export function register(program: Command, ctx: CliContext): void {
  const bd = program.command('bd').description('the beads ledger (same commands as the `bd` bin)');
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'beads', fn);

  bd.command('create')
    .alias('new')
    .description('create a bead')
    .argument('[title]', 'title of the bead')
    .option('--title <title>', 'title (instead of the argument)')
    .option('-d, --description <text>', 'description (markdown)')
    .option('--design <text>', 'design notes')
    .option('--acceptance <text>', 'acceptance criteria')
    .option('--notes <text>', 'notes')
    .option('-t, --type <type>', 'bug, feature, task, epic, chore, … (default task)')
    .option('-p, --priority <p>', '0-4 or P0-P4 (default 2)')
    .option('-a, --assignee <name>', 'assignee')
    .option('--owner <name>', 'owner')
    .option('-l, --labels <labels>', 'labels, comma-separated (repeatable)', collect)
    .option('--parent <id>', 'parent bead: the new bead becomes <parent>.N')
    .option('--deps <deps>', 'dependencies: id or type:id, comma-separated (e.g. blocks:hq-a1,hq-b2)')
    .option('--id <id>', 'explicit id')
    .option('--due <time>', 'due time (RFC 3339, YYYY-MM-DD or +3d)')
    .option('--defer <time>', 'hide from ready until then')
    .option('--estimate <minutes>', 'estimate in minutes')
    .option('--external-ref <ref>', 'external reference (gh-9, jira-ABC)')
    .option('--metadata <json>', 'metadata as a JSON object')
    .option('--ephemeral', 'a wisp: never exported')
    .option('--rig <rig>', "use this rig's prefix")
    .option('--silent', 'print only the id')
    .option('--json', 'JSON output')
    .action(run(async (titleArg: string | undefined, o: BdOptions & Record<string, string | string[] | boolean | undefined>) => {
      const title = (o.title as string | undefined) ?? titleArg;
      if (!title) throw usage('create needs a title', 'gt bd create "Fix the login bug" [-p 1] [-t bug]');
      await withLedger(ctx, o.rig, (s) => {
        let metadata: unknown;
        if (o.metadata !== undefined) {
          try { metadata = JSON.parse(String(o.metadata)); } catch {
            throw new GtError('INVALID_VALUE', `--metadata is not valid JSON: ${String(o.metadata).slice(0, 60)}`, { fix: `pass an object like '{"area":"auth"}'` });
          }
        }
        const issue = s.ledger.create({
          title,
          description: o.description as string | undefined,
          design: o.design as string | undefined,
          acceptance_criteria: o.acceptance as string | undefined,
          notes: o.notes as string | undefined,
          issue_type: o.type ? parseIssueType(String(o.type), customTypes(s)) : undefined,
          priority: o.priority !== undefined ? parsePriority(String(o.priority)) : undefined,
          assignee: o.assignee as string | undefined,
          owner: o.owner as string | undefined,
          labels: listOption(o.labels as string[] | undefined),
          parent: o.parent as string | undefined,
          deps: o.deps ? parseDepsOption(String(o.deps)) : undefined,
          id: o.id as string | undefined,
          due_at: o.due ? parseUserTime(String(o.due)) : undefined,
          defer_until: o.defer ? parseUserTime(String(o.defer)) : undefined,
          estimated_minutes: readEstimate(o.estimate as string | undefined),
          external_ref: o.externalRef as string | undefined,
          metadata,
          ephemeral: Boolean(o.ephemeral),
        });
        s.wrote();
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, [issue])[0]);
        else if (o.silent) printLines(ctx.io, [issue.id]);
        else printLines(ctx.io, [`✓ Created ${issue.id}: ${inert(issue.title)}`, `  Priority: P${issue.priority}  Type: ${issue.issue_type}  Status: ${issue.status}`]);
      });
    }));

  filterOptions(bd.command('list')
    .description('list beads (default: not closed)'))
    .option('-s, --status <status>', 'only these statuses (comma-separated)')
    .option('--all', 'include closed beads')
    .option('-n, --limit <n>', 'at most n beads (0 = all; default 50)')
    .action(run(async (o: BdOptions & Record<string, string | string[] | boolean | undefined>) => {
      await withLedger(ctx, undefined, (s) => {
        const issues = listIssues(s.ledger.db, {
          ...readFilter(s, o),
          status: statuses(s, o.status as string | undefined),
          all: Boolean(o.all),
        });
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, issues));
        else printLines(ctx.io, issues.length ? issues.map(issueLine) : ['No beads match.']);
      });
    }));

  filterOptions(bd.command('ready')
    .description('beads that are open and not blocked, most urgent first'))
    .option('-n, --limit <n>', 'at most n (default 100; 0 = all)')
    .option('--sort <sort>', 'priority (default), oldest or hybrid')
    .option('--include-deferred', 'include beads deferred to the future')
    .option('--include-ephemeral', 'include wisps')
    .option('--claim', 'atomically claim the first ready bead (assignee = you, in_progress)')
    .action(run(async (o: BdOptions & Record<string, string | string[] | boolean | undefined>) => {
      const sort = (o.sort as string | undefined) ?? 'priority';
      if (!['priority', 'oldest', 'hybrid'].includes(sort)) throw usage(`--sort must be priority, oldest or hybrid, got "${sort}"`);
      await withLedger(ctx, undefined, (s) => {
        const opts = {
          ...readFilter(s, o),
          sort: sort as 'priority' | 'oldest' | 'hybrid',
          includeDeferred: Boolean(o.includeDeferred),
          includeEphemeral: Boolean(o.includeEphemeral),
        };
        let issues = readyWork(s.ledger.db, opts);
        if (o.claim) issues = claimFirst(s, issues);
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, issues));
        else if (o.claim) printLines(ctx.io, issues.length ? [`✓ Claimed ${issues[0]!.id}: ${inert(issues[0]!.title)}`] : ['Nothing to claim: no ready work.']);
        else printLines(ctx.io, readyLines(issues));
        if (!o.json && (opts.limit ?? 100) > 0 && issues.length === (opts.limit ?? 100)) ctx.io.err(`(showing the first ${issues.length}; use --limit 0 for all)\n`);
      });
    }));

  bd.command('blocked')
    .description('beads that are blocked, with their blockers')
    .option('--rig <rig>', "only this rig's beads")
    .option('--json', 'JSON output')
    .action(run(async (o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const rows = blockedIssues(s.ledger.db, { prefix: o.rig ? rigPrefix(s, o.rig) : undefined });
        if (o.json) {
          emitJson(ctx, rows.map((r) => ({ ...withCounts(s.ledger.db, [r.issue])[0], blocked_by_count: r.blocked_by.length, blocked_by: r.blocked_by })));
        } else {
          printLines(ctx.io, rows.length ? rows.map((r) => `${issueLine(r.issue)}  ← blocked by ${r.blocked_by.join(', ')}`) : ['Nothing is blocked.']);
        }
      });
    }));

  bd.command('show')
    .alias('view')
    .description('show beads in full')
    .argument('<ids...>', 'bead ids (partial ids work)')
    .option('--json', 'JSON output (an array)')
    .action(run(async (ids: string[], o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const details = ids.map((i) => issueDetails(s.ledger.db, s.ledger.resolve(i))!);
        if (o.json) printJson(ctx.io, ctx.env.BD_JSON_ENVELOPE === '1' ? { schema_version: 1, data: details } : details);
        else printLines(ctx.io, details.flatMap((d, n) => [...(n ? ['', '─'.repeat(40), ''] : []), ...showLines(d)]));
      });
    }));

  bd.command('update')
    .description('change fields, labels, parent, or claim')
    .argument('<ids...>', 'bead ids')
    .option('-s, --status <status>', 'new status')
    .option('-p, --priority <p>', 'new priority')
    .option('--title <title>', 'new title')
    .option('-a, --assignee <name>', "new assignee ('' clears)")
    .option('--owner <name>', 'new owner')
    .option('-t, --type <type>', 'new type')
    .option('-d, --description <text>', 'new description')
    .option('--design <text>', 'new design')
    .option('--acceptance <text>', 'new acceptance criteria')
    .option('--notes <text>', 'new notes')
    .option('--due <time>', "due time ('' clears)")
    .option('--defer <time>', "defer until ('' clears)")
    .option('--estimate <minutes>', 'estimate in minutes')
    .option('--external-ref <ref>', 'external reference')
    .option('--add-label <label>', 'add a label (repeatable)', collect)
    .option('--remove-label <label>', 'remove a label (repeatable)', collect)
    .option('--parent <id>', "new parent ('' removes)")
    .option('--claim', 'claim atomically: assignee = you, status in_progress (only if open and unassigned)')
    .option('--json', 'JSON output')
    .action(run(async (ids: string[], o: BdOptions & Record<string, string | string[] | boolean | undefined>) => {
      await withLedger(ctx, undefined, (s) => {
        const set: Partial<Record<UpdatableField, unknown>> = {};
        const custom = customStatuses(getConfig(s.town.db, 'status.custom'));
        if (o.status !== undefined) set.status = parseStatus(String(o.status), custom);
        if (o.priority !== undefined) set.priority = parsePriority(String(o.priority));
        if (o.title !== undefined) set.title = o.title;
        if (o.assignee !== undefined) set.assignee = o.assignee;
        if (o.owner !== undefined) set.owner = o.owner;
        if (o.type !== undefined) set.issue_type = parseIssueType(String(o.type), customTypes(s));
        if (o.description !== undefined) set.description = o.description;
        if (o.design !== undefined) set.design = o.design;
        if (o.acceptance !== undefined) set.acceptance_criteria = o.acceptance;
        if (o.notes !== undefined) set.notes = o.notes;
        if (o.due !== undefined) set.due_at = o.due ? parseUserTime(String(o.due)) : '';
        if (o.defer !== undefined) set.defer_until = o.defer ? parseUserTime(String(o.defer)) : '';
        if (o.estimate !== undefined) set.estimated_minutes = readEstimate(String(o.estimate));
        if (o.externalRef !== undefined) set.external_ref = o.externalRef;
        const change: UpdateInput = {
          set,
          addLabels: listOption(o.addLabel as string[] | undefined),
          removeLabels: listOption(o.removeLabel as string[] | undefined),
          ...(o.parent !== undefined ? { parent: String(o.parent) } : {}),
          claim: Boolean(o.claim),
        };
        const nothing = !Object.keys(set).length && !change.addLabels?.length && !change.removeLabels?.length && change.parent === undefined && !change.claim;
        if (nothing) throw usage('update needs something to change', 'e.g. gt bd update hq-a1 --status in_progress, -p 1, --add-label x, --claim');
        const updated = ids.map((i) => s.ledger.update(i, change));
        s.wrote();
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, updated));
        else printLines(ctx.io, updated.map((u) => `✓ Updated ${u.id}: ${inert(u.title)} [${u.status}]`));
      });
    }));

  bd.command('close')
    .alias('done')
    .description('close beads')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why it is closed')
    .option('-f, --force', 'close even with open blockers, open children, or pinned')
    .option('--continue', 'in a molecule: claim the next ready step (one id only)')
    .option('--no-auto', 'with --continue: name the next step but do not claim it')
    .option('--json', 'JSON output')
    .action(run(async (ids: string[], o: BdOptions & { reason?: string; force?: boolean; continue?: boolean; auto?: boolean }) => {
      if (o.continue) {
        if (ids.length !== 1) throw usage('--continue closes one step at a time', 'gt bd close <step> --continue');
        const { closeContinueCommand } = await import('./mol.js');
        await closeContinueCommand(ctx, ids[0]!, { reason: o.reason, force: o.force, noAuto: o.auto === false, json: o.json });
        return;
      }
      await withLedger(ctx, undefined, (s) => {
        const closed = ids.map((i) => s.ledger.close(i, { reason: o.reason, force: o.force }));
        s.wrote();
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, closed));
        else printLines(ctx.io, closed.map((c) => `✓ Closed ${c.id}: ${inert(c.title)}${c.close_reason ? ` (${inert(c.close_reason)})` : ''}`));
      });
    }));

  bd.command('reopen')
    .description('reopen closed beads')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why it is reopened')
    .option('--json', 'JSON output')
    .action(run(async (ids: string[], o: BdOptions & { reason?: string }) => {
      await withLedger(ctx, undefined, (s) => {
        const reopened = ids.map((i) => s.ledger.reopen(i, { reason: o.reason }));
        s.wrote();
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, reopened));
        else printLines(ctx.io, reopened.map((c) => `✓ Reopened ${c.id}: ${inert(c.title)}`));
      });
    }));

  bd.command('delete')
    .description('delete beads (kept as tombstones so the deletion reaches other clones)')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why')
    .option('--json', 'JSON output')
    .action(run(async (ids: string[], o: BdOptions & { reason?: string }) => {
      await withLedger(ctx, undefined, (s) => {
        const gone = ids.map((i) => s.ledger.delete(i, { reason: o.reason }));
        s.wrote();
        if (o.json) emitJson(ctx, { deleted: gone.map((g) => g.id) });
        else printLines(ctx.io, gone.map((g) => `✓ Deleted ${g.id}`));
      });
    }));

  bd.command('search')
    .description('search id, title, description, notes and external ref')
    .argument('<query>', 'text to find')
    .option('-s, --status <status>', 'only these statuses')
    .option('-n, --limit <n>', 'at most n (default 50)')
    .option('--rig <rig>', "only this rig's beads")
    .option('--json', 'JSON output')
    .action(run(async (query: string, o: BdOptions & { status?: string; limit?: string }) => {
      await withLedger(ctx, undefined, (s) => {
        const found = searchIssues(s.ledger.db, query, { status: statuses(s, o.status), limit: intOption('--limit', o.limit), prefix: o.rig ? rigPrefix(s, o.rig) : undefined });
        if (o.json) emitJson(ctx, withCounts(s.ledger.db, found));
        else printLines(ctx.io, found.length ? found.map(issueLine) : [`No beads match "${inert(query)}".`]);
      });
    }));

  bd.command('stats')
    .alias('status')
    .description('counts by status, type and priority')
    .option('--rig <rig>', "only this rig's beads")
    .option('--json', 'JSON output')
    .action(run(async (o: BdOptions) => {
      await withLedger(ctx, undefined, (s) => {
        const stats = ledgerStats(s.ledger.db, o.rig ? rigPrefix(s, o.rig) : undefined);
        if (o.json) emitJson(ctx, stats);
        else printLines(ctx.io, statsLines(stats));
      });
    }));

  registerBdGraph(bd, ctx);
  registerBdSync(bd, ctx);
}

/** Add the filter options shared by `list` and `ready` (beads' flags). */
function filterOptions(cmd: Command): Command {
  return cmd
    .option('-a, --assignee <name>', 'only this assignee')
    .option('--unassigned', 'only unassigned beads')
    .option('-t, --type <type>', 'only this type')
    .option('-p, --priority <p>', 'only this priority')
    .option('-l, --label <label>', 'must have this label (repeatable: all of them)', collect)
    .option('--label-any <label>', 'must have one of these labels (repeatable)', collect)
    .option('--rig <rig>', "only this rig's beads")
    .option('--json', 'JSON output');
}

/** Read the options of {@link filterOptions} (plus --limit), validating each. */
function readFilter(s: LedgerSession, o: Record<string, string | string[] | boolean | undefined>): IssueFilter {
  return {
    assignee: o.assignee as string | undefined,
    unassigned: Boolean(o.unassigned),
    type: o.type ? parseIssueType(String(o.type), customTypes(s)) : undefined,
    priority: o.priority !== undefined ? parsePriority(String(o.priority)) : undefined,
    labels: listOption(o.label as string[] | undefined),
    labelsAny: listOption(o.labelAny as string[] | undefined),
    prefix: o.rig ? rigPrefix(s, String(o.rig)) : undefined,
    limit: intOption('--limit', o.limit as string | undefined),
  };
}

function rigPrefix(s: LedgerSession, rig: string): string {
  return getRig(s.town, rig).prefix;
}

function claimFirst(s: LedgerSession, candidates: ReturnType<typeof readyWork>) {
  for (const c of candidates) {
    try {
      const claimed = s.ledger.update(c.id, { claim: true });
      s.wrote();
      return [claimed];
    } catch (e) {
      if ((e as GtError).code !== 'ALREADY_CLAIMED') throw e; // someone else got it first: try the next
    }
  }
  return [];
}
