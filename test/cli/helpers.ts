import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';

/** The project root and its built bins. */
export const ROOT = resolve(import.meta.dirname, '../..');
export const GT_BIN = join(ROOT, 'bin/gt.js');
export const BD_BIN = join(ROOT, 'bin/bd.js');

/** A git identity for tests, so commits work on any machine. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** A temp dir removed by the returned function. */
export function tempDir(prefix = 'gt-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real git repository with one commit on `main`. */
export function sourceRepo(dir: string, files: Record<string, string> = { 'README.md': '# src\n' }): string {
  mkdirSync(dir, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, env: { ...process.env, ...GIT_ENV }, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (const [f, t] of Object.entries(files)) writeFileSync(join(dir, f), t);
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}

/** Result of running the CLI. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  json<T = unknown>(): T;
}

/** Run `gt <args>` in-process with captured output. */
export async function gt(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; asBd?: boolean } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...GIT_ENV, ...options.env },
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    asBd: options.asBd,
  });
  return { code, out: out.join(''), err: err.join(''), json: <T>() => JSON.parse(out.join('')) as T };
}

/** Run a built bin as a real process; `input` is written to its stdin (else stdin is closed). */
export function runBin(bin: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: { ...process.env, ...GIT_ENV, ...options.env }, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, out, err, json: <T>() => JSON.parse(out) as T }));
  });
}

/** Wait until `check` returns a truthy value, polling every 50 ms, failing after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
