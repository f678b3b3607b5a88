import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rigBareRepo } from '../../src/core/town/layout.js';
import { readyWork } from '../../src/store/sqlite/ledger-query.js';
import {
  addHandoff, createMergeRequest, getAgent, getMergeRequest, insertSession, listHistory, listMergeRequests, listSessions,
  markSessionExited, nextGeneration, peekHandoff, takeHandoff, upsertAgent,
} from '../../src/store/work/agents.js';
import { finishWork } from '../../src/store/work/done.js';
import { listEvents } from '../../src/store/events.js';
import { hookBead, hookOf, primeContextOf, unhookBead } from '../../src/store/work/hook.js';
import { allocatePolecat } from '../../src/store/work/polecats.js';
import { parseAgentAddress } from '../../src/core/work/names.js';
import { addAnotherRig, gtError, isolateGit, makeWorld, sh, type World } from './helpers.js';

let env: ReturnType<typeof isolateGit>;
let w: World;
beforeAll(async () => {
  env = isolateGit();
  w = await makeWorld(env.base);
  await addAnotherRig(w, env.base, 'other', 'ot');
});
afterAll(() => {
  w.close();
  env.cleanup();
});

async function slung(title: string, description?: string) {
  const bead = w.bead(title, description ? { description } : {});
  const a = await allocatePolecat(w.town, 'demo', { beadId: bead.id });
  hookBead(w.town, bead.id, a.address, { actor: 'mayor' });
  return { bead, a };
}

describe('agents repository', () => {
  it('counts generations atomically, records sessions, history and handoffs', () => {
    upsertAgent(w.town.db, { address: 'demo/crew/alice', role: 'crew', rig: 'demo', name: 'alice' });
    expect(nextGeneration(w.town.db, 'demo/crew/alice')).toBe(1);
    expect(nextGeneration(w.town.db, 'demo/crew/alice')).toBe(2);
    expect(() => nextGeneration(w.town.db, 'demo/crew/nobody')).toThrow(/no agent/);
    const s = insertSession(w.town.db, { agent: 'demo/crew/alice', generation: 2, runtime: 'claude', argv: ['claude', '--x'], cwd: '/tmp' });
    expect(s).toMatchObject({ id: 'demo/crew/alice#2', state: 'running', argv: '["claude","--x"]' });
    expect(markSessionExited(w.town.db, s.id, { code: 0, reason: 'exited' })).toMatchObject({ state: 'exited', exit_code: 0, exit_reason: 'exited' });
    expect(listSessions(w.town.db, 'demo/crew/alice').length).toBe(1);
    addHandoff(w.town.db, 'demo/crew/alice', 'old note');
    addHandoff(w.town.db, 'demo/crew/alice', 'new note');
    expect(peekHandoff(w.town.db, 'demo/crew/alice')?.note).toBe('new note');
    expect(takeHandoff(w.town.db, 'demo/crew/alice')?.note).toBe('new note');
    expect(takeHandoff(w.town.db, 'demo/crew/alice')?.note).toBe('old note');
    expect(takeHandoff(w.town.db, 'demo/crew/alice')).toBeUndefined();
  });

  it('creates merge requests idempotently on (branch, commit)', () => {
    const input = { rig: 'other', branch: 'polecat/x/ot-1', target: 'main', bead_id: 'ot-1', polecat: 'other/polecats/x', commit_sha: 'a'.repeat(40) };
    const first = createMergeRequest(w.town.db, input);
    expect(first).toMatchObject({ created: true, mr: { id: 'other-mr-1', state: 'queued', priority: 2 } });
    expect(createMergeRequest(w.town.db, input)).toMatchObject({ created: false, mr: { id: 'other-mr-1' } });
    expect(createMergeRequest(w.town.db, { ...input, commit_sha: 'b'.repeat(40) }).mr.id).toBe('other-mr-2');
    expect(listMergeRequests(w.town.db, { rig: 'other', state: 'queued' }).map((m) => m.id)).toEqual(['other-mr-1', 'other-mr-2']);
    expect(getMergeRequest(w.town.db, 'other-mr-2')?.commit_sha).toBe('b'.repeat(40));
  });
});

describe('hookBead guards', () => {
  it('hooks a bead: status hooked, assignee, agents.hook_bead, a comment and history, in one go', async () => {
    const { bead, a } = await slung('guarded');
    const now = w.ledger.get(bead.id);
    expect(now).toMatchObject({ status: 'hooked', assignee: a.address });
    expect(now.comments?.map((c) => c.text)).toContain(`hooked to ${a.address}`);
    expect(getAgent(w.town.db, a.address)?.hook_bead).toBe(bead.id);
    expect(hookOf(w.town, a.address)?.id).toBe(bead.id);
    expect(listHistory(w.town.db, a.address).map((h) => h.outcome)).toEqual(['slung']);
    expect(hookBead(w.town, bead.id, a.address).changed).toBe(false); // idempotent

    const other = await allocatePolecat(w.town, 'demo');
    const held = await gtError(() => hookBead(w.town, bead.id, other.address));
    expect(held.code).toBe('ALREADY_CLAIMED');
    expect(held.message).toBe(`${bead.id} is already hooked by ${a.address}`);

    const second = w.bead('second');
    const busy = await gtError(() => hookBead(w.town, second.id, a.address));
    expect(busy.message).toBe(`${a.address} already has ${bead.id} on its hook`);

    const taken = hookBead(w.town, bead.id, other.address, { force: true });
    expect(taken).toMatchObject({ changed: true, displaced: a.address });
    expect(getAgent(w.town.db, a.address)).toMatchObject({ hook_bead: '', state: 'idle' });
    expect(w.ledger.get(bead.id).assignee).toBe(other.address);
  });

  it('refuses closed and deleted beads with the reason', async () => {
    const a = await allocatePolecat(w.town, 'demo');
    const closed = w.bead('closed one');
    w.ledger.close(closed.id, { reason: 'duplicate of dm-x' });
    const e = await gtError(() => hookBead(w.town, closed.id, a.address));
    expect(e.code).toBe('INVALID_STATUS');
    expect(e.message).toBe(`cannot hook ${closed.id}: it is closed (duplicate of dm-x)`);
    const gone = w.bead('deleted one');
    w.ledger.delete(gone.id);
    expect((await gtError(() => hookBead(w.town, gone.id, a.address))).message).toContain('it is deleted');
  });

  it('refuses a bead of another rig, naming both', async () => {
    const a = await allocatePolecat(w.town, 'demo');
    const foreign = w.ledger.create({ title: 'other rig work', prefix: 'ot' });
    const e = await gtError(() => hookBead(w.town, foreign.id, a.address));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toBe(`${foreign.id} belongs to rig "other" (prefix ot), but ${a.address} works in rig "demo"`);
    const town = w.ledger.create({ title: 'town work', prefix: 'hq' });
    expect(hookBead(w.town, town.id, 'mayor').bead.status).toBe('hooked'); // hq beads and the mayor: no rig guard
    expect(() => hookBead(w.town, town.id, 'not an address')).toThrow(/not an agent address/);
  });

  it('unhooks by bead or by agent: open, unassigned, hook cleared, reason recorded', async () => {
    const { bead, a } = await slung('to unsling');
    const r = unhookBead(w.town, bead.id, { reason: 'wrong rig' });
    expect(r.address).toBe(a.address);
    expect(r.bead.status).toBe('open');
    expect(r.bead.assignee).toBeUndefined();
    expect(r.bead.comments?.at(-1)?.text).toBe(`unhooked from ${a.address}: wrong rig`);
    expect(getAgent(w.town.db, a.address)).toMatchObject({ hook_bead: '', state: 'idle' });
    expect(listHistory(w.town.db, a.address).at(-1)).toMatchObject({ outcome: 'unslung', detail: 'wrong rig', bead_id: bead.id });
    expect(listEvents(w.town, { type: 'bead.unslung' }).map((e) => [e.subject, e.rig, e.payload])).toEqual([[bead.id, 'demo', { agent: a.address, reason: 'wrong rig' }]]);
    expect((await gtError(() => unhookBead(w.town, bead.id))).message).toContain('is not on a hook (it is open)');
    hookBead(w.town, bead.id, a.address);
    expect(unhookBead(w.town, a.address).bead.id).toBe(bead.id);
    expect((await gtError(() => unhookBead(w.town, a.address))).message).toBe(`${a.address} has nothing on its hook`);
  });
});

describe('finishWork', () => {
  it('commits leftovers, records a merge request, keeps the bead in progress, clears the hook, goes idle', async () => {
    const { bead, a } = await slung('real work');
    w.ledger.update(bead.id, { set: { priority: 1 } });
    writeFileSync(join(a.worktree, 'feature.txt'), 'feature\n');
    sh(a.worktree, 'add', 'feature.txt');
    sh(a.worktree, 'commit', '-q', '-m', 'feature');
    writeFileSync(join(a.worktree, 'forgot.txt'), 'forgot\n'); // uncommitted: the safety net commits it
    const r = await finishWork(w.town, a.address);
    expect(r.outcome).toBe('merge_requested');
    expect(r.ahead).toBe(2);
    expect(r.saved).toBe(r.commit);
    expect(sh(a.worktree, 'log', '-1', '--format=%an <%ae>|%s')).toBe(`${a.address} <demo.polecats.${a.name}@gastown.local>|gt done: save uncommitted work`);
    expect(sh(a.worktree, 'status', '--porcelain')).toBe('');
    expect(r.mr).toMatchObject({ rig: 'demo', branch: `polecat/${a.name}/${bead.id}`, target: 'main', bead_id: bead.id, polecat: a.address, commit_sha: r.commit, priority: 1, state: 'queued' });
    expect(sh(rigBareRepo(w.root, 'demo'), 'rev-parse', r.mr!.branch)).toBe(r.commit);
    const now = w.ledger.get(bead.id);
    expect(now).toMatchObject({ status: 'in_progress', assignee: a.address });
    expect(now.comments?.at(-1)?.text).toBe(`done: MR ${r.mr!.id} (${r.commit!.slice(0, 10)})`);
    expect(readyWork(w.town.db, {}).map((i) => i.id)).not.toContain(bead.id);
    expect(getAgent(w.town.db, a.address)).toMatchObject({ hook_bead: '', state: 'idle' });
    expect(hookOf(w.town, a.address)).toBeUndefined();
    expect(listHistory(w.town.db, a.address).at(-1)).toMatchObject({ outcome: 'done', bead_id: bead.id });
    // an idle polecat whose branch awaits merge is reused for the next bead without refusal
    const next = await allocatePolecat(w.town, 'demo', { beadId: w.bead('next').id });
    expect(next.address).toBe(a.address);
    expect(sh(rigBareRepo(w.root, 'demo'), 'rev-parse', r.mr!.branch)).toBe(r.commit); // the MR's branch stays
  });

  it('refuses when nothing was committed, and --no-changes closes the bead', async () => {
    const { bead, a } = await slung('nothing to do');
    const e = await gtError(finishWork(w.town, a.address));
    expect(e.code).toBe('INVALID_STATUS');
    expect(e.message).toBe(`nothing was committed on polecat/${a.name}/${bead.id}; commit your work, or run gt done --no-changes --reason '…'`);
    expect((await gtError(finishWork(w.town, a.address, { noChanges: true }))).code).toBe('USAGE');
    const r = await finishWork(w.town, a.address, { noChanges: true, reason: 'already fixed upstream' });
    expect(r.outcome).toBe('no_changes');
    expect(r.mr).toBeUndefined();
    expect(w.ledger.get(bead.id)).toMatchObject({ status: 'closed', close_reason: 'already fixed upstream' });
    expect(getAgent(w.town.db, a.address)).toMatchObject({ hook_bead: '', state: 'idle' });
    expect(listHistory(w.town.db, a.address).at(-1)).toMatchObject({ outcome: 'no_changes', detail: 'already fixed upstream' });
  });

  it('refuses --no-changes with commits, an empty hook, and non-polecats', async () => {
    const { a } = await slung('has commits');
    writeFileSync(join(a.worktree, 'x.txt'), 'x\n');
    const e = await gtError(finishWork(w.town, a.address, { noChanges: true, reason: 'r' }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toContain('has 1 commit not on main');
    await finishWork(w.town, a.address);
    expect((await gtError(finishWork(w.town, a.address))).message).toBe(`${a.address} has nothing on its hook`);
    const outside = await gtError(finishWork(w.town, 'demo/crew/alice'));
    expect(outside.code).toBe('NOT_A_POLECAT');
    expect(outside.exitCode).toBe(1);
    expect(outside.message).toContain('gt done runs inside a polecat sandbox (BD_ACTOR like <rig>/polecats/<name>)');
  });
});

describe('prime context', () => {
  it('shows the hooked bead and takes the handoff note once', async () => {
    const { bead, a } = await slung('primed', 'Step 1: read.\nStep 2: write.');
    addHandoff(w.town.db, a.address, 'halfway through step 1');
    const who = parseAgentAddress(a.address)!;
    const peek = primeContextOf(w.town, who, { consumeHandoff: false });
    expect(peek.handoff?.note).toBe('halfway through step 1');
    const ctx = primeContextOf(w.town, who);
    expect(ctx).toMatchObject({ address: a.address, role: 'polecat', rig: 'demo', name: a.name, town: w.root, runtime: 'claude', mail: [] });
    expect(ctx.hook).toEqual({ id: bead.id, title: 'primed', status: 'hooked', description: 'Step 1: read.\nStep 2: write.', priority: 2 });
    expect(ctx.handoff?.note).toBe('halfway through step 1');
    expect(ctx.rules.join('\n')).toContain(`polecat/${a.name}/${bead.id}`);
    expect(primeContextOf(w.town, who).handoff).toBeUndefined();
  });
});
