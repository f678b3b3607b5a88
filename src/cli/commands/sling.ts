/**
 * `gt sling <bead> [<rig>|<rig>/<polecat>|<rig>/crew/<name>|mayor] [--agent <runtime>]`: put a
 * bead on an agent's hook and start its session (gastown-features.md §3.3). The hook is written
 * (atomically, with its guards) before the session starts, so a session never starts without
 * its work, and a daemon restart finds the work again from the hook.
 */
import type { Command } from 'commander';
import { GtError } from '../../core/errors.js';
import { prefixOfId } from '../../core/ledger/ids.js';
import { crewDir } from '../../core/town/layout.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { getAgent, upsertAgent } from '../../store/work/agents.js';
import { hookBead, unhookBead } from '../../store/work/hook.js';
import { allocatePolecat, preparePolecatSandbox, releasePolecat } from '../../store/work/polecats.js';
import { Ledger } from '../../store/sqlite/ledger.js';
import { getRig, listRigs } from '../../store/town/rigs.js';
import { openTown, resolveTown, type Town } from '../../store/town/town.js';
import { resolveActor } from '../../store/actor.js';
import { writeTx } from '../../store/sqlite/db.js';
import { action, usage, type CliContext, type JsonOption } from '../context.js';
import { withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

interface SlingOptions extends JsonOption {
  agent?: string;
  force?: boolean;
}

/** Where a sling goes. */
type Target = { kind: 'rig'; rig: string } | { kind: 'polecat'; rig: string; name: string } | { kind: 'crew'; rig: string; name: string } | { kind: 'mayor' };

function parseTarget(town: Town, beadId: string, target: string | undefined): Target {
  if (!target) {
    const prefixes = listRigs(town).map((r) => r.prefix);
    const p = prefixOfId(beadId, prefixes);
    const rig = listRigs(town).find((r) => r.prefix === p);
    if (!rig) throw usage(`${beadId} is not a rig's bead (prefix ${p}); name where to sling it`, 'gt sling <bead> <rig>');
    return { kind: 'rig', rig: rig.name };
  }
  const t = target.replace(/\/$/, '');
  if (t === 'mayor') return { kind: 'mayor' };
  const parts = t.split('/');
  if (parts.length === 1) return { kind: 'rig', rig: getRig(town, parts[0]!).name };
  if (parts.length === 2) return { kind: 'polecat', rig: getRig(town, parts[0]!).name, name: parts[1]! };
  if (parts.length === 3 && parts[1] === 'polecats') return { kind: 'polecat', rig: getRig(town, parts[0]!).name, name: parts[2]! };
  if (parts.length === 3 && parts[1] === 'crew') return { kind: 'crew', rig: getRig(town, parts[0]!).name, name: parts[2]! };
  throw usage(`cannot read the target "${target}"`, 'use <rig>, <rig>/<polecat>, <rig>/crew/<name> or mayor');
}

/** Make sure the target agent exists and has its sandbox; returns its address. */
async function prepareAgent(town: Town, target: Target, beadId: string, runtime: string | undefined): Promise<{ address: string; allocated: boolean }> {
  switch (target.kind) {
    case 'rig': {
      const a = await allocatePolecat(town, target.rig, { beadId, ...(runtime ? { runtime } : {}) });
      return { address: a.address, allocated: true };
    }
    case 'polecat': {
      const address = `${target.rig}/polecats/${target.name}`;
      const existing = getAgent(town.db, address);
      if (existing?.hook_bead && existing.hook_bead !== beadId) {
        throw new GtError('ALREADY_CLAIMED', `${address} already has ${existing.hook_bead} on its hook`, { fix: `sling to the rig (gt sling ${beadId} ${target.rig}) to get a free polecat` });
      }
      writeTx(town.db, () => upsertAgent(town.db, { address, role: 'polecat', rig: target.rig, name: target.name, state: 'working', ...(runtime ? { runtime } : {}) }));
      await preparePolecatSandbox(town, target.rig, target.name, beadId);
      return { address, allocated: false };
    }
    case 'crew': {
      const address = `${target.rig}/crew/${target.name}`;
      const crew = town.db.prepare('SELECT name FROM crew WHERE rig = ? AND name = ?').get(target.rig, target.name);
      if (!crew) throw new GtError('NOT_FOUND', `no crew "${target.name}" in rig ${target.rig}`, { fix: `add it: gt crew add ${target.name} --rig ${target.rig}` });
      writeTx(town.db, () => upsertAgent(town.db, { address, role: 'crew', rig: target.rig, name: target.name, worktree: crewDir(town.root, target.rig, target.name), ...(runtime ? { runtime } : {}) }));
      return { address, allocated: false };
    }
    case 'mayor':
      writeTx(town.db, () => upsertAgent(town.db, { address: 'mayor', role: 'mayor', name: 'mayor', worktree: town.root, ...(runtime ? { runtime } : {}) }));
      return { address: 'mayor', allocated: false };
  }
}

/** Register `gt sling`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('sling')
    .description('put a bead on an agent\'s hook and start its session')
    .argument('<bead>', 'the bead (partial ids work)')
    .argument('[target]', '<rig> (a free polecat), <rig>/<polecat>, <rig>/crew/<name> or mayor; default: the rig of the bead\'s prefix')
    .option('--agent <runtime>', 'runtime preset for the session (default: the agent\'s, else settings default_agent)')
    .option('--force', 'take the bead even if it is hooked by someone else')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (beadInput: string, targetInput: string | undefined, o: SlingOptions) => {
      const town = openTown(resolveTown(ctx.cwd, ctx.env));
      let address: string;
      let beadId: string;
      try {
        const ledger = new Ledger(town.db, { actor: () => resolveActor(ctx.env, ctx.cwd), prefix: town.json.prefix });
        beadId = ledger.resolve(beadInput);
        const bead = ledger.get(beadId);
        if (bead.status === 'closed') throw new GtError('INVALID_STATUS', `cannot sling ${beadId}: it is closed${bead.close_reason ? ` (${bead.close_reason})` : ''}`, { fix: `reopen it first: gt bd reopen ${beadId}` });
        if (bead.status === 'hooked' && !o.force) throw new GtError('ALREADY_CLAIMED', `cannot sling ${beadId}: it is already on ${bead.assignee}'s hook`, { fix: `unsling it first (gt unsling ${beadId}) or pass --force` });
        const target = parseTarget(town, beadId, targetInput);
        if (target.kind !== 'mayor') {
          const rigPrefix = getRig(town, target.rig).prefix;
          const beadPrefix = prefixOfId(beadId, listRigs(town).map((r) => r.prefix).concat(town.json.prefix));
          if (beadPrefix !== rigPrefix && beadPrefix !== town.json.prefix) {
            throw new GtError('INVALID_VALUE', `${beadId} belongs to another rig (prefix ${beadPrefix}), not ${target.rig} (prefix ${rigPrefix})`, { fix: 'sling it to its own rig' });
          }
        }
        const prepared = await prepareAgent(town, target, beadId, o.agent);
        address = prepared.address;
        try {
          hookBead(town, beadId, address, { force: Boolean(o.force), actor: resolveActor(ctx.env, ctx.cwd) });
        } catch (e) {
          if (prepared.allocated) releasePolecat(town, address);
          throw e;
        }
      } finally {
        town.close();
      }
      const info = await withDaemonClient(ctx, async (client) => {
        try {
          return await client.request<AgentInfo>('agent.ensure', { address, reason: 'assigned', ...(o.agent ? { runtime: o.agent } : {}) });
        } catch (e) {
          // No session: give the work back rather than leave it hooked to nobody running.
          if ((e as GtError).code === 'INVALID_VALUE' && /runtime/.test((e as Error).message)) {
            const t = openTown(resolveTown(ctx.cwd, ctx.env));
            try { unhookBead(t, beadId, { reason: (e as Error).message }); } finally { t.close(); }
          }
          throw e;
        }
      });
      if (o.json) printJson(ctx.io, { bead: beadId, agent: info });
      else printLines(ctx.io, [`✓ Slung ${beadId} to ${address} (session ${info.session?.id ?? '?'}, ${info.runtime})`, `  watch it: gt peek ${address} · gt attach ${address}`]);
    }));
}
