/**
 * The ledger's file copy, `.beads/issues.jsonl` in the town repo (ARCHITECTURE.md: git is the
 * durable, shareable copy). Export writes it atomically when its content changed; import reads
 * it back when it changed under us (a `git pull` from another machine), detected cheaply by
 * size and mtime and confirmed by a content hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';
import { exportJsonl } from '../core/ledger/jsonl-export.js';
import { parseJsonl } from '../core/ledger/jsonl-parse.js';
import { readTx, writeTx, type Db } from './sqlite/db.js';
import { allIssuesForExport, importParsed, type ImportResult } from './sqlite/ledger-import.js';
import { getMeta, setMeta } from './sqlite/ledger-rows.js';

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function signature(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.size}:${Math.trunc(st.mtimeMs)}`;
  } catch {
    return undefined;
  }
}

/** What {@link exportLedgerFile} did. */
export interface ExportResult {
  /** False when the file already had this content. */
  changed: boolean;
  /** Beads written. */
  count: number;
  /** The change counter exported. */
  seq: number;
}

/**
 * Export the ledger to `file` (dialect A, sorted by id). The snapshot and the change counter are
 * read in one read transaction, so the recorded counter matches what was written.
 */
export function exportLedgerFile(db: Db, file: string): ExportResult {
  const { text, count, seq } = readTx(db, () => {
    const issues = allIssuesForExport(db);
    return { text: exportJsonl(issues), count: issues.length, seq: Number(getMeta(db, 'change_seq') ?? '0') };
  });
  const hash = sha(text);
  let changed = false;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current !== text) {
    writeFileAtomic(file, text);
    changed = true;
  }
  writeTx(db, () => {
    setMeta(db, 'file_hash', hash);
    setMeta(db, 'file_sig', signature(file) ?? '');
    if (Number(getMeta(db, 'exported_seq') ?? '0') < seq) setMeta(db, 'exported_seq', String(seq));
  });
  return { changed, count, seq };
}

/**
 * Import `file` when it changed since this ledger last wrote or read it (size/mtime, then
 * content hash). Returns the import result, or undefined when there was nothing new.
 *
 * @throws GtError JSONL_PARSE naming file and line (nothing is imported then).
 */
export function importLedgerFileIfChanged(db: Db, file: string, actor: string): ImportResult | undefined {
  const sig = signature(file);
  if (sig === undefined) return undefined;
  if (getMeta(db, 'file_sig') === sig) return undefined;
  const text = readFileSync(file, 'utf8');
  const hash = sha(text);
  let result: ImportResult | undefined;
  if (getMeta(db, 'file_hash') !== hash) {
    result = importParsed(db, parseJsonl(text, file), { source: file, actor });
  }
  writeTx(db, () => {
    setMeta(db, 'file_hash', hash);
    setMeta(db, 'file_sig', sig);
  });
  return result;
}

/** True when changes were made since the last export. */
export function hasUnexportedChanges(db: Db): boolean {
  return Number(getMeta(db, 'change_seq') ?? '0') > Number(getMeta(db, 'exported_seq') ?? '0');
}
