/**
 * `gt formula run <convoy-formula> [--rig r] [--var k=v]`: run a convoy formula (Gas Town §5.1):
 * pour it as a molecule (one step per leg, and a synthesis step that the legs block), track the
 * legs and the synthesis in a convoy, sling every leg to its own polecat (with the leg's agent
 * when it names one), and queue the synthesis with the scheduler, which dispatches it once every
 * leg is closed (a blocked queued bead waits; see store/scheduler.ts `dispatchableSlings`).
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { createConvoy } from '../../store/convoys.js';
import { loadAndCookFormula } from '../../store/formula/load.js';
import { townFormulaDirs } from '../../store/formula/dirs.js';
import { pourMolecule } from '../../store/molecules.js';
import { enqueueSling } from '../../store/scheduler.js';
import { getRig, listRigs } from '../../store/town/rigs.js';
import { withTown } from '../../store/town/town.js';
import { resolveActor } from '../../store/actor.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines, type Io } from '../output.js';

/** What `gt formula run` started. */
export interface FormulaRunResult {
  formula: string;
  molecule: string;
  convoy: string;
  rig: string;
  legs: Array<{ leg: string; bead: string; agent: string; slung: unknown }>;
  synthesis: { bead: string; queued: number } | null;
}

/** Register `gt formula run` on the `gt formula` command. */
export function registerFormulaRun(formula: Command, ctx: CliContext, parseVars: (v?: string[]) => Record<string, string>): void {
  formula.command('run')
    .description('run a convoy formula: one polecat per leg, then the synthesis once every leg is closed')
    .argument('<name>', 'convoy formula name or path to a .formula.toml file')
    .option('--rig <rig>', 'the rig whose polecats work the legs (default: the only rig)')
    .option('--var <name=value>', 'set a var (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (name: string, o: JsonOption & { rig?: string; var?: string[] }) => {
      const actor = resolveActor(ctx.env, ctx.cwd);
      const planned = await withTown(ctx.cwd, ctx.env, (town) => {
        const rigs = listRigs(town);
        const rig = o.rig ? getRig(town, o.rig).name : rigs.length === 1 ? rigs[0]!.name : undefined;
        if (!rig) throw new GtError('USAGE', `the town has ${rigs.length} rigs: say which one works the legs`, { fix: `gt formula run ${name} --rig <${rigs.map((r) => r.name).join('|') || 'rig'}>` });
        const cooked = loadAndCookFormula(name, parseVars(o.var), { dirs: townFormulaDirs(town, { rig, cwd: ctx.cwd }), cwd: ctx.cwd });
        if (cooked.type !== 'convoy' || !cooked.legs?.length) {
          throw new GtError('INVALID_VALUE', `${cooked.name} is a ${cooked.type} formula, not a convoy with legs`, { fix: `pour it instead: gt mol pour ${cooked.name}, or sling it: gt sling ${cooked.name} ${rig}` });
        }
        const poured = pourMolecule(town, cooked, { actor, rig, title: `${cooked.name}: ${cooked.description.split('\n')[0] ?? ''}`.slice(0, 200) });
        const bead = (stepId: string) => poured.steps.find((s) => s.stepId === stepId)?.beadId;
        const legs = cooked.legs.map((l) => ({ leg: l.id, bead: bead(l.id)!, agent: l.agent }));
        const synthesis = bead('synthesis');
        const convoy = createConvoy(town, { title: `Convoy formula: ${cooked.name}`, beads: [...legs.map((l) => l.bead), ...(synthesis ? [synthesis] : [])], owner: actor, actor });
        return { cooked, rig, poured, legs, synthesis, convoy: convoy.id };
      });
      // Each leg through `gt sling`: the same path as a user's (session start, give-back on failure).
      const { runCli } = await import('../main.js');
      const legs: FormulaRunResult['legs'] = [];
      for (const l of planned.legs) {
        let out = '';
        let err = '';
        const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s; } };
        const code = await runCli(['sling', l.bead, planned.rig, '--convoy', planned.convoy, '--json', ...(l.agent ? ['--agent', l.agent] : [])], { cwd: ctx.cwd, env: ctx.env, io });
        if (code !== 0) throw new GtError('INVALID_VALUE', `leg ${l.leg} (${l.bead}) could not be slung: ${(err || out).trim().split('\n')[0]}`, { fix: `the molecule ${planned.poured.root} is poured; sling the leg by hand: gt sling ${l.bead} ${planned.rig}` });
        legs.push({ ...l, slung: JSON.parse(out) });
      }
      let synthesis: FormulaRunResult['synthesis'] = null;
      if (planned.synthesis) {
        const id = planned.synthesis;
        const queued = await withTown(ctx.cwd, ctx.env, (town) => enqueueSling(town, { beadId: id, rig: planned.rig, target: planned.rig, priority: 2 }));
        synthesis = { bead: id, queued: queued.id };
      }
      const result: FormulaRunResult = { formula: planned.cooked.name, molecule: planned.poured.root, convoy: planned.convoy, rig: planned.rig, legs, synthesis };
      if (o.json) { printJson(ctx.io, result); return; }
      printLines(ctx.io, [
        `✓ Running ${result.formula} as molecule ${result.molecule} in convoy ${result.convoy}`,
        ...legs.map((l) => `  leg ${l.leg}: ${l.bead} → ${(l.slung as { agent?: { address?: string } }).agent?.address ?? '?'}`),
        ...(synthesis ? [`  synthesis: ${synthesis.bead}, queued: it starts once every leg is closed (gt scheduler status)`] : []),
        `  follow it: gt mol progress ${result.molecule} · gt convoy status ${result.convoy}`,
      ]);
    }));
}
