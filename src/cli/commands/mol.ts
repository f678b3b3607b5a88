/**
 * `gt mol pour|wisp|current|progress|squash|burn` (beads.md §6.3, gastown-features.md §5): a
 * formula poured into the ledger as a molecule (a root bead and one bead per step), worked step
 * by step with `gt bd close <step> --continue` (also here: {@link closeContinueCommand}), and
 * ended by a squash (one digest bead) or a burn. JSON output uses beads' shapes
 * (`MoleculeProgress`, `SquashResult`, `BurnResult`, `CloseWithContinue`).
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import type { CookedFormula } from '../../core/formula/types.js';
import { resolveActor } from '../../store/actor.js';
import { burnMolecule, closeAndContinue, squashMolecule, type CloseContinueResult } from '../../store/molecule-lifecycle.js';
import {
  loadMolecule, moleculeProgressJson, moleculeProgressStats, moleculesForAgent, moleculeSteps, type MoleculeView, type StepState,
} from '../../store/molecule-progress.js';
import { pourMolecule, type PouredMolecule } from '../../store/molecules.js';
import { getIssueDoc } from '../../store/sqlite/ledger-rows.js';
import { withCounts } from '../../store/sqlite/ledger-query.js';
import type { Town } from '../../store/town/town.js';
import { inert } from '../bd-format.js';
import { action, intOption, usage, type CliContext, type JsonOption } from '../context.js';
import { withLedger, type LedgerSession } from '../ledger-session.js';
import { printJson, printLines } from '../output.js';

/** Molecules with more steps than this print a summary as text unless `--limit`/`--range` is given (beads). */
export const LARGE_MOLECULE = 100;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** beads' JSON output (as `gt bd` prints it): objects get `schema_version: 1`; `BD_JSON_ENVELOPE=1` wraps. */
function emitJson(ctx: CliContext, payload: Record<string, unknown>): void {
  printJson(ctx.io, ctx.env.BD_JSON_ENVELOPE === '1' ? { schema_version: 1, data: payload } : { ...payload, schema_version: 1 });
}

/**
 * Read repeated `--var k=v` options.
 *
 * @throws GtError USAGE for an item without `=` or with an empty name.
 */
export function parseVars(items: readonly string[] = []): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usage(`--var "${item}" is not name=value`, 'pass --var name=value (repeatable)');
    vars[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return vars;
}

/** Options of {@link cookNamedFormula}. */
export interface CookNamedOptions {
  /** Rig whose formulas (`<refinery worktree>/.beads/formulas/`) are searched first. */
  rig?: string;
  /** Where the command runs: inside a rig's worktree its formulas come first; relative paths resolve here. */
  cwd?: string;
  /**
   * A bead the molecule is for: given as the vars `issue` and `bead` when the formula declares
   * them (and the caller gave no value of its own).
   */
  bead?: string;
}

/** Var names a bead is passed as (Gas Town formulas use `{{issue}}`, beads' examples `{{bead}}`). */
export const BEAD_VARS = ['issue', 'bead'] as const;

/**
 * Find a formula by name or path (rig, town, shipped; see townFormulaDirs) and cook it with
 * `vars`, plus the bead as `issue`/`bead` when the formula declares those.
 *
 * @throws GtError FORMULA_NOT_FOUND, FORMULA_INVALID, VAR_INVALID (from the formula store),
 * RIG_NOT_FOUND.
 */
export async function cookNamedFormula(town: Town, name: string, vars: Record<string, string>, options: CookNamedOptions = {}): Promise<CookedFormula> {
  // loaded here, not at the top: `gt bd close --continue` and `gt mol current` never cook
  const [{ loadFormula, formulaResolver }, { townFormulaDirs }, { cookFormula }] = await Promise.all([
    import('../../store/formula/load.js'), import('../../store/formula/dirs.js'), import('../../core/formula/cook.js'),
  ]);
  const dirs = townFormulaDirs(town, { ...(options.rig ? { rig: options.rig } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });
  const parsed = loadFormula(name, dirs, options.cwd ? { cwd: options.cwd } : {});
  const injected = options.bead ? BEAD_VARS.filter((v) => vars[v] === undefined) : [];
  const withBead = { ...vars, ...Object.fromEntries(injected.map((v) => [v, options.bead!])) };
  const cook = (values: Record<string, string>) => cookFormula(parsed, values, { resolve: formulaResolver(dirs) });
  try {
    return cook(withBead);
  } catch (e) {
    // the bead vars are offered, not required: drop the ones the formula does not declare
    const unknown = e instanceof GtError && e.code === 'VAR_INVALID' ? (e.details.unknown as string[] | undefined) : undefined;
    if (!injected.length || !unknown?.length || !unknown.every((u) => (injected as string[]).includes(u))) throw e;
    return cook(Object.fromEntries(Object.entries(withBead).filter(([k]) => !unknown.includes(k))));
  }
}

function pourLines(cooked: CookedFormula, m: PouredMolecule): string[] {
  return [
    `✓ Poured ${cooked.name} as ${m.wisp ? 'wisp' : 'molecule'} ${m.root}: ${m.steps.length} step${m.steps.length === 1 ? '' : 's'}${m.attachedTo ? `, attached to ${m.attachedTo}` : ''}`,
    ...m.steps.slice(0, 20).map((s) => `  ${s.beadId}  ${s.stepId}`),
    ...(m.steps.length > 20 ? [`  … ${m.steps.length - 20} more`] : []),
    `  see it: gt mol current ${m.root}`,
  ];
}

/** beads' `bd mol pour --json` shape (`InstantiateResult`) plus our step list. */
export function pourJson(cooked: CookedFormula, m: PouredMolecule): Record<string, unknown> {
  return {
    new_epic_id: m.root,
    id_mapping: Object.fromEntries(m.steps.map((s) => [s.stepId, s.beadId])),
    created: m.steps.length + 1,
    phase: m.wisp ? 'vapor' : 'liquid',
    formula: cooked.name,
    steps: m.steps.map((s) => ({ step_id: s.stepId, id: s.beadId })),
    ...(m.attachedTo ? { attached: m.attachedTo } : {}),
  };
}

interface PourCliOptions extends JsonOption {
  var?: string[];
  on?: string;
  rig?: string;
  assignee?: string;
  title?: string;
}

async function pour(ctx: CliContext, formula: string, o: PourCliOptions, wisp: boolean): Promise<void> {
  const vars = parseVars(o.var);
  await withLedger(ctx, o.rig, async (s) => {
    const on = o.on ? s.ledger.resolve(o.on) : undefined;
    const cooked = await cookNamedFormula(s.town, formula, vars, { cwd: ctx.cwd, ...(o.rig ? { rig: o.rig } : {}), ...(on ? { bead: on } : {}) });
    const m = pourMolecule(s.town, cooked, {
      actor: s.ledger.actor, prefix: s.prefix, wisp, ...(on ? { attachTo: on } : {}),
      ...(o.assignee ? { assignee: o.assignee } : {}), ...(o.title ? { title: o.title } : {}),
    });
    s.wrote();
    for (const w of cooked.warnings) ctx.io.err(`warning: ${w}\n`);
    if (o.json) printJson(ctx.io, pourJson(cooked, m));
    else printLines(ctx.io, pourLines(cooked, m));
  });
}

const ICON: Record<StepState, string> = { done: '[done]', current: '[current]', ready: '[ready]', blocked: '[blocked]', pending: '[pending]' };

/** beads' text of `bd mol current`: the steps with their state, progress, and what to do next. */
export function currentLines(view: MoleculeView, agent: string | undefined, range?: { from: number; to: number }): string[] {
  const out = [`You're working on molecule ${view.root.id}`, `  ${inert(view.root.title)}`];
  if (view.root.assignee) out.push(`  Assigned to: ${view.root.assignee}`);
  out.push('');
  const total = view.steps.length;
  const shown = range ? view.steps.slice(range.from - 1, range.to) : total > LARGE_MOLECULE ? undefined : view.steps;
  if (shown) {
    for (const s of shown) {
      const here = s.state === 'current' && (!agent || s.assignee === agent || !s.assignee) ? ' <- YOU ARE HERE' : '';
      out.push(`  ${ICON[s.state]} ${s.id}: ${inert(s.title)}${s.human ? ' (human)' : s.gate ? ' (gate)' : ''}${here}`);
    }
  } else {
    const counts = new Map<StepState, number>();
    for (const s of view.steps) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    out.push(`  ${[...counts].map(([k, n]) => `${n} ${k}`).join(' · ')} (a large molecule: --limit N or --range A-B lists steps)`);
    for (const s of view.steps.filter((x) => x.state === 'current' || x.state === 'ready').slice(0, 10)) out.push(`  ${ICON[s.state]} ${s.id}: ${inert(s.title)}`);
  }
  const stats = moleculeProgressStats(view);
  out.push('', `Progress: ${stats.completed}/${total} steps complete (${stats.percent}%)`);
  const current = view.steps.find((s) => s.state === 'current');
  const next = view.steps.find((s) => s.state === 'ready');
  if (current) out.push('', `When ${current.id} is done: gt bd close ${current.id} --continue`);
  else if (next) out.push('', `Next ready: ${next.id} - ${inert(next.title)}`, `  Start with: gt bd update ${next.id} --claim`);
  else if (stats.completed === total) out.push('', `Molecule complete. Consider: gt mol squash ${view.root.id} --summary '…'`);
  const hint = current ?? next;
  if (hint) out.push(`  Run \`gt bd show ${hint.id}\` to see its instructions.`);
  return out;
}

function parseRange(value: string | undefined): { from: number; to: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw usage(`--range "${value}" is not A-B (1-based, A ≤ B)`, 'e.g. --range 100-150');
  return { from: Number(m[1]), to: Number(m[2]) };
}

/** The molecules a `current`/`progress` call is about: the given one, else the agent's. */
function moleculesOf(s: LedgerSession, ctx: CliContext, id: string | undefined, forAgent: string | undefined): { views: MoleculeView[]; agent?: string } {
  if (id) return { views: [loadMolecule(s.town.db, id, s.prefix)] };
  const agent = forAgent ?? resolveActor(ctx.env, ctx.cwd);
  const views = moleculesForAgent(s.town.db, agent).map((root) => ({ root: getIssueDoc(s.town.db, root)!, steps: moleculeSteps(s.town.db, root) }));
  return { views, agent };
}

/**
 * `gt bd close <step> --continue`: close the step and claim the next ready one of its molecule
 * (see closeAndContinue). JSON: beads' `{closed: [issue], continue: ContinueResult | null}`.
 */
export async function closeContinueCommand(ctx: CliContext, id: string, o: { reason?: string; force?: boolean; noAuto?: boolean; json?: boolean }): Promise<void> {
  await withLedger(ctx, undefined, (s) => {
    const r: CloseContinueResult = closeAndContinue(s.ledger, id, {
      ...(o.reason ? { reason: o.reason } : {}), ...(o.force ? { force: true } : {}), ...(o.noAuto ? { noAuto: true } : {}),
    });
    s.wrote();
    if (o.json) {
      emitJson(ctx, { closed: withCounts(s.ledger.db, [r.closed]), continue: r.continue });
      return;
    }
    printLines(ctx.io, continueLines(r));
  });
}

/** The text of `close --continue`: what was closed and what to do next. */
export function continueLines(r: CloseContinueResult): string[] {
  const out = [`✓ Closed ${r.closed.id}: ${inert(r.closed.title)}${r.closed.close_reason ? ` (${inert(r.closed.close_reason)})` : ''}`];
  const c = r.continue;
  if (!c) return [...out, '', 'No more steps: it is not part of a molecule.'];
  if (c.molecule_complete) {
    return [...out, '', `✓ Molecule ${c.molecule_id} complete! All ${c.total} steps closed.`, 'Next: finish your hooked bead (a polecat runs `gt done`).', `Consider: gt mol squash ${c.molecule_id} --summary '…'`];
  }
  out.push('', `Progress: ${c.completed}/${c.total} steps done in molecule ${c.molecule_id}`);
  if (c.next_step) {
    out.push(`Next step: ${c.next_step.id}: ${inert(c.next_step.title)}`);
    if (c.auto_advanced) out.push(`→ Claimed it (in_progress, assigned to you; --no-auto skips this).`, `  Read it: gt bd show ${c.next_step.id}`, `  When it is done: gt bd close ${c.next_step.id} --continue`);
    else out.push(`  Start with: gt bd update ${c.next_step.id} --claim`);
  } else {
    out.push('No ready step for you in the molecule (the rest are blocked or taken).');
  }
  for (const w of c.waiting_on ?? []) out.push(`  waiting on ${w.kind === 'human' ? 'a person' : 'a gate'}: ${w.id}: ${inert(w.title)}`);
  return out;
}

/** Register `gt mol`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  const mol = program.command('mol').description('molecules: formulas poured as step beads (pour, wisp, current, progress, squash, burn)');

  for (const [name, wisp, what] of [['pour', false, 'a molecule (persistent, exported)'], ['wisp', true, 'a wisp (ephemeral: never exported)']] as const) {
    mol.command(name)
      .description(`cook a formula and pour it as ${what}`)
      .argument('<formula>', 'formula name')
      .option('--var <name=value>', 'a formula variable (repeatable)', collect)
      .option('--rig <rig>', 'the rig whose prefix the beads get (default: the rig you are in, else the town)')
      .option('--on <bead>', 'attach the molecule to this bead (given to the formula as var issue/bead when declared)')
      .option('--assignee <name>', 'assignee of the molecule root')
      .option('--title <title>', 'title of the molecule root (default: the formula name)')
      .option('--json', 'JSON output: {new_epic_id, id_mapping, created, phase, formula, steps}')
      .action(run(async (formula: string, o: PourCliOptions) => pour(ctx, formula, o, wisp)));
  }

  mol.command('current')
    .description('where you are in a molecule: every step as done, current, ready, blocked or pending')
    .argument('[id]', 'a molecule, or a step of one (default: the molecules of your hook and your in-progress steps)')
    .option('--for <agent>', 'whose molecules (default: BD_ACTOR)')
    .option('--limit <n>', 'list the first n steps')
    .option('--range <a-b>', 'list steps a to b (1-based)')
    .option('--json', 'JSON output: [MoleculeProgress] (beads)')
    .action(run(async (id: string | undefined, o: JsonOption & { for?: string; limit?: string; range?: string }) => {
      const limit = intOption('--limit', o.limit, 1);
      const range = parseRange(o.range) ?? (limit ? { from: 1, to: limit } : undefined);
      await withLedger(ctx, undefined, (s) => {
        const { views, agent } = moleculesOf(s, ctx, id, o.for);
        if (o.json) {
          printJson(ctx.io, views.map((v) => {
            const p = moleculeProgressJson(v);
            return range ? { ...p, steps: p.steps.slice(range.from - 1, range.to) } : p;
          }));
          return;
        }
        if (!views.length) {
          printLines(ctx.io, [`No molecules in progress${agent ? ` for ${agent}` : ''}.`, '', 'To start one: gt mol pour <formula>, or gt sling <formula> --on <bead> <target>']);
          return;
        }
        printLines(ctx.io, views.flatMap((v, i) => [...(i ? [''] : []), ...currentLines(v, agent, range)]));
      });
    }));

  mol.command('progress')
    .description('how far a molecule is: done/total, percent, the current step')
    .argument('[id]', 'a molecule, or a step of one (default: your molecules)')
    .option('--for <agent>', 'whose molecules (default: BD_ACTOR)')
    .option('--json', 'JSON output: MoleculeProgressStats (beads) plus percent and current_step; an array without an id')
    .action(run(async (id: string | undefined, o: JsonOption & { for?: string }) => {
      await withLedger(ctx, undefined, (s) => {
        const { views, agent } = moleculesOf(s, ctx, id, o.for);
        const stats = views.map(moleculeProgressStats);
        if (o.json) {
          printJson(ctx.io, id ? stats[0] : stats);
          return;
        }
        if (!stats.length) {
          printLines(ctx.io, [`No molecules in progress${agent ? ` for ${agent}` : ''}.`]);
          return;
        }
        printLines(ctx.io, stats.map((p) => `${p.molecule_id}  ${p.completed}/${p.total} (${p.percent}%)  ${inert(p.molecule_title)}${p.current_step ? `  · ${p.current_step.status}: ${p.current_step.id} ${inert(p.current_step.title)}` : ''}`));
      });
    }));

  mol.command('squash')
    .description('replace a finished molecule\'s steps by one closed digest bead (wisp steps are deleted)')
    .argument('<id>', 'the molecule')
    .option('--summary <text>', 'the digest\'s description (default: the closed steps\' titles)')
    .option('--force', 'squash even though some steps are not done')
    .option('--keep-children', 'keep the wisp steps')
    .option('--json', 'JSON output: SquashResult (beads)')
    .action(run(async (id: string, o: JsonOption & { summary?: string; force?: boolean; keepChildren?: boolean }) => {
      await withLedger(ctx, undefined, (s) => {
        const r = squashMolecule(s.ledger, id, { ...(o.summary ? { summary: o.summary } : {}), force: Boolean(o.force), keepChildren: Boolean(o.keepChildren) });
        s.wrote();
        if (o.json) printJson(ctx.io, r);
        else printLines(ctx.io, [`✓ Squashed ${r.molecule_id} into ${r.digest_id} (${r.squashed_count} steps${r.deleted_count ? `, ${r.deleted_count} wisp steps deleted` : ''})`]);
      });
    }));

  mol.command('burn')
    .description('delete a molecule and its steps, without a digest')
    .argument('<id>', 'the molecule')
    .option('--force', 'burn even a hooked molecule, or a poured one with closed steps')
    .option('--json', 'JSON output: BurnResult (beads)')
    .action(run(async (id: string, o: JsonOption & { force?: boolean }) => {
      await withLedger(ctx, undefined, (s) => {
        const r = burnMolecule(s.ledger, id, { force: Boolean(o.force) });
        s.wrote();
        if (o.json) printJson(ctx.io, r);
        else printLines(ctx.io, [`✓ Burned ${r.molecule_id} (${r.deleted_count} beads)`]);
      });
    }));
}
