/**
 * `gt bd export|import|sync|merge-driver`: the ledger as beads-compatible JSONL, and git as
 * the way towns on different machines share it (beads.md §9; ARCHITECTURE.md).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GtError } from '../../core/errors.js';
import { exportJsonl } from '../../core/ledger/jsonl-export.js';
import { parseBackupTables, parseJsonl, type BackupTables, type ParsedLedger } from '../../core/ledger/jsonl-parse.js';
import { mergeJsonl } from '../../core/ledger/merge.js';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { runFlusher, syncLedger } from '../../store/ledger-sync.js';
import { allIssuesForExport, importParsed } from '../../store/sqlite/ledger-import.js';
import { openTown, resolveTown } from '../../store/town/town.js';
import { action, usage, type CliContext } from '../context.js';
import { withLedger } from '../ledger-session.js';
import { printLines } from '../output.js';
import { emitJson, type BdOptions } from './bd.js';

const BACKUP_TABLES = ['issues', 'dependencies', 'labels', 'comments', 'events', 'config'] as const;

/**
 * Read what `path` names: a dialect C backup directory (or its `issues.jsonl` with sibling
 * tables), or one JSONL file of dialect A/B.
 *
 * @throws GtError NOT_FOUND for a missing path, JSONL_PARSE naming file and line.
 */
export function readLedgerSource(path: string): ParsedLedger {
  if (!existsSync(path)) throw new GtError('NOT_FOUND', `no such file or directory: ${path}`, { fix: 'give the path of an issues.jsonl file or a .beads/backup directory' });
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const siblings = BACKUP_TABLES.filter((t) => t !== 'issues' && existsSync(join(dir, `${t}.jsonl`)));
  if (isDir || (basename(path) === 'issues.jsonl' && siblings.length > 0 && looksLikeBackup(path))) {
    const tables: BackupTables = {};
    for (const t of BACKUP_TABLES) {
      const f = join(dir, `${t}.jsonl`);
      if (existsSync(f)) tables[t] = { file: f, text: readFileSync(f, 'utf8') };
    }
    if (!tables.issues) throw new GtError('NOT_FOUND', `${dir} has no issues.jsonl`, { fix: 'point at a beads backup directory (.beads/backup) or an issues.jsonl file' });
    return parseBackupTables(tables);
  }
  return parseJsonl(readFileSync(path, 'utf8'), path);
}

function looksLikeBackup(file: string): boolean {
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  return head.includes('"content_hash"') || head.includes('"timeout_ns"');
}

/** Register export/import/sync/merge-driver on the `bd` command. */
export function registerBdSync(bd: Command, ctx: CliContext): void {
  const run = <A extends unknown[]>(fn: (...a: A) => void | Promise<void>) => action(ctx, 'beads', fn);

  bd.command('export')
    .description('write the ledger as beads JSONL (dialect A, sorted by id) to stdout or a file')
    .option('-o, --output <file>', 'write to this file (atomically) instead of stdout')
    .option('--include-ephemeral', 'include wisps')
    .option('--json', 'print a JSON summary (with -o)')
    .action(run(async (o: BdOptions & { output?: string; includeEphemeral?: boolean }) => {
      await withLedger(ctx, undefined, (s) => {
        const issues = allIssuesForExport(s.ledger.db, { includeEphemeral: o.includeEphemeral });
        const text = exportJsonl(issues);
        if (!o.output) { ctx.io.out(text); return; }
        const file = resolve(ctx.cwd, o.output);
        writeFileAtomic(file, text);
        if (o.json) emitJson(ctx, { output: file, exported: issues.length });
        else printLines(ctx.io, [`✓ Exported ${issues.length} beads to ${file}`]);
      });
    }));

  bd.command('import')
    .description('import beads JSONL (any dialect) or a .beads/backup directory; upsert, newest wins')
    .argument('<path>', 'issues.jsonl file or backup directory')
    .option('--dry-run', 'report what would change, change nothing')
    .option('--json', 'JSON output')
    .action(run(async (path: string, o: BdOptions & { dryRun?: boolean }) => {
      const parsed = readLedgerSource(resolve(ctx.cwd, path));
      await withLedger(ctx, undefined, (s) => {
        const result = importParsed(s.ledger.db, parsed, { source: path, actor: s.ledger.actor, dryRun: o.dryRun });
        if (!o.dryRun && (result.created || result.updated)) s.wrote();
        if (o.json) emitJson(ctx, { ...result, dialect: parsed.dialect, warnings: parsed.warnings.length });
        else {
          printLines(ctx.io, [
            `${o.dryRun ? 'Would import' : '✓ Imported'} ${path} (dialect ${parsed.dialect}): ${result.created} created, ${result.updated} updated, ${result.skipped} unchanged or older`
              + `${result.dedup_skipped ? `, ${result.dedup_skipped} duplicate lines dropped` : ''}${result.memories ? `, ${result.memories} memories` : ''}${result.events ? `, ${result.events} events` : ''}`,
          ]);
          for (const w of parsed.warnings.slice(0, 10)) ctx.io.err(`warning: ${w.file}:${w.line}: ${w.message}\n`);
          if (parsed.warnings.length > 10) ctx.io.err(`warning: … and ${parsed.warnings.length - 10} more\n`);
        }
      });
    }));

  bd.command('sync')
    .description('export and commit the ledger, then pull (merge by id) and push the town repo')
    .option('--pull', 'only pull and import')
    .option('--push', 'only export, commit and push')
    .option('--remote <name>', 'remote (default: settings ledger.remote, else origin)')
    .option('--json', 'JSON output')
    .action(run(async (o: BdOptions & { pull?: boolean; push?: boolean; remote?: string }) => {
      if (o.pull && o.push) throw usage('--pull and --push together mean a full sync', 'leave both out');
      const town = openTown(resolveTown(ctx.cwd, ctx.env));
      try {
        const r = await syncLedger(town, ctx.gtBin, { pullOnly: o.pull, pushOnly: o.push, remote: o.remote });
        if (o.json) emitJson(ctx, r);
        else {
          const lines = [`✓ Exported ${r.exported} beads${r.committed.length ? `, committed ${r.committed.map((c) => c.slice(0, 8)).join(', ')}` : ''}`];
          if (!r.remote) lines.push('No remote configured: the ledger is committed locally. Add one with: git -C <town> remote add origin <url>');
          else {
            if (r.pulled) lines.push(`✓ Pulled ${r.remote}/${r.branch}${r.imported ? ` (${r.imported.created} new, ${r.imported.updated} updated beads)` : ''}`);
            if (r.pushed) lines.push(`✓ Pushed to ${r.remote}/${r.branch}`);
          }
          printLines(ctx.io, lines);
        }
      } finally {
        town.close();
      }
    }));

  bd.command('merge-driver')
    .description('git merge driver for .beads/issues.jsonl: merges by id (registered by gt install / gt bd sync)')
    .argument('<base>', 'ancestor version (%O)')
    .argument('<ours>', 'our version (%A); the result is written here')
    .argument('<theirs>', 'their version (%B)')
    .action(run(async (base: string, ours: string, theirs: string) => {
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      const merged = mergeJsonl(read(base), read(ours), read(theirs), { base, ours, theirs });
      writeFileSync(ours, merged.text);
      for (const c of merged.conflicts) ctx.io.err(`merge: ${c}\n`);
    }));

  bd.command('_flush', { hidden: true })
    .description('internal: the debounced ledger exporter started after writes')
    .action(run(async () => {
      const town = openTown(resolveTown(ctx.cwd, ctx.env));
      try {
        await runFlusher(town);
      } finally {
        town.close();
      }
    }));
}
