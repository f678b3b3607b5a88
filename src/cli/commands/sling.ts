/**
 * `gt sling <bead> [<rig>|<rig>/<polecat>|<rig>/crew/<name>|mayor] [--agent <runtime>]`: put a
 * bead on an agent's hook and start its session (gastown-features.md §3.3). The hook is written
 * (atomically, with its guards) before the session starts, so a session never starts without
 * its work, and a daemon restart finds the work again from the hook. Past the scheduler's
 * capacity the sling is queued and the daemon dispatches it when a polecat frees up.
 *
 * Formulas: `gt sling <formula> --on <bead> [target] [--var k=v]` (or `gt sling <bead> --formula
 * <f>`) pours the formula as a wisp attached to the bead and slings the bead; `gt sling
 * <formula> <target>` (an argument that is no bead but names a formula) pours a molecule and
 * slings its root. The agent's `gt prime` then lists the steps.
 */
import type { Command } from 'commander';
import type { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { resolveActor } from '../../store/actor.js';
import { Ledger } from '../../store/sqlite/ledger.js';
import { unhookBead } from '../../store/work/hook.js';
import { parseSlingTarget, slingBead, slingFormula, type SlingOptions, type SlingOutcome } from '../../store/work/sling.js';
import type { PouredMolecule } from '../../store/molecules.js';
import { openTown, resolveTown, withTown } from '../../store/town/town.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

interface SlingCliOptions extends JsonOption {
  agent?: string;
  force?: boolean;
  /** The convoy id given with --convoy, or false for --no-convoy (commander's negation). */
  convoy?: string | false;
  /** `--on <bead>`: the first argument is a formula to put on this bead. */
  on?: string;
  /** `--formula <name>`: put this formula on the bead given as first argument. */
  formula?: string;
  var?: string[];
}

/**
 * Sling a formula: cook it (the bead as `issue`/`bead` when the formula declares them) and let
 * the store pour and sling it.
 */
async function slingCooked(ctx: CliContext, formula: string, on: string | undefined, target: string | undefined, o: SlingCliOptions, options: SlingOptions): Promise<SlingOutcome & { molecule: PouredMolecule }> {
  const { cookNamedFormula, parseVars } = await import('./mol.js');
  const vars = parseVars(o.var);
  return withTown(ctx.cwd, ctx.env, async (town) => {
    const bead = on ? new Ledger(town.db, { actor: options.actor, prefix: town.json.prefix }).resolve(on) : undefined;
    const where = target || bead ? parseSlingTarget(town, bead ?? '', target) : undefined;
    const rig = where && where.kind !== 'mayor' ? where.rig : undefined;
    const cooked = await cookNamedFormula(town, formula, vars, { cwd: ctx.cwd, ...(bead ? { bead } : {}), ...(rig ? { rig } : {}) });
    for (const w of cooked.warnings) ctx.io.err(`warning: ${w}\n`);
    return slingFormula(town, cooked, target, { ...options, ...(bead ? { on: bead } : {}) });
  });
}

function moleculeLine(m: { id: string; wisp: boolean; steps: number; attached_to?: string }): string {
  return `  ${m.wisp ? 'wisp' : 'molecule'} ${m.id}: ${m.steps} step${m.steps === 1 ? '' : 's'}${m.attached_to ? ` on ${m.attached_to}` : ''} (gt mol current ${m.id})`;
}

/** Register `gt sling`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('sling')
    .description('put a bead on an agent\'s hook and start its session')
    .argument('<bead>', 'the bead (partial ids work), or a formula: poured as a molecule whose root is slung')
    .argument('[target]', '<rig> (a free polecat), <rig>/<polecat>, <rig>/crew/<name> or mayor; default: the rig of the bead\'s prefix')
    .option('--on <bead>', 'the first argument is a formula: pour it as a wisp on this bead and sling the bead')
    .option('--formula <name>', 'pour this formula as a wisp on the bead and sling the bead')
    .option('--var <name=value>', 'a formula variable (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--agent <runtime>', 'runtime preset for the session (default: the agent\'s, else settings default_agent)')
    .option('--force', 'take the bead even if it is hooked by someone else')
    .option('--convoy <id>', 'add the bead to this convoy (default: its convoy, else a new "Work: <title>")')
    .option('--no-convoy', 'do not put the bead in a convoy')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (beadInput: string, targetInput: string | undefined, o: SlingCliOptions) => {
      const actor = resolveActor(ctx.env, ctx.cwd);
      const options: SlingOptions = {
        actor, force: Boolean(o.force), noConvoy: o.convoy === false,
        ...(o.agent ? { runtime: o.agent } : {}), ...(o.convoy ? { convoy: o.convoy } : {}),
      };
      if (o.on && o.formula) throw usage('give either --on <bead> (the argument is a formula) or --formula <name> (the argument is a bead)');
      let outcome: SlingOutcome & { molecule?: PouredMolecule };
      if (o.on) outcome = await slingCooked(ctx, beadInput, o.on, targetInput, o, options);
      else if (o.formula) outcome = await slingCooked(ctx, o.formula, beadInput, targetInput, o, options);
      else {
        try {
          outcome = await withTown(ctx.cwd, ctx.env, (town) => slingBead(town, beadInput, targetInput, options));
        } catch (e) {
          // not a bead: maybe a formula (gt sling <formula> <target>); else the bead error stands
          if ((e as GtError).code !== 'BEAD_NOT_FOUND' && (e as GtError).code !== 'INVALID_ID') throw e;
          try {
            outcome = await slingCooked(ctx, beadInput, undefined, targetInput, o, options);
          } catch (f) {
            if ((f as GtError).code === 'FORMULA_NOT_FOUND') throw e;
            throw f;
          }
        }
      }
      const molecule = outcome.molecule
        ? { id: outcome.molecule.root, wisp: outcome.molecule.wisp, steps: outcome.molecule.steps.length, ...(outcome.molecule.attachedTo ? { attached_to: outcome.molecule.attachedTo } : {}) }
        : undefined;
      if (outcome.kind === 'queued') {
        if (o.json) printJson(ctx.io, { bead: outcome.bead, queued: outcome.queued, reason: outcome.reason, convoy: outcome.convoy ?? null, ...(molecule ? { molecule } : {}) });
        else printLines(ctx.io, [`Queued ${outcome.bead} for ${outcome.rig}: ${outcome.reason}; it starts when a polecat frees up (gt scheduler status)`, ...(molecule ? [moleculeLine(molecule)] : [])]);
        // make sure a daemon is there to dispatch it
        await withDaemonClient(ctx, (client) => client.request('daemon.ping'));
        return;
      }
      const { address, bead } = outcome;
      const info = await withDaemonClient(ctx, async (client) => {
        try {
          return await client.request<AgentInfo>('agent.ensure', { address, reason: 'assigned', ...(o.agent ? { runtime: o.agent } : {}) });
        } catch (e) {
          // No session: give the work back rather than leave it hooked to nobody running.
          if ((e as GtError).code === 'INVALID_VALUE' && /runtime/.test((e as Error).message)) {
            const t = openTown(resolveTown(ctx.cwd, ctx.env));
            try { unhookBead(t, bead, { reason: (e as Error).message }); } finally { t.close(); }
          }
          throw e;
        }
      });
      if (o.json) printJson(ctx.io, { bead, agent: info, convoy: outcome.convoy ?? null, ...(molecule ? { molecule } : {}) });
      else printLines(ctx.io, [`✓ Slung ${bead} to ${address} (session ${info.session?.id ?? '?'}, ${info.runtime})${outcome.convoy ? ` in convoy ${outcome.convoy}` : ''}`, ...(molecule ? [moleculeLine(molecule)] : []), `  watch it: gt peek ${address} · gt attach ${address}`]);
    }));
}
