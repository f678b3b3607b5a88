/**
 * The ledger benchmark: beads' 10k/20k fixtures (beads.md §7) imported into a fresh SQLite
 * town.db, then ready work, the `--json` payload, create/update/close and export measured
 * in-process, and the wall time of `gt bd ready --json` on a real 10k town against `node -e 0`.
 *
 * Goals (ours): ready ≤ 5 ms on 10k and ≤ 10 ms on 20k; the CLI ≤ 200 ms wall. beads' own
 * figures (BENCHMARKS.md "Typical Results (M2 Pro)") are printed alongside for reference.
 * Nothing is asserted; everything is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJsonl } from '../src/core/ledger/jsonl-export.js';
import { parseJsonl } from '../src/core/ledger/jsonl-parse.js';
import { dbFile, ledgerFile } from '../src/core/town/layout.js';
import { exportLedgerFile } from '../src/store/ledger-file.js';
import { openDb, type Db } from '../src/store/sqlite/db.js';
import { Ledger } from '../src/store/sqlite/ledger.js';
import { allIssuesForExport, importParsed } from '../src/store/sqlite/ledger-import.js';
import { readyWork, withCounts } from '../src/store/sqlite/ledger-query.js';
import { installTown, openTown } from '../src/store/town/town.js';
import { LARGE, XLARGE, fixtureJsonl, mulberry32, type FixtureText } from './fixture-recipe.js';
import { clockNs, elapsedMs, fmtInt, fmtMs, fmtRatio, measure, printTable, summarize, type Summary } from './stats.js';

const GT_BIN = fileURLToPath(new URL('../bin/gt.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Timed runs per measurement (kept so the whole benchmark stays well under 3 minutes on 2 cores). */
const RUNS = { import10k: 5, import20k: 1, ready: 200, readyWarmup: 10, write: 200, writeWarmup: 5, export: 10, cli: 15, cliWarmup: 2 } as const;

/** Goals, in ms. */
const GOAL = { ready10k: 5, ready20k: 10, cli: 200 } as const;

const ACTOR = 'bench';

/** One row of the in-process table. */
interface Row {
  name: string;
  summary: Summary;
  goalMs?: number;
  beads?: string;
}

function progress(text: string): void {
  process.stderr.write(`  … ${text}\n`);
}

function fileSize(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) if (existsSync(f)) total += statSync(f).size;
  return total;
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Import a fixture into a new db at `file`; returns the db and the parse/import times (ms). */
function importInto(file: string, fixture: FixtureText): { db: Db; parseMs: number; importMs: number } {
  const db = openDb(file);
  const start = clockNs();
  const parsed = parseJsonl(fixture.text, fixture.file);
  const parseMs = elapsedMs(start);
  const mid = clockNs();
  importParsed(db, parsed, { source: fixture.file, actor: ACTOR });
  const importMs = elapsedMs(mid);
  return { db, parseMs, importMs };
}

function countBy(db: Db, sql: string): string {
  return (db.prepare(sql).all() as Array<{ k: string; n: number }>).map((r) => `${r.k} ${fmtInt(r.n)}`).join(', ');
}

/** Spawn `node args…` and return its wall time in ms, plus whether it exited 0. */
function spawnTimed(args: string[], env: NodeJS.ProcessEnv, cwd: string): { ms: number; ok: boolean; stderr: string } {
  const start = clockNs();
  const r = spawnSync(process.execPath, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = elapsedMs(start);
  return { ms, ok: r.status === 0, stderr: r.stderr ?? '' };
}

/**
 * Run the ledger benchmark and print its tables (machine info, fixture facts, in-process
 * timings with goals and beads' figures, CLI wall time against `node -e 0`).
 */
export async function benchLedger(): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const cpu = cpus();
  const tmp = mkdtempSync(join(tmpdir(), 'gt-bench-ledger-'));
  const open: Db[] = [];
  try {
    out('== ledger benchmark ==');
    out(`machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} · ${fmtInt(totalmem() / 1_048_576)} MB RAM · ${platform()} ${release()} · node ${process.version}`);

    // Fixtures (generated once, then cached in bench/.cache/).
    const f10 = fixtureJsonl(LARGE.n, LARGE.seed);
    const f20 = fixtureJsonl(XLARGE.n, XLARGE.seed);
    for (const [f, spec] of [[f10, LARGE], [f20, XLARGE]] as const) {
      out(`fixture: ${fmtInt(spec.n)} beads, seed ${spec.seed}: ${f.cached ? 'cached' : 'generated'} in ${fmtMs(f.ms)} ms, ${mb(f.text.length)} JSONL (${f.file})`);
    }

    // Import the 10k fixture several times, each into a fresh db; keep the last one.
    progress(`importing 10k fixture ${RUNS.import10k}× (fresh db each)`);
    const parse10: number[] = [];
    const import10: number[] = [];
    const total10: number[] = [];
    let db10: Db | undefined;
    for (let i = 0; i < RUNS.import10k; i++) {
      const file = join(tmp, `ledger-10k-${i}.db`);
      const r = importInto(file, f10);
      parse10.push(r.parseMs);
      import10.push(r.importMs);
      total10.push(r.parseMs + r.importMs);
      if (i < RUNS.import10k - 1) {
        r.db.close();
        rmSync(file, { force: true });
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
      } else {
        db10 = r.db;
        open.push(r.db);
      }
    }
    if (!db10) throw new Error('no 10k db');
    progress(`importing 20k fixture ${RUNS.import20k}×`);
    const import20: number[] = [];
    let db20: Db | undefined;
    for (let i = 0; i < RUNS.import20k; i++) {
      const r = importInto(join(tmp, `ledger-20k-${i}.db`), f20);
      import20.push(r.parseMs + r.importMs);
      db20 = r.db;
      open.push(r.db);
    }
    if (!db20) throw new Error('no 20k db');
    for (const db of [db10, db20]) db.pragma('wal_checkpoint(TRUNCATE)');

    // Facts about the imported ledgers.
    out();
    for (const [label, db, file] of [['10k', db10, join(tmp, `ledger-10k-${RUNS.import10k - 1}.db`)], ['20k', db20, join(tmp, `ledger-20k-${RUNS.import20k - 1}.db`)]] as const) {
      const ready = readyWork(db, { limit: 0 }).length;
      const blocked = db.prepare('SELECT count(*) FROM issues WHERE is_blocked = 1').pluck().get() as number;
      out(`${label} db: ${mb(fileSize(file))} · ${countBy(db, 'SELECT issue_type AS k, count(*) AS n FROM issues GROUP BY 1 ORDER BY 2 DESC')}`);
      out(`        ${countBy(db, 'SELECT status AS k, count(*) AS n FROM issues GROUP BY 1 ORDER BY 2 DESC')}`);
      out(`        edges: ${countBy(db, 'SELECT type AS k, count(*) AS n FROM dependencies GROUP BY 1 ORDER BY 2 DESC')} · blocked ${fmtInt(blocked)}`);
      out(`        ready set: ${fmtInt(ready)} beads (readyWork limit 0); default limit returns ${readyWork(db).length}`);
    }
    out();

    // Ready work, in-process.
    progress(`readyWork ${RUNS.ready}× on 10k and 20k, and with withCounts`);
    const ready10 = measure(() => { readyWork(db10); }, { runs: RUNS.ready, warmup: RUNS.readyWarmup });
    const ready20 = measure(() => { readyWork(db20); }, { runs: RUNS.ready, warmup: RUNS.readyWarmup });
    let payloadBytes = 0;
    const readyJson10 = measure(() => { payloadBytes = JSON.stringify(withCounts(db10, readyWork(db10))).length; }, { runs: RUNS.ready, warmup: RUNS.readyWarmup });

    // Export of the 10k ledger (before the writes below change it).
    progress(`export ${RUNS.export}×`);
    let exportBytes = 0;
    const export10 = measure(() => { exportBytes = exportJsonl(allIssuesForExport(db10)).length; }, { runs: RUNS.export, warmup: 1 });

    // Writes on the 10k ledger.
    progress(`create, update, close ${RUNS.write}× each`);
    const ledger = new Ledger(db10, { actor: ACTOR, prefix: 'bd' });
    const rng = mulberry32(7);
    const openRows = db10.prepare("SELECT id, priority FROM issues WHERE status = 'open' ORDER BY id").all() as Array<{ id: string; priority: number }>;
    const priority = new Map(openRows.map((r) => [r.id, r.priority]));
    const openIds = openRows.map((r) => r.id);
    const create10 = measure((i) => {
      ledger.create({ title: `Bench bead ${i}`, description: 'Created by the ledger benchmark.', priority: i % 5, issue_type: 'task' });
    }, { runs: RUNS.write, warmup: RUNS.writeWarmup });
    const update10 = measure(() => {
      const id = openIds[Math.floor(rng() * openIds.length)]!;
      const next = ((priority.get(id) ?? 0) + 1) % 5;
      priority.set(id, next);
      ledger.update(id, { set: { priority: next } });
    }, { runs: RUNS.write, warmup: RUNS.writeWarmup });
    const closePool = [...openIds];
    const close10 = measure(() => {
      const k = Math.floor(rng() * closePool.length);
      const id = closePool[k]!;
      closePool[k] = closePool[closePool.length - 1]!;
      closePool.pop();
      ledger.close(id, { reason: 'bench', force: true });
    }, { runs: RUNS.write, warmup: RUNS.writeWarmup });

    // CLI wall time on a real town.
    const cliRows: string[][] = [];
    let cliNote = '';
    if (!existsSync(DIST_MAIN)) {
      cliNote = `CLI skipped: ${DIST_MAIN} is missing (run \`npm run build\` first).`;
    } else {
      progress('installing a 10k town for the CLI');
      const root = join(tmp, 'town');
      await installTown(root, { name: 'bench', owner: 'bench@example.com' });
      const town = openTown(root);
      try {
        importParsed(town.db, parseJsonl(f10.text, f10.file), { source: f10.file, actor: ACTOR });
        // Steady state: .beads/issues.jsonl matches the db, as after the debounced export.
        exportLedgerFile(town.db, ledgerFile(root));
        town.db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        town.close();
      }
      const env: NodeJS.ProcessEnv = { ...process.env, GT_TOWN: root, NODE_ENV: 'production' };
      const check = spawnSync(process.execPath, [GT_BIN, 'bd', 'ready', '--json'], { env, cwd: tmp, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      let returned = '?';
      try {
        returned = String((JSON.parse(check.stdout) as unknown[]).length);
      } catch {
        returned = `unparsable output (exit ${check.status})`;
      }
      progress(`spawning \`gt bd ready --json\` and \`node -e 0\` ${RUNS.cli}× each (interleaved)`);
      const cli: number[] = [];
      const node: number[] = [];
      let failures = 0;
      let lastErr = '';
      for (let i = 0; i < RUNS.cliWarmup + RUNS.cli; i++) {
        const a = spawnTimed([GT_BIN, 'bd', 'ready', '--json'], env, tmp);
        const b = spawnTimed(['-e', '0'], process.env, tmp);
        if (!a.ok) { failures++; lastErr = a.stderr.trim().split('\n')[0] ?? ''; }
        if (i >= RUNS.cliWarmup) { cli.push(a.ms); node.push(b.ms); }
      }
      const c = summarize(cli);
      const n = summarize(node);
      cliRows.push(['gt bd ready --json (10k town)', fmtMs(c.median), fmtMs(c.p95), String(c.runs), `≤ ${GOAL.cli}`, fmtRatio(c.median / n.median)]);
      cliRows.push(['node -e 0 (reference)', fmtMs(n.median), fmtMs(n.p95), String(n.runs), '', fmtRatio(1)]);
      cliRows.push(['gt overhead over node -e 0', fmtMs(c.median - n.median), '', '', '', '']);
      cliNote = `The CLI printed ${returned} beads from a town whose town.db (${mb(fileSize(dbFile(root)))}) holds the 10k fixture; .beads/issues.jsonl in sync.`;
      if (failures) cliNote += `\nwarning: ${failures} CLI runs exited non-zero: ${lastErr}`;
    }

    // Tables.
    const rows: Row[] = [
      { name: 'parse 10k JSONL (parseJsonl)', summary: summarize(parse10) },
      { name: 'import 10k (importParsed, fresh db)', summary: summarize(import10) },
      { name: 'import 10k (parse + importParsed)', summary: summarize(total10) },
      { name: 'import 20k (parse + importParsed)', summary: summarize(import20) },
      { name: 'ready 10k (readyWork, limit 100)', summary: summarize(ready10), goalMs: GOAL.ready10k, beads: '30' },
      { name: 'ready 20k (readyWork, limit 100)', summary: summarize(ready20), goalMs: GOAL.ready20k, beads: '< 50 (target)' },
      { name: 'ready --json payload 10k (+ withCounts)', summary: summarize(readyJson10) },
      { name: 'create in 10k (Ledger.create)', summary: summarize(create10), beads: '2.5' },
      { name: 'update priority in 10k (Ledger.update)', summary: summarize(update10), beads: '18' },
      { name: 'close --force in 10k (Ledger.close)', summary: summarize(close10), beads: '19 (1.9 s / 100)' },
      { name: 'export 10k (allIssuesForExport + exportJsonl)', summary: summarize(export10) },
    ];
    out();
    printTable(
      'Ledger, in-process (10k = 10,000 beads seed 42; 20k = 20,000 beads seed 43)',
      ['operation', 'median ms', 'p95 ms', 'runs', 'goal ms', 'ratio', 'beads (M2 Pro) ms'],
      rows.map((r) => [
        r.name, fmtMs(r.summary.median), fmtMs(r.summary.p95), String(r.summary.runs),
        r.goalMs !== undefined ? `≤ ${r.goalMs}` : '', r.goalMs !== undefined ? fmtRatio(r.summary.median / r.goalMs) : '', r.beads ?? '',
      ]),
    );
    out('ratio = median ÷ goal (≤ 1.00× meets the goal). beads figures: BENCHMARKS.md "Typical Results (M2 Pro)",');
    out('GetReadyWork 20K target from docs/PERFORMANCE_TESTING.md, close = "bulk close 100 sequential 1.9 s" ÷ 100.');
    out(`ready --json payload: ${fmtInt(payloadBytes)} bytes of JSON; export: ${mb(exportBytes)} of JSONL.`);
    out();
    if (cliRows.length) {
      printTable('CLI wall time (spawned, stdout ignored)', ['command', 'median ms', 'p95 ms', 'runs', 'goal ms', 'ratio'], cliRows);
      out('ratio = median ÷ median of node -e 0.');
    }
    if (cliNote) out(cliNote);
  } finally {
    for (const db of open) {
      try { db.close(); } catch { /* already closed */ }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}
