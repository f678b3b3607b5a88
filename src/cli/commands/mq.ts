/**
 * `gt mq list|show|retry|reject|pause|resume` and `gt refinery status|run-once`: the merge queue
 * of each rig (issue #4). The daemon works the queue in the background; `run-once` runs one
 * refinery pass in this process, for scripts and tests.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { orderQueue, priorityScore } from '../../core/refinery/queue.js';
import { gateRuns, mrById, mrsIn, patchMr, refineryState, setRefineryState, type MrRow } from '../../store/refinery/refinery-db.js';
import { runRefineryOnce } from '../../store/refinery/refinery.js';
import { writeTx } from '../../store/sqlite/db.js';
import { Ledger } from '../../store/sqlite/ledger.js';
import { getIssueDoc } from '../../store/sqlite/ledger-rows.js';
import { getRig, listRigs, rigForPath } from '../../store/town/rigs.js';
import { withTown, type Town } from '../../store/town/town.js';
import { resolveActor } from '../../store/actor.js';
import { inert } from '../bd-format.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { printJson, printLines } from '../output.js';

const ALL_STATES = ['queued', 'testing', 'merged', 'rework', 'failed', 'rejected'];

function rigsOf(town: Town, ctx: CliContext, rig?: string): string[] {
  if (rig) return [getRig(town, rig).name];
  const here = rigForPath(town, ctx.cwd);
  return here ? [here] : listRigs(town).map((r) => r.name);
}

function mustMr(town: Town, id: string): MrRow {
  const mr = mrById(town.db, id);
  if (!mr) {
    const ids = (town.db.prepare('SELECT id FROM merge_requests ORDER BY created_at DESC LIMIT 10').all() as Array<{ id: string }>).map((r) => r.id);
    throw new GtError('NOT_FOUND', `no merge request "${id}"`, { fix: ids.length ? `recent: ${ids.join(', ')}` : 'there are none yet (gt done records them)' });
  }
  return mr;
}

function mrLine(mr: MrRow, score?: number): string {
  const extra = mr.state === 'merged' && mr.merged_sha ? ` → ${mr.merged_sha.slice(0, 10)}` : mr.error ? ` (${inert(mr.error)})` : '';
  return `${mr.id.padEnd(16)} ${mr.state.padEnd(8)} P${mr.priority} ${mr.bead_id.padEnd(12)} ${mr.branch}${score !== undefined ? `  score ${score.toFixed(0)}` : ''}${mr.retries ? `  retries ${mr.retries}` : ''}${extra}`;
}

/** Register `gt mq` and `gt refinery`. */
export function register(program: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'gt', fn);
  const mq = program.command('mq').description('merge queue: merge requests recorded by gt done');

  mq.command('list')
    .description('merge requests in queue order (default: queued, testing, rework, failed)')
    .option('--rig <rig>', 'one rig (default: the rig you are in, else all)')
    .option('--state <states>', `comma-separated: ${ALL_STATES.join(', ')} or all`)
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { rig?: string; state?: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const states = !o.state ? ['queued', 'testing', 'rework', 'failed'] : o.state === 'all' ? ALL_STATES : o.state.split(',').map((s) => s.trim());
        const bad = states.filter((s) => !ALL_STATES.includes(s));
        if (bad.length) throw new GtError('USAGE', `unknown state ${bad.join(', ')}`, { fix: `use ${ALL_STATES.join(', ')} or all` });
        const now = Date.now();
        const rows = rigsOf(town, ctx, o.rig).flatMap((rig) => orderQueue(mrsIn(town.db, rig, states), now));
        if (o.json) printJson(ctx.io, rows.map((m) => ({ ...m, score: priorityScore(m, now) })));
        else printLines(ctx.io, rows.length ? rows.map((m) => mrLine(m, m.state === 'queued' ? priorityScore(m, now) : undefined)) : ['The merge queue is empty.']);
      });
    }));

  mq.command('show')
    .description('one merge request with its gate runs')
    .argument('<id>', 'merge request id')
    .option('--json', 'JSON output')
    .action(run(async (id: string, o: JsonOption) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const mr = mustMr(town, id);
        const runs = gateRuns(town.db, mr.rig, 50).filter((g) => (JSON.parse(g.stack) as string[]).includes(mr.id));
        if (o.json) { printJson(ctx.io, { ...mr, gate_runs: runs }); return; }
        printLines(ctx.io, [
          mrLine(mr), `  rig ${mr.rig} · target ${mr.target} · polecat ${mr.polecat} · commit ${mr.commit_sha.slice(0, 12)}`,
          `  created ${mr.created_at} · updated ${mr.updated_at}${mr.batch_id ? ` · batch ${mr.batch_id}` : ''}`,
          ...runs.map((g) => `  gate run ${g.id}: ${g.passed ? 'pass' : `fail (${g.failed_gate ?? '?'})`}${g.flaky ? ' flaky' : ''} · ${g.duration_ms} ms · stack ${g.stack}`),
        ]);
      });
    }));

  mq.command('retry')
    .description('put a failed, rework or rejected merge request back in the queue')
    .argument('<id>', 'merge request id')
    .action(run(async (id: string) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const mr = mustMr(town, id);
        if (!['failed', 'rework', 'rejected'].includes(mr.state)) throw new GtError('INVALID_STATUS', `${id} is ${mr.state}; only failed, rework or rejected merge requests can be retried`);
        writeTx(town.db, () => patchMr(town.db, id, { state: 'queued', error: null, batch_id: null }));
        printLines(ctx.io, [`✓ ${id} is queued again (retries so far: ${mr.retries})`]);
      });
    }));

  mq.command('reject')
    .description('take a merge request out of the queue for good; its bead opens again')
    .argument('<id>', 'merge request id')
    .requiredOption('-r, --reason <text>', 'why')
    .action(run(async (id: string, o: { reason: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const mr = mustMr(town, id);
        if (mr.state === 'merged') throw new GtError('INVALID_STATUS', `${id} is already merged (${mr.merged_sha?.slice(0, 12)})`);
        const ledger = new Ledger(town.db, { actor: resolveActor(ctx.env, ctx.cwd), prefix: town.json.prefix });
        writeTx(town.db, () => {
          patchMr(town.db, id, { state: 'rejected', error: `rejected: ${o.reason}` });
          const bead = getIssueDoc(town.db, mr.bead_id);
          if (bead && bead.status !== 'closed' && bead.status !== 'tombstone') {
            ledger.update(mr.bead_id, { set: { status: 'open', assignee: '' } });
            ledger.comment(mr.bead_id, `merge request ${id} rejected: ${o.reason} (branch ${mr.branch} kept)`);
          }
        });
        printLines(ctx.io, [`✓ Rejected ${id}; ${mr.bead_id} is open again`]);
      });
    }));

  for (const [name, paused] of [['pause', 1], ['resume', 0]] as const) {
    mq.command(name)
      .description(`${name} the refinery of a rig`)
      .option('--rig <rig>', 'the rig (default: the rig you are in, else all)')
      .action(run(async (o: { rig?: string }) => {
        await withTown(ctx.cwd, ctx.env, (town) => {
          const rigs = rigsOf(town, ctx, o.rig);
          for (const rig of rigs) setRefineryState(town.db, rig, { paused });
          printLines(ctx.io, [`✓ ${paused ? 'Paused' : 'Resumed'} the merge queue of ${rigs.join(', ')}`]);
        });
      }));
  }

  const refinery = program.command('refinery').description('the per-rig merge engine');
  refinery.command('status')
    .description('queue length, state, last gate runs')
    .option('--rig <rig>', 'one rig')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { rig?: string }) => {
      await withTown(ctx.cwd, ctx.env, (town) => {
        const rows = rigsOf(town, ctx, o.rig).map((rig) => {
          const count = (s: string) => mrsIn(town.db, rig, [s]).length;
          return {
            rig, state: refineryState(town.db, rig), queued: count('queued'), testing: count('testing'), merged: count('merged'),
            failed: count('failed'), rework: count('rework'), gate_runs: gateRuns(town.db, rig, 5),
          };
        });
        if (o.json) { printJson(ctx.io, rows); return; }
        printLines(ctx.io, rows.flatMap((r) => [
          `${r.rig}: ${r.state.paused ? 'paused' : r.state.blocked_sha ? `blocked — ${r.state.blocked_reason}` : 'running'} · queued ${r.queued} · testing ${r.testing} · merged ${r.merged} · failed ${r.failed} · rework ${r.rework}`,
          ...r.gate_runs.map((g) => `  ${g.created_at} ${g.passed ? 'pass' : `fail (${g.failed_gate ?? '?'})`}${g.flaky ? ' flaky' : ''} ${g.duration_ms} ms ${g.stack}`),
        ]));
      });
    }));

  refinery.command('run-once')
    .description('run one refinery pass now, in this process')
    .option('--rig <rig>', 'one rig (default: the rig you are in, else all)')
    .option('--json', 'JSON output')
    .action(run(async (o: JsonOption & { rig?: string }) => {
      await withTown(ctx.cwd, ctx.env, async (town) => {
        const runs = [];
        for (const rig of rigsOf(town, ctx, o.rig)) runs.push(await runRefineryOnce(town, rig));
        if (o.json) { printJson(ctx.io, runs); return; }
        printLines(ctx.io, runs.map((r) => r.skipped
          ? `${r.rig}: nothing to do (${r.skipped})`
          : `${r.rig}: merged ${r.merged.join(', ') || '-'} · sent back ${r.culprits.join(', ') || '-'} · rework ${r.rework.join(', ') || '-'} · closed ${r.closed.join(', ') || '-'} · ${r.runs} gate run(s)${r.flaky ? ' (flaky)' : ''}${r.preexisting ? ` · the target fails its gates: bug ${r.bug}` : ''}${r.tip ? ` · ${r.tip.slice(0, 10)}` : ''}`));
      });
    }));
}
