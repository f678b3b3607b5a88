// Ending a molecule: squash (one closed digest, wisp steps deleted, root closed) and burn
// (everything removed, wisps outright, poured beads as tombstones), with their guards.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile } from '../../src/core/town/layout.js';
import { exportLedgerFile } from '../../src/store/ledger-file.js';
import { burnMolecule, squashMolecule } from '../../src/store/molecule-lifecycle.js';
import { pourMolecule } from '../../src/store/molecules.js';
import { readyWork } from '../../src/store/sqlite/ledger-query.js';
import { gt } from '../cli/helpers.js';
import { gtError, useWorld } from '../work/helpers.js';
import { chain } from './helpers.js';

const t = useWorld();

const count = (sql: string, ...args: unknown[]) => t.w.town.db.prepare(sql).pluck().get(...args) as number;
const rowsOf = (root: string) => count('SELECT count(*) FROM issues WHERE id = ? OR id LIKE ?', root, `${root}.%`);

describe('gt mol squash', () => {
  it('squashes a finished wisp: a closed persistent digest, the wisp steps deleted, the root closed', async () => {
    const m = pourMolecule(t.w.town, chain(3, 'patrol'), { actor: 'mayor', rig: 'demo', wisp: true });
    const open = await gtError(() => squashMolecule(t.w.ledger, m.root));
    expect(open).toMatchObject({ code: 'INVALID_STATUS', details: { open: m.steps.map((s) => s.beadId) } });
    for (const s of m.steps) t.w.ledger.close(s.beadId);
    const r = squashMolecule(t.w.ledger, m.root);
    expect(r).toEqual({
      molecule_id: m.root, digest_id: `${m.root}.4`, squashed_ids: m.steps.map((s) => s.beadId), squashed_count: 3, deleted_count: 3,
      kept_children: false, wisp_squash: true,
    });
    const digest = t.w.ledger.get(r.digest_id);
    expect(digest).toMatchObject({
      title: 'Digest: patrol', status: 'closed', close_reason: 'Squashed from 3 steps', description: '- Do s1\n- Do s2\n- Do s3',
      metadata: { digest: true, squashed_from: 3, formula: 'patrol' }, labels: ['digest'],
    });
    expect(digest.ephemeral).toBeUndefined();
    expect(digest.dependencies).toEqual([expect.objectContaining({ depends_on_id: m.root, type: 'parent-child' })]);
    expect(t.w.ledger.get(m.root)).toMatchObject({ status: 'closed', close_reason: `Squashed into ${r.digest_id}`, metadata: { digest: r.digest_id } });
    for (const s of m.steps) {
      expect(count('SELECT count(*) FROM issues WHERE id = ?', s.beadId)).toBe(0);
      expect(count('SELECT count(*) FROM dependencies WHERE issue_id = ? OR depends_on_id = ?', s.beadId, s.beadId)).toBe(0);
      expect(count('SELECT count(*) FROM events WHERE issue_id = ?', s.beadId)).toBe(0);
    }
    expect((await gtError(() => squashMolecule(t.w.ledger, m.root))).message).toContain('already squashed');
    exportLedgerFile(t.w.town.db, ledgerFile(t.w.root));
    expect(readFileSync(ledgerFile(t.w.root), 'utf8')).toContain(`"id":"${r.digest_id}"`);
  });

  it('keeps the steps of a poured molecule, takes a summary, and squashes an unfinished one with --force (CLI)', async () => {
    const m = pourMolecule(t.w.town, chain(2, 'poured'), { actor: 'mayor', rig: 'demo' });
    t.w.ledger.close(m.steps[0]!.beadId);
    const refused = await gt(['mol', 'squash', m.root], { env: { GT_TOWN: t.w.root } });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('has 1 step not done');
    const r = await gt(['mol', 'squash', m.root, '--force', '--summary', 'did the first half', '--json'], { env: { GT_TOWN: t.w.root } });
    expect(r.code, r.err).toBe(0);
    const j = r.json<{ digest_id: string; deleted_count: number; wisp_squash: boolean }>();
    expect(j).toMatchObject({ deleted_count: 0, wisp_squash: false });
    expect(t.w.ledger.get(j.digest_id).description).toBe('did the first half');
    expect(t.w.ledger.get(m.steps[1]!.beadId).status).toBe('open');
    const step = await gt(['mol', 'squash', m.steps[1]!.beadId], { env: { GT_TOWN: t.w.root } });
    expect(step.err).toContain(`squash its molecule: gt mol squash ${m.root}`);
  });
});

describe('gt mol burn', () => {
  it('deletes a wisp outright and clears the bead it was attached to', () => {
    const bead = t.w.bead('host', { metadata: { other: true } });
    const m = pourMolecule(t.w.town, chain(3), { actor: 'mayor', rig: 'demo', wisp: true, attachTo: bead.id });
    const r = burnMolecule(t.w.ledger, m.root);
    expect(r).toEqual({ molecule_id: m.root, deleted_ids: [m.root, ...m.steps.map((s) => s.beadId)], deleted_count: 4 });
    expect(rowsOf(m.root)).toBe(0);
    expect(t.w.ledger.get(bead.id).metadata).toEqual({ other: true });
  });

  it('tombstones a poured molecule, and refuses one with closed steps or a hooked root without --force', async () => {
    const m = pourMolecule(t.w.town, chain(2), { actor: 'mayor', rig: 'demo' });
    t.w.ledger.close(m.steps[0]!.beadId);
    const refused = await gt(['mol', 'burn', m.root], { env: { GT_TOWN: t.w.root } });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('burning it loses that record');
    const r = await gt(['mol', 'burn', m.root, '--force', '--json'], { env: { GT_TOWN: t.w.root } });
    expect(r.code, r.err).toBe(0);
    expect(r.json()).toMatchObject({ molecule_id: m.root, deleted_count: 3 });
    expect(t.w.town.db.prepare('SELECT DISTINCT status FROM issues WHERE id = ? OR id LIKE ?').pluck().all(m.root, `${m.root}.%`)).toEqual(['tombstone']);
    exportLedgerFile(t.w.town.db, ledgerFile(t.w.root));
    const line = readFileSync(ledgerFile(t.w.root), 'utf8').split('\n').find((l) => l.includes(`"id":"${m.root}"`));
    expect(line).toContain('"status":"tombstone"');

    const hooked = pourMolecule(t.w.town, chain(1), { actor: 'mayor', rig: 'demo' });
    t.w.ledger.update(hooked.root, { set: { status: 'hooked', assignee: 'demo/polecats/nux' } });
    expect((await gtError(() => burnMolecule(t.w.ledger, hooked.root))).message).toContain('is hooked by demo/polecats/nux');
    expect((await gtError(() => burnMolecule(t.w.ledger, t.w.bead('not a molecule').id))).code).toBe('INVALID_VALUE');
  });

  it('unblocks a bead outside the molecule that waited on one of its steps', () => {
    const m = pourMolecule(t.w.town, chain(2), { actor: 'mayor', rig: 'demo', wisp: true });
    const waiter = t.w.bead('after the wisp', { deps: [{ type: 'blocks', id: m.steps[1]!.beadId }] });
    expect(readyWork(t.w.town.db, { limit: 0 }).map((i) => i.id)).not.toContain(waiter.id);
    burnMolecule(t.w.ledger, m.root);
    expect(readyWork(t.w.town.db, { limit: 0 }).map((i) => i.id)).toContain(waiter.id);
  });
});
