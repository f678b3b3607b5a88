/**
 * `gt formula list|show|cook` (research/beads.md §6.3 `bd formula`, `bd cook`; Gas Town §5):
 * find formulas on the search path (rig `.beads/formulas/` > town `formulas/` > shipped),
 * show one as written, and cook one into its step plan. Cooking never writes the ledger;
 * `gt mol pour` turns a cooked formula into beads.
 */
import type { Command } from 'commander';
import { registerFormulaRun } from './formula-run.js';
import type { ParsedFormula } from '../../core/formula/parsed.js';
import type { CookedFormula, FormulaVar } from '../../core/formula/types.js';
import { fit, inert } from '../../core/text.js';
import { formulaDirs, townFormulaDirs, type FormulaDir } from '../../store/formula/dirs.js';
import { listFormulas, loadAndCookFormula, loadFormula, type FormulaListing } from '../../store/formula/load.js';
import { findTownRoot, resolveTown, withTown } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

/** Options shared by the formula commands. */
interface RigOption extends JsonOption {
  rig?: string;
}

/**
 * Parse repeated `--var k=v` values (the first `=` splits; later ones belong to the value).
 *
 * @throws GtError USAGE for an entry without `=` or with an empty name.
 */
export function parseVarOptions(entries: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const at = e.indexOf('=');
    if (at <= 0) throw usage(`--var needs name=value, got "${e}"`, 'write --var feature=login (repeat --var for more)');
    out[e.slice(0, at).trim()] = e.slice(at + 1);
  }
  return out;
}

function oneLine(text: string, max = 72): string {
  return fit(inert(text.trim().split('\n')[0] ?? '', { oneLine: true }), max);
}

/** `name  type  origin  description` for `gt formula list`. */
export function listingLine(l: FormulaListing, width: number): string {
  const origin = l.shadows.length ? `${l.origin} (over ${l.shadows.map((s) => s.origin).join(', ')})` : l.origin;
  const what = l.error ? `✗ ${oneLine(l.error, 100)}` : oneLine(l.description);
  return `${l.name.padEnd(width)}  ${(l.type ?? '?').padEnd(9)}  ${origin.padEnd(9)}  ${what}`;
}

/** What a var allows, for `show` (`required`, `default "main"`, `one of a, b`, `matching …`). */
export function varSummary(v: FormulaVar): string {
  const parts: string[] = [];
  if (v.required) parts.push('required');
  if (v.default !== undefined) parts.push(`default "${v.default}"`);
  if (v.enum) parts.push(`one of ${v.enum.join(', ')}`);
  if (v.pattern) parts.push(`matching ${v.pattern}`);
  if (v.type && v.type !== 'string') parts.push(v.type);
  if (v.min !== undefined) parts.push(`≥ ${v.min}`);
  if (v.max !== undefined) parts.push(`≤ ${v.max}`);
  return parts.join(', ') || 'optional';
}

/** The lines of `gt formula show`. */
export function showLines(f: ParsedFormula): string[] {
  const lines = [`${f.name} (${f.type}, v${f.version}) — ${f.source.origin} ${f.source.file}`];
  if (f.description) lines.push(...inert(f.description.trim()).split('\n').map((l) => (l.trim() ? `  ${l}` : '')));
  if (f.extends.length) lines.push('', `extends: ${f.extends.join(', ')}`);
  for (const r of f.compose.expand) lines.push(`expand: ${r.target} with ${r.with}`);
  if (f.compose.aspects.length) lines.push(`aspects: ${f.compose.aspects.join(', ')}`);
  if (f.generator) lines.push(`generator: ${f.generator} (steps are made when cooked)`);
  if (f.vars.length) {
    const w = Math.max(...f.vars.map((v) => v.name.length));
    lines.push('', 'vars:', ...f.vars.map((v) => `  ${v.name.padEnd(w)}  ${varSummary(v)}${v.description ? ` — ${oneLine(v.description)}` : ''}`));
  }
  const stepLines = (title: string, steps: ParsedFormula['steps']) => {
    if (!steps.length) return;
    const w = Math.max(...steps.map((s) => s.id.length));
    lines.push('', `${title} (${steps.length}):`, ...steps.map((s) =>
      `  ${s.id.padEnd(w)}  ${oneLine(s.title ?? s.id, 60)}${s.type && s.type !== 'task' ? ` [${s.type}]` : ''}${s.needs.length ? `  ← ${s.needs.join(', ')}` : ''}`));
  };
  stepLines('steps', f.steps);
  stepLines('template', f.template);
  for (const a of f.advice) {
    lines.push('', `advice on ${a.target ?? '(pointcuts)'}: before ${a.before.map((s) => s.id).join(', ') || '—'}; after ${a.after.map((s) => s.id).join(', ') || '—'}`);
  }
  if (f.legs.length) {
    const w = Math.max(...f.legs.map((l) => l.id.length));
    lines.push('', `legs (${f.legs.length}):`, ...f.legs.map((l) => `  ${l.id.padEnd(w)}  ${oneLine(l.title ?? l.id, 50)}${l.focus ? ` — ${oneLine(l.focus, 60)}` : ''}${l.agent ?? f.agent ? ` (agent ${l.agent ?? f.agent})` : ''}`));
  }
  if (f.synthesis) lines.push(`synthesis: ${oneLine(f.synthesis.title ?? 'Synthesis')}  ← ${(f.synthesis.dependsOn ?? f.legs.map((l) => l.id)).join(', ')}`);
  return lines;
}

/** The lines of `gt formula cook` (the plan, in order). */
export function cookLines(c: CookedFormula): string[] {
  const lines = [`${c.name} (${c.type}, v${c.version}) — ${c.source.origin} ${c.source.file}`];
  const vars = Object.entries(c.vars);
  if (vars.length) lines.push(`vars: ${vars.map(([k, v]) => `${k}=${inert(v, { oneLine: true })}`).join('  ')}`);
  lines.push('', `${c.steps.length} step(s), in order:`);
  const n = String(c.steps.length).length;
  const w = Math.min(32, Math.max(...c.steps.map((s) => s.id.length), 2));
  c.steps.forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(n)}. ${s.id.padEnd(w)}  ${oneLine(s.title, 60)}${s.type !== 'task' ? ` [${s.type}]` : ''}${s.priority !== 2 ? ` P${s.priority}` : ''}`);
    if (s.needs.length) lines.push(`  ${' '.repeat(n + 2)}${' '.repeat(w)}  ← ${s.needs.join(', ')}`);
    if (s.run) lines.push(`  ${' '.repeat(n + 2)}${' '.repeat(w)}  $ ${inert(s.run, { oneLine: true })}`);
  });
  if (c.legs) {
    lines.push('', `legs (one polecat each): ${c.legs.map((l) => (l.agent ? `${l.id} (${l.agent})` : l.id)).join(', ')}`);
    if (c.synthesis) lines.push(`synthesis: ${oneLine(c.synthesis.title)}`);
  }
  return lines;
}

/** Register `gt formula`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  /** The search path: inside a town with rig and town dirs; outside one, shipped only. */
  const withDirs = async <T>(o: RigOption, fn: (dirs: FormulaDir[]) => T): Promise<T> => {
    if (!findTownRoot(ctx.cwd, ctx.env)) {
      if (o.rig) resolveTown(ctx.cwd, ctx.env); // throws TOWN_NOT_FOUND, which says how to get one
      return fn(formulaDirs());
    }
    return withTown(ctx.cwd, ctx.env, (town) => fn(townFormulaDirs(town, { cwd: ctx.cwd, ...(o.rig ? { rig: o.rig } : {}) })));
  };
  const warn = (warnings: readonly string[]) => { for (const w of warnings) ctx.io.err(`warning: ${inert(w, { oneLine: true })}\n`); };

  const formula = program.command('formula')
    .description('workflow templates: list, show and cook formulas (rig .beads/formulas > town formulas/ > shipped)');

  registerFormulaRun(formula, ctx, parseVarOptions);

  formula.command('list')
    .description('every formula on the search path, with where it comes from')
    .option('--rig <rig>', "include this rig's .beads/formulas/")
    .option('--json', 'JSON output')
    .action(run(async (o: RigOption) => {
      await withDirs(o, (dirs) => {
        const all = listFormulas(dirs);
        if (o.json) { printJson(ctx.io, all); return; }
        if (!all.length) { printLines(ctx.io, ['No formulas found.']); return; }
        const w = Math.max(4, ...all.map((l) => l.name.length));
        printLines(ctx.io, [`${'NAME'.padEnd(w)}  ${'TYPE'.padEnd(9)}  ${'ORIGIN'.padEnd(9)}  DESCRIPTION`, ...all.map((l) => listingLine(l, w))]);
      });
    }));

  formula.command('show')
    .description('one formula as written: vars, steps and their needs, legs')
    .argument('<name>', 'formula name or path to a .formula.toml file')
    .option('--rig <rig>', "include this rig's .beads/formulas/")
    .option('--json', 'JSON output')
    .action(run(async (name: string, o: RigOption) => {
      await withDirs(o, (dirs) => {
        const f = loadFormula(name, dirs, { cwd: ctx.cwd });
        if (o.json) { printJson(ctx.io, { ...f, raw: undefined }); return; }
        printLines(ctx.io, showLines(f));
        warn(f.warnings);
      });
    }));

  formula.command('cook')
    .description('cook a formula into its plan: vars filled in, composition applied, steps in order (writes nothing)')
    .argument('<name>', 'formula name or path to a .formula.toml file')
    .option('--var <name=value>', 'set a var (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dry-run', 'accepted for `bd cook` compatibility: cooking never writes anything')
    .option('--rig <rig>', "include this rig's .beads/formulas/")
    .option('--json', 'the cooked formula as JSON')
    .action(run(async (name: string, o: RigOption & { var?: string[]; dryRun?: boolean }) => {
      const vars = parseVarOptions(o.var);
      await withDirs(o, (dirs) => {
        const cooked = loadAndCookFormula(name, vars, { dirs, cwd: ctx.cwd });
        if (o.json) { printJson(ctx.io, cooked); return; }
        printLines(ctx.io, cookLines(cooked));
        warn(cooked.warnings);
      });
    }));
}
