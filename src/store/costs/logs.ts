/**
 * Finding and reading the runtimes' session logs for `gt costs`: Claude Code transcripts,
 * Codex rollouts and Gemini CLI chat recordings, in the folders each CLI itself uses (and the
 * environment variables each honours: `CLAUDE_CONFIG_DIR`, `CODEX_HOME`, `GEMINI_CLI_HOME`).
 * Parsing is in `src/core/costs/`; this module only lists, stats and reads files, and keeps a
 * {@link LogCache} so a caller that scans again (the TUI) re-reads only files that changed.
 *
 * Only logs of work in the town are kept: entries whose cwd is at or under one of the given
 * roots (the town, and every session's cwd). A missing log folder is not an error.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import * as zlib from 'node:zlib';
import { claudeProjectDir, parseClaudeTranscript } from '../../core/costs/claude.js';
import { parseCodexRollout } from '../../core/costs/codex.js';
import { parseGeminiChat } from '../../core/costs/gemini.js';
import type { CostRuntime, LogWarning, ParseResult, UsageEntry } from '../../core/costs/usage.js';

/** Where each runtime keeps its logs. */
export interface LogDirs {
  /** `$CLAUDE_CONFIG_DIR/projects` (default `~/.claude/projects`). */
  claude: string;
  /** `$CODEX_HOME` (default `~/.codex`); rollouts are in `sessions/` and `archived_sessions/`. */
  codex: string;
  /** `$GEMINI_CLI_HOME/.gemini/tmp` (default `~/.gemini/tmp`). */
  gemini: string;
}

/** The log folders for an environment (`HOME` of `env`, else the process's home). */
export function logDirs(env: NodeJS.ProcessEnv): LogDirs {
  const home = env.HOME || homedir();
  return {
    claude: join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), 'projects'),
    codex: env.CODEX_HOME || join(home, '.codex'),
    gemini: join(env.GEMINI_CLI_HOME || home, '.gemini', 'tmp'),
  };
}

/** What was read from one runtime's folder. */
export interface LogSource {
  /** Which runtime's logs. */
  runtime: CostRuntime;
  /** The folder searched. */
  dir: string;
  /** False when it does not exist (not an error). */
  exists: boolean;
  /** Log files read (or taken from the cache). */
  files: number;
}

/** Parsed files by path, with the size and mtime they were parsed at. */
export class LogCache {
  private readonly files = new Map<string, { size: number; mtimeMs: number; result: ParseResult }>();
  private readonly foreign = new Set<string>();

  /** Remember that a log is of work outside the town (a rollout's first line never changes). */
  markForeign(file: string): void {
    this.foreign.add(file);
  }

  /** True when {@link markForeign} was called for `file`. */
  isForeign(file: string): boolean {
    return this.foreign.has(file);
  }

  /** The cached result when `file` still has this size and mtime. */
  get(file: string, size: number, mtimeMs: number): ParseResult | undefined {
    const hit = this.files.get(file);
    return hit && hit.size === size && hit.mtimeMs === mtimeMs ? hit.result : undefined;
  }

  /** Remember a file's parse. */
  set(file: string, size: number, mtimeMs: number, result: ParseResult): void {
    this.files.set(file, { size, mtimeMs, result });
  }

  /** Forget files not in `keep` (deleted logs). */
  prune(keep: Set<string>): void {
    for (const f of this.files.keys()) if (!keep.has(f)) this.files.delete(f);
  }

  /** True when `file` has a cached parse (of whatever size and mtime). */
  has(file: string): boolean {
    return this.files.has(file);
  }

  /** Number of files cached. */
  get size(): number {
    return this.files.size;
  }
}

/** Options of {@link scanLogs}. */
export interface ScanOptions {
  /** Environment whose `HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME` and `GEMINI_CLI_HOME` locate the logs. */
  env: NodeJS.ProcessEnv;
  /** Keep usage whose cwd is at or under one of these folders. */
  roots: string[];
  /** Skip files not written since then (ms since the epoch): they cannot hold newer usage. */
  since?: number;
  /** Parses of earlier scans, re-used for files whose size and mtime did not change. */
  cache?: LogCache;
}

/** What {@link scanLogs} found. */
export interface ScanResult {
  /** Usage from every file read, not yet de-duplicated, cwd in the roots. */
  entries: UsageEntry[];
  /** Unreadable lines and files, as `file:line: what` (line 0 for a file or folder). */
  warnings: LogWarning[];
  /** The folder searched per runtime, in the order claude, codex, gemini. */
  sources: LogSource[];
}

/** The path with symlinks resolved when it exists (macOS `/var` → `/private/var`), else resolved. */
export function realPath(p: string): string {
  try {
    return existsSync(p) ? realpathSync(p) : resolve(p);
  } catch {
    return resolve(p);
  }
}

/** True when `path` is `root` or inside it. */
export function isUnder(path: string, root: string): boolean {
  const r = root.endsWith(sep) ? root.slice(0, -1) : root;
  return path === r || path.startsWith(r + sep);
}

async function list(dir: string): Promise<Array<{ name: string; dir: boolean }>> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}

async function walk(dir: string, match: (name: string) => boolean, depth: number, out: string[]): Promise<void> {
  for (const e of await list(dir)) {
    if (e.dir && depth > 0) await walk(join(dir, e.name), match, depth - 1, out);
    else if (!e.dir && match(e.name)) out.push(join(dir, e.name));
  }
}

const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;

/**
 * The cwd a Codex rollout's first line (`session_meta`) names, read without reading the whole
 * file (the line holds the base instructions, so it may be long: up to 1 MB is read). Undefined
 * when the first line is not a `session_meta` with a cwd (older rollouts, a compressed file).
 */
async function rolloutCwd(file: string): Promise<string | undefined> {
  if (file.endsWith('.zst')) return undefined;
  let fh;
  try {
    fh = await open(file, 'r');
    let text = '';
    for (let size = 1 << 16; ; size *= 4) {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await fh.read(buf, 0, size, 0);
      text = buf.toString('utf8', 0, bytesRead);
      if (text.includes('\n') || bytesRead < size || size >= 1 << 20) break;
    }
    const nl = text.indexOf('\n');
    const first = JSON.parse(nl >= 0 ? text.slice(0, nl) : text) as { type?: unknown; payload?: { cwd?: unknown } };
    return first.type === 'session_meta' && typeof first.payload?.cwd === 'string' ? first.payload.cwd : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/**
 * Read and parse one file (or take it from the cache). Returns undefined when it is gone or
 * older than `since`.
 */
async function readOne(file: string, parse: (text: string, file: string) => ParseResult, opts: ScanOptions, seen: Set<string>): Promise<ParseResult | undefined> {
  let st;
  try {
    st = await stat(file);
  } catch {
    return undefined;
  }
  if (opts.since !== undefined && st.mtimeMs < opts.since) return undefined;
  seen.add(file);
  const hit = opts.cache?.get(file, st.size, st.mtimeMs);
  if (hit) return hit;
  let result: ParseResult;
  try {
    const buf = await readFile(file);
    const text = file.endsWith('.zst') ? zstd!(buf).toString('utf8') : buf.toString('utf8');
    result = parse(text, file);
  } catch (e) {
    result = { entries: [], warnings: [{ file, line: 0, message: `cannot read: ${(e as Error).message}` }] };
  }
  opts.cache?.set(file, st.size, st.mtimeMs, result);
  return result;
}

/**
 * Find, read and parse the logs of every runtime, keeping the usage of work under `roots`.
 * Never throws for missing folders or unreadable files (those are warnings).
 */
export async function scanLogs(opts: ScanOptions): Promise<ScanResult> {
  const dirs = logDirs(opts.env);
  const roots = [...new Set(opts.roots.flatMap((r) => [resolve(r), realPath(r)]))];
  const scoped = new Map<string, boolean>();
  const inScope = (cwd: string) => {
    let v = scoped.get(cwd);
    if (v === undefined) scoped.set(cwd, (v = roots.some((r) => isUnder(cwd, r)) || roots.some((r) => isUnder(realPath(cwd), r))));
    return v;
  };
  const out: ScanResult = { entries: [], warnings: [], sources: [] };
  const seen = new Set<string>();
  /** Keep a file's warnings and in-scope usage; returns 1 when the file was read, else 0. */
  const take = (r: ParseResult | undefined, keepBlankCwd: boolean): number => {
    if (!r) return 0;
    out.warnings.push(...r.warnings);
    for (const e of r.entries) if (e.cwd ? inScope(e.cwd) : keepBlankCwd) out.entries.push(e);
    return 1;
  };

  // Claude Code: project folders named after the cwd; ours start with a root's name.
  const prefixes = roots.map((r) => claudeProjectDir(r).slice(0, 200));
  const claudeFiles: string[] = [];
  for (const p of await list(dirs.claude)) {
    if (!p.dir || !prefixes.some((x) => p.name.startsWith(x))) continue;
    const projectDir = join(dirs.claude, p.name);
    for (const f of await list(projectDir)) {
      if (!f.dir && f.name.endsWith('.jsonl')) claudeFiles.push(join(projectDir, f.name));
      else if (f.dir) await walk(join(projectDir, f.name, 'subagents'), (n) => n.endsWith('.jsonl'), 4, claudeFiles);
    }
  }
  let claudeCount = 0;
  for (const f of claudeFiles) claudeCount += take(await readOne(f, parseClaudeTranscript, opts, seen), true);
  out.sources.push({ runtime: 'claude', dir: dirs.claude, exists: existsSync(dirs.claude), files: claudeCount });

  // Codex: dated folders of rollouts; the cwd is inside each file.
  const codexFiles: string[] = [];
  const isRollout = (n: string) => /^rollout-.*\.jsonl(\.zst)?$/.test(n);
  await walk(join(dirs.codex, 'sessions'), isRollout, 3, codexFiles);
  await walk(join(dirs.codex, 'archived_sessions'), isRollout, 3, codexFiles);
  let zst = 0;
  if (!zstd) {
    for (const f of codexFiles.filter((x) => x.endsWith('.zst'))) {
      const mtime = await stat(f).then((st) => st.mtimeMs, () => 0);
      if (opts.since === undefined || mtime >= opts.since) zst++;
    }
  }
  if (zst) {
    out.warnings.push({ file: join(dirs.codex, 'sessions'), line: 0, message: `${zst} compressed rollout${zst === 1 ? '' : 's'} (.jsonl.zst) not read: this Node has no zstd (Node 22.15 or newer reads them)` });
  }
  let codexCount = 0;
  for (const f of codexFiles) {
    if (!zstd && f.endsWith('.zst')) continue;
    // Most rollouts are of work elsewhere: their first line says so, and the rest is not read.
    if (opts.cache?.isForeign(f)) continue;
    if (opts.since !== undefined && (await stat(f).then((st) => st.mtimeMs, () => 0)) < opts.since) continue;
    const cwd = opts.cache?.has(f) ? undefined : await rolloutCwd(f);
    if (cwd !== undefined && !inScope(cwd)) {
      opts.cache?.markForeign(f);
      continue;
    }
    codexCount += take(await readOne(f, parseCodexRollout, opts, seen), false);
  }
  out.sources.push({ runtime: 'codex', dir: dirs.codex, exists: existsSync(dirs.codex), files: codexCount });

  // Gemini CLI: one folder per project, its path in `.project_root` (or the folder is its sha256).
  let geminiCount = 0;
  const hashes = new Map(roots.map((r) => [createHash('sha256').update(r).digest('hex'), r]));
  for (const p of await list(dirs.gemini)) {
    if (!p.dir) continue;
    const projectDir = join(dirs.gemini, p.name);
    let root = hashes.get(p.name);
    try {
      root = (await readFile(join(projectDir, '.project_root'), 'utf8')).trim() || root;
    } catch {
      // older layout: the folder is named by the hash
    }
    if (root && !inScope(root)) continue;
    const files: string[] = [];
    await walk(join(projectDir, 'chats'), (n) => /\.jsonl?$/.test(n) && (n.startsWith('session-') || n.endsWith('.jsonl')), 1, files);
    for (const f of files) {
      const r = await readOne(f, (text, file) => {
        const g = parseGeminiChat(text, file, root ? { cwd: root } : {});
        const cwd = root ?? hashes.get(g.projectHash) ?? '';
        return { entries: g.entries.map((e) => ({ ...e, cwd })), warnings: g.warnings };
      }, opts, seen);
      geminiCount += take(r, false);
    }
  }
  out.sources.push({ runtime: 'gemini', dir: dirs.gemini, exists: existsSync(dirs.gemini), files: geminiCount });
  opts.cache?.prune(seen);
  return out;
}
