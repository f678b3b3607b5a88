import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { hookBead } from '../../src/store/work/hook.js';
import { allocatePolecat, type Allocation } from '../../src/store/work/polecats.js';
import { sh, useWorld } from './helpers.js';

const t = useWorld();

interface Run { code: number; out: string; err: string; json<T = Record<string, unknown>>(): T }

async function gt(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: t.env.base, ...options.env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const code = await runCli(args, { cwd: options.cwd ?? t.w.root, env: e, io: { out: (t) => out.push(t), err: (t) => err.push(t) } });
  return { code, out: out.join(''), err: err.join(''), json: <T>() => JSON.parse(out.join('')) as T };
}

async function slung(title: string): Promise<{ id: string; a: Allocation; as: NodeJS.ProcessEnv }> {
  const bead = t.w.bead(title, { description: `the steps of ${title}` });
  const a = await allocatePolecat(t.w.town, 'demo', { beadId: bead.id });
  hookBead(t.w.town, bead.id, a.address);
  return { id: bead.id, a, as: { BD_ACTOR: a.address } };
}

describe('gt prime', () => {
  it('prints the agent, its rules and its hooked bead, as text and JSON', async () => {
    const { id, a, as } = await slung('prime me');
    const text = await gt(['prime'], { env: as });
    expect(text.code).toBe(0);
    expect(text.out).toContain(`you are ${a.address}`);
    expect(text.out).toContain(`## Your hook: ${id} — prime me`);
    expect(text.out).toContain('the steps of prime me');
    expect(text.out).toContain('`gt done`');
    const json = await gt(['prime', '--json'], { cwd: a.worktree }); // identity from the sandbox path
    expect(json.code).toBe(0);
    expect(json.json()).toMatchObject({ address: a.address, role: 'polecat', rig: 'demo', name: a.name, hook: { id, title: 'prime me', status: 'hooked' }, handoff: null, mail: [] });
    const other = await gt(['prime', '--json', '--agent', 'mayor']);
    expect(other.json()).toMatchObject({ address: 'mayor', role: 'mayor', hook: null });
  });

  it('lists unread mail without marking it read, and the mayor\'s escalations', async () => {
    const { a, as } = await slung('mail me');
    expect((await gt(['mail', 'send', a.address, '-s', 'Use the v2 API', '-m', 'details', '--kind', 'HELP', '--priority', '1'])).code).toBe(0);
    const prime = await gt(['prime', '--json'], { env: as });
    expect(prime.json<{ mail: Array<{ kind: string; subject: string; from: string }> }>().mail).toEqual([expect.objectContaining({ kind: 'HELP', subject: 'Use the v2 API', from: 'overseer' })]);
    expect((await gt(['prime'], { env: as })).out).toContain('HELP from overseer: Use the v2 API');
    expect((await gt(['mail', 'check', '--json'], { env: as })).json()).toMatchObject({ unread: 1 });
    expect((await gt(['escalate', 'the build is red', '--severity', 'high', '--category', 'blocked'])).code).toBe(0);
    const mayor = await gt(['prime', '--json', '--agent', 'mayor']);
    expect(mayor.json<{ escalations: Array<{ summary: string; severity: string }> }>().escalations).toEqual([expect.objectContaining({ summary: 'the build is red', severity: 'high' })]);
  });

  it('says so when run outside an agent', async () => {
    const r = await gt(['prime'], { env: { BD_ACTOR: undefined } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('gt prime runs inside an agent session');
  });
});

describe('gt done', () => {
  it('refuses outside a polecat (exit 1), in a town and outside any town', async () => {
    const inTown = await gt(['done'], { env: { BD_ACTOR: undefined } });
    expect(inTown.code).toBe(1);
    expect(inTown.err).toContain('gt done runs inside a polecat sandbox (BD_ACTOR like <rig>/polecats/<name>)');
    const crew = await gt(['done', '--json'], { env: { BD_ACTOR: 'demo/crew/alice' } });
    expect(crew.code).toBe(1);
    expect(JSON.parse(crew.err)).toMatchObject({ error: { code: 'NOT_A_POLECAT' } });
    const nowhere = await gt(['done'], { cwd: t.env.base, env: { BD_ACTOR: undefined, GT_TOWN: undefined } });
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toContain('gt done runs inside a polecat sandbox');
  });

  it('records a merge request for the committed work', async () => {
    const { id, a, as } = await slung('ship it');
    writeFileSync(join(a.worktree, 'shipped.txt'), 'x\n');
    sh(a.worktree, 'add', '.');
    sh(a.worktree, 'commit', '-q', '-m', 'ship');
    const none = await gt(['done', '--no-changes', '--reason', 'nothing'], { cwd: a.worktree, env: as });
    expect(none.code).toBe(1);
    expect(none.err).toContain('--no-changes, but');
    const r = await gt(['done', '--json'], { cwd: a.worktree, env: as });
    expect(r.code).toBe(0);
    const res = r.json<{ outcome: string; mr: { id: string; bead_id: string }; bead: { status: string } }>();
    expect(res).toMatchObject({ outcome: 'merge_requested', mr: { id: 'demo-mr-1', bead_id: id }, bead: { status: 'in_progress' } });
    const again = await gt(['done'], { cwd: a.worktree, env: as });
    expect(again.code).toBe(1);
    expect(again.err).toContain('has nothing on its hook');
  });

  it('refuses with no commits, and --no-changes closes the bead', async () => {
    const { id, a, as } = await slung('nothing');
    const r = await gt(['done'], { cwd: a.worktree, env: as });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`nothing was committed on polecat/${a.name}/${id}`);
    const usage = await gt(['done', '--no-changes'], { cwd: a.worktree, env: as });
    expect(usage.code).toBe(2);
    const ok = await gt(['done', '--no-changes', '--reason', 'already done'], { cwd: a.worktree, env: as });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`${id} closed without changes (already done)`);
    expect(t.w.ledger.get(id).status).toBe('closed');
  });
});

describe('gt hook and gt unsling', () => {
  it('shows, attaches, refuses a held bead, detaches and unslings', async () => {
    const { id, a, as } = await slung('hooky');
    const show = await gt(['hook', '--json'], { env: as });
    expect(show.code).toBe(0);
    expect(show.json()).toMatchObject({ address: a.address, hook: { id, status: 'hooked' } });
    const shown = await gt(['hook', 'show', '--agent', a.address]);
    expect(shown.out).toContain(`${a.address}: ${id}`);
    expect((await gt(['hook'], { env: { BD_ACTOR: undefined } })).code).toBe(2);

    const other = await allocatePolecat(t.w.town, 'demo');
    const held = await gt(['hook', 'attach', id, other.address]);
    expect(held.code).toBe(1);
    expect(held.err).toContain(`${id} is already hooked by ${a.address}`);

    const detach = await gt(['hook', 'detach', '--agent', a.address, '--reason', 'reassigning']);
    expect(detach.code).toBe(0);
    expect(detach.out).toContain(`unhooked ${id} from ${a.address}`);
    const attach = await gt(['hook', 'attach', id, other.address, '--json']);
    expect(attach.code).toBe(0);
    expect(attach.json()).toMatchObject({ changed: true, address: other.address, bead: { status: 'hooked', assignee: other.address } });
    const un = await gt(['unsling', id, '--reason', 'not now']);
    expect(un.code).toBe(0);
    expect(t.w.ledger.get(id)).toMatchObject({ status: 'open' });
    expect((await gt(['unsling', id])).err).toContain('is not on a hook');
    const empty = await gt(['hook', '--agent', other.address]);
    expect(empty.out).toBe(`${other.address}: hook is empty\n`);
  });
});

describe('gt polecat', () => {
  it('lists, shows status, refuses to nuke unsaved work and nukes with --force', async () => {
    const { id, a } = await slung('polecat cmds');
    writeFileSync(join(a.worktree, 'wip.txt'), 'wip\n');
    sh(a.worktree, 'add', '.');
    sh(a.worktree, 'commit', '-q', '-m', 'wip');
    const list = await gt(['polecat', 'list', '--rig', 'demo', '--json']);
    expect(list.code).toBe(0);
    expect(list.json<Array<{ address: string; ahead: number; hook: string }>>().find((p) => p.address === a.address)).toMatchObject({ ahead: 1, hook: id });
    const text = await gt(['polecat', 'list']);
    expect(text.out).toContain(`${a.address}  working  hook ${id}  polecat/${a.name}/${id}  (1 ahead)`);
    const status = await gt(['polecat', 'status', a.name, '--rig', 'demo', '--json']);
    const st = status.json<{ address: string; history: Array<{ outcome: string; bead_id: string }> }>();
    expect(st.address).toBe(a.address);
    expect(st.history.at(-1)).toMatchObject({ outcome: 'slung', bead_id: id });
    const refused = await gt(['polecat', 'nuke', a.address]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`refusing to nuke ${a.address}: ${id} is on its hook; 1 commit on polecat/${a.name}/${id}`);
    const forced = await gt(['polecat', 'nuke', a.name, '--force'], { cwd: join(t.w.root, 'demo') });
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`unsaved work kept on branch keep/polecat/${a.name}/${id}`);
    expect((await gt(['polecat', 'status', 'nobody'])).code).toBe(1);
  });
});
