/**
 * The merge-queue gate runner (gastown-features.md §3.6): runs a rig's configured gates
 * (`merge_queue.gates` of `<rig>/settings/config.json`) on a rebased batch, in phase order
 * (setup → typecheck → lint → build → test), one by one, stopping at the first gate that fails.
 *
 * Each gate is the user's own shell command, run through `/bin/sh` in the batch's worktree with
 * `CI=true` and `FORCE_COLOR=0`, stdin ignored and stdout+stderr interleaved. Every gate runs in
 * its own process group, so a timeout or an abort kills the whole tree (a `sleep` under a shell
 * included) and nothing a gate leaves behind outlives it. A failing gate is retried up to
 * `retryFlaky` times (Gas Town's retry_flaky_tests); a retry that passes counts as a pass marked
 * `flaky`.
 */
import { statSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { GtError } from '../../core/errors.js';
import { GATE_PHASES, type GatePhase } from '../../core/town/settings.js';

/** One gate to run: a named shell command with its time limit and phase. */
export interface GateSpec {
  /** Gate name (the key under `merge_queue.gates`, e.g. `lint`). */
  name: string;
  /** Shell command, run with `/bin/sh -c`; exit code 0 passes. */
  cmd: string;
  /** Kill the gate's whole process group after this long, in ms (per attempt). */
  timeout_ms: number;
  /** Phase the gate belongs to; phases run in {@link GATE_PHASES} order. */
  phase: GatePhase;
}

/** What happened when one gate ran (after any flaky retries). */
export interface GateRun {
  /** Gate name. */
  name: string;
  /** Gate phase. */
  phase: GatePhase;
  /** The shell command that ran. */
  cmd: string;
  /** Exit code of the last attempt, or null when it was killed by a signal or could not start. */
  exit_code: number | null;
  /** Signal that ended the last attempt (`SIGKILL` after a timeout), or null. */
  signal: string | null;
  /** The last attempt ran past `timeout_ms` and its process group was killed. */
  timed_out: boolean;
  /** The command does not exist (the shell exited 127); `output_tail` holds the shell's message. */
  not_found: boolean;
  /** Wall time spent on this gate over all attempts, in ms. */
  duration_ms: number;
  /**
   * The end of the last attempt's combined stdout+stderr: at most `tailBytes` bytes of UTF-8
   * (cut on a character boundary), ANSI escapes stripped. On a timeout, the output so far.
   */
  output_tail: string;
  /** The gate passed (on the first attempt or on a retry). */
  passed: boolean;
  /** The gate failed at first and passed on a retry. */
  flaky: boolean;
  /** How many times the command ran (1 + retries used). */
  attempts: number;
}

/** The outcome of {@link runGates}. */
export interface GatesResult {
  /** Every gate that ran passed (true when there were no gates). */
  passed: boolean;
  /** The gates that ran, in order; the last one is the failure when `passed` is false. */
  runs: GateRun[];
  /** The gate that failed and stopped the run, if any (also the last entry of `runs`). */
  failed?: GateRun;
  /** Wall time of the whole run, in ms. */
  duration_ms: number;
}

/** Options of {@link runGates}. */
export interface RunGatesOptions {
  /** Extra environment variables (on top of this process's environment; `CI`/`FORCE_COLOR` always win). */
  env?: Record<string, string>;
  /** How many times a failing gate is retried before it counts as failed (default 1; 0 = never). */
  retryFlaky?: number;
  /** Keep this many bytes of the end of each gate's output, in bytes (default 4096). */
  tailBytes?: number;
  /** Aborting kills the running gate's process group and rejects with GtError `INTERNAL`. */
  signal?: AbortSignal;
}

/** Default number of flaky retries. */
const DEFAULT_RETRY_FLAKY = 1;
/** Default output tail, in bytes. */
const DEFAULT_TAIL_BYTES = 4096;
/** Exit code of a POSIX shell for "command not found". */
const EXIT_NOT_FOUND = 127;

/**
 * The gates of a rig's `merge_queue.gates` setting as a run list, sorted by phase
 * ({@link GATE_PHASES} order) and then by name.
 *
 * @param gates gates by name, as parsed by `RigSettingsSchema`.
 * @returns the gates in the order {@link runGates} should run them.
 */
export function gatesFromSettings(
  gates: Record<string, { cmd: string; timeout_ms: number; phase: GatePhase }>,
): GateSpec[] {
  return Object.entries(gates)
    .map(([name, g]) => ({ name, cmd: g.cmd, timeout_ms: g.timeout_ms, phase: g.phase }))
    .sort((a, b) =>
      GATE_PHASES.indexOf(a.phase) - GATE_PHASES.indexOf(b.phase) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Run gates one by one, in the given order, in `cwd`; stop at the first gate that fails.
 *
 * A failing gate is retried up to `retryFlaky` times (a command that is not found is never
 * retried); if a retry passes, the gate passes with `flaky: true`. A gate that runs past its
 * `timeout_ms` has its whole process group killed with SIGKILL and fails with `timed_out`.
 * No gates at all → passed with no runs.
 *
 * @param gates the gates, already ordered (see {@link gatesFromSettings}).
 * @param cwd directory to run them in (the batch's worktree).
 * @param options extra env, retries, tail size and an abort signal.
 * @returns the runs and whether they all passed; a failing gate is a result, not an error.
 * @throws GtError `NOT_FOUND` when `cwd` is not a directory; GtError `INTERNAL` ("gates aborted")
 *   when `options.signal` aborts (the running gate's process group is killed first);
 *   GtError `INVALID_VALUE` for a negative `retryFlaky` or a `tailBytes` below 1.
 */
export async function runGates(gates: GateSpec[], cwd: string, options: RunGatesOptions = {}): Promise<GatesResult> {
  const retryFlaky = options.retryFlaky ?? DEFAULT_RETRY_FLAKY;
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  if (!Number.isInteger(retryFlaky) || retryFlaky < 0) {
    throw new GtError('INVALID_VALUE', `retryFlaky must be a whole number ≥ 0, got ${retryFlaky}`);
  }
  if (!Number.isInteger(tailBytes) || tailBytes < 1) {
    throw new GtError('INVALID_VALUE', `tailBytes must be a whole number ≥ 1, got ${tailBytes}`);
  }
  const started = Date.now();
  const runs: GateRun[] = [];
  if (gates.length === 0) return { passed: true, runs, duration_ms: 0 };
  if (!isDirectory(cwd)) {
    throw new GtError('NOT_FOUND', `gate directory ${cwd} does not exist`, { fix: 'check the refinery worktree path' });
  }
  const env = { ...options.env, CI: 'true', FORCE_COLOR: '0' };
  for (const gate of gates) {
    throwIfAborted(options.signal);
    const gateStarted = Date.now();
    let attempts = 0;
    let failedOnce = false;
    let attempt: Attempt;
    for (;;) {
      attempts++;
      attempt = await runOnce(gate, cwd, env, tailBytes, options.signal);
      if (attempt.passed) break;
      failedOnce = true;
      if (attempt.not_found || attempts > retryFlaky) break;
    }
    const run: GateRun = {
      name: gate.name,
      phase: gate.phase,
      cmd: gate.cmd,
      ...attempt,
      duration_ms: Date.now() - gateStarted,
      flaky: attempt.passed && failedOnce,
      attempts,
    };
    runs.push(run);
    if (!run.passed) return { passed: false, runs, failed: run, duration_ms: Date.now() - started };
  }
  return { passed: true, runs, duration_ms: Date.now() - started };
}

/**
 * A one-paragraph description of a gate run for messages (FIX_NEEDED mail, merge_failed events):
 * the gate name and phase, the command, how it ended (exit code, signal, timeout or not found),
 * the attempts, and the output tail.
 *
 * @param run a run from {@link runGates} (normally `GatesResult.failed`).
 */
export function describeGateFailure(run: GateRun): string {
  let how: string;
  if (run.passed) how = run.flaky ? `passed on attempt ${run.attempts} (flaky)` : 'passed';
  else if (run.not_found) how = `failed: the command was not found (exit ${run.exit_code ?? EXIT_NOT_FOUND})`;
  else if (run.timed_out) how = 'timed out and was killed';
  else if (run.exit_code !== null) how = `failed with exit code ${run.exit_code}`;
  else if (run.signal !== null) how = `was killed by ${run.signal}`;
  else how = 'could not be started';
  const tries = run.attempts === 1 ? '1 attempt' : `${run.attempts} attempts`;
  const tail = run.output_tail.trimEnd();
  const output = tail ? `Output (last ${Buffer.byteLength(run.output_tail)} bytes):\n${tail}` : 'It printed nothing.';
  return `Gate "${run.name}" (${run.phase} phase) ${how}: \`${run.cmd}\` (${tries}, ${formatMs(run.duration_ms)}). ${output}`;
}

/** One attempt's outcome. */
interface Attempt {
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  not_found: boolean;
  output_tail: string;
  passed: boolean;
}

/** Process groups of gates running now, killed if this process exits mid-gate. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Kill a gate's whole process group; never throws (the group may already be gone). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Run a gate's command once, in its own process group, and collect its output tail. */
async function runOnce(
  gate: GateSpec,
  cwd: string,
  env: Record<string, string>,
  tailBytes: number,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  throwIfAborted(signal);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const pid of liveGroups) killGroup(pid);
    });
  }
  const tail = new TailBuffer(Math.max(tailBytes * 4, 64 * 1024));
  // One pipe for both streams (the shell's stderr joins its stdout before the command runs), so
  // the tail keeps the order the command wrote in; two pipes read by `all` can swap lines.
  const child = execa(`exec 2>&1; ${gate.cmd}`, {
    shell: true,
    cwd,
    env,
    stdin: 'ignore',
    stderr: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
    windowsHide: true,
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  child.stdout?.on('data', (chunk: Uint8Array) => tail.push(chunk));
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(pid);
  }, gate.timeout_ms);
  const onAbort = (): void => {
    aborted = true;
    killGroup(pid);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  // When the shell exits, anything it left in its group (a background job holding the output
  // pipe open) is killed too, so the gate ends with its command.
  let exited = false;
  child.once('exit', () => {
    exited = true;
    killGroup(pid);
  });
  try {
    const result = await child;
    if (aborted) throw abortedError();
    let output = tail.text(tailBytes);
    if (result.exitCode === undefined && result.signal === undefined && !timedOut && result.message) {
      output = cutTail(`${output}${output && !output.endsWith('\n') ? '\n' : ''}${result.message}\n`, tailBytes);
    }
    const exit_code = result.exitCode ?? null;
    return {
      exit_code,
      signal: result.signal ?? null,
      timed_out: timedOut,
      not_found: !timedOut && exit_code === EXIT_NOT_FOUND,
      output_tail: output,
      passed: !timedOut && exit_code === 0,
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!exited) killGroup(pid);
    if (pid !== undefined) liveGroups.delete(pid);
  }
}

/** The last bytes of a stream, kept in a bounded window (raw, before ANSI stripping). */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  /** @param window bytes of raw output to keep (more than the tail, so stripped escapes still leave enough). */
  constructor(private readonly window: number) {}

  push(chunk: Uint8Array): void {
    const b = Buffer.from(chunk);
    this.chunks.push(b);
    this.size += b.length;
    if (this.size > this.window * 2) this.compact();
  }

  /** The kept output, decoded, ANSI-stripped and cut to the last `bytes` bytes. */
  text(bytes: number): string {
    this.compact();
    let raw = Buffer.concat(this.chunks);
    if (this.truncated) raw = raw.subarray(utf8Start(raw, 0));
    return cutTail(stripVTControlCharacters(raw.toString('utf8')), bytes);
  }

  private compact(): void {
    if (this.size <= this.window) return;
    const all = Buffer.concat(this.chunks);
    const kept = all.subarray(all.length - this.window);
    this.chunks = [kept];
    this.size = kept.length;
    this.truncated = true;
  }
}

/** The last `bytes` bytes of `text` as UTF-8, never starting inside a character. */
function cutTail(text: string, bytes: number): string {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= bytes) return text;
  return b.subarray(utf8Start(b, b.length - bytes)).toString('utf8');
}

/** The first index ≥ `from` that does not fall inside a UTF-8 sequence (skips continuation bytes). */
function utf8Start(b: Buffer, from: number): number {
  let i = from;
  while (i < b.length && ((b[i] ?? 0) & 0xc0) === 0x80) i++;
  return i;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function abortedError(): GtError {
  return new GtError('INTERNAL', 'gates aborted');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError();
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
