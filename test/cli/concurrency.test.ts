// Many processes write one town at once, as agents running `bd` in parallel do
// (issue #2 "Done when": 20 processes × 50 creates and updates, nothing lost, no error seen).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/sqlite/db.js';
import { getMeta } from '../../src/store/sqlite/ledger-rows.js';
import { GIT_ENV, ROOT, gt, tempDir, waitFor } from './helpers.js';

const WORKERS = 20;
const PER_WORKER = 50;

interface WorkerResult {
  worker: string;
  failures: Array<{ op: string; n: number; code: number; err: string }>;
  ids: string[];
}

function runWorker(worker: number, env: NodeJS.ProcessEnv): Promise<WorkerResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/ledger-worker.mjs'), String(worker), String(PER_WORKER)], {
      env: { ...process.env, ...GIT_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', rej);
    child.on('close', (code) => {
      if (code !== 0) rej(new Error(`worker ${worker} exited ${code}: ${err}`));
      else res(JSON.parse(out) as WorkerResult);
    });
  });
}

describe('concurrent writers', () => {
  const tmp = tempDir('gt-conc-');
  const root = join(tmp.dir, 'town');
  beforeAll(async () => {
    expect((await gt(['install', root])).code).toBe(0);
    // A short debounce so the exporter runs during the test too.
    expect((await gt(['config', 'set', 'ledger.export_debounce_ms', '200'], { env: { GT_TOWN: root } })).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it(`${WORKERS} processes × ${PER_WORKER} creates + updates: every bead and update lands, no caller sees an error`, async () => {
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker(w, { GT_TOWN: root })));
    const failures = results.flatMap((r) => r.failures);
    expect(failures).toEqual([]);
    const ids = results.flatMap((r) => r.ids);
    expect(ids.length).toBe(WORKERS * PER_WORKER);
    expect(new Set(ids).size).toBe(ids.length);

    const db = openDb(join(root, 'town.db'));
    try {
      const rows = db.prepare("SELECT id, doc ->> '$.notes' AS notes, doc ->> '$.created_by' AS by FROM issues").all() as Array<{ id: string; notes: string; by: string }>;
      expect(rows.length).toBe(WORKERS * PER_WORKER);
      for (const r of rows) expect(r.notes).toBe(`updated by ${r.by}`);
      const labels = db.prepare('SELECT count(*) FROM labels').pluck().get() as number;
      expect(labels).toBe(WORKERS * PER_WORKER);
      // the background exporter catches up: every change exported, the lease handed back
      await waitFor(() => Number(getMeta(db, 'exported_seq') ?? '0') >= Number(getMeta(db, 'change_seq') ?? '0') && !getMeta(db, 'flusher'), 60_000, 'the exporter to catch up');
    } finally {
      db.close();
    }
    const lines = readFileSync(join(root, '.beads/issues.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(WORKERS * PER_WORKER);
    expect(lines.every((l) => l.includes('"notes":"updated by w'))).toBe(true);
  });
});
