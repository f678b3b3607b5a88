import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import { isProcessAlive } from '../../src/store/process-alive.js';
import { describeGateFailure, gatesFromSettings, runGates, type GateSpec } from '../../src/store/refinery/gates.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-gates-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function gate(name: string, cmd: string, extra: Partial<GateSpec> = {}): GateSpec {
  return { name, cmd, timeout_ms: 20_000, phase: 'test', ...extra };
}

/** Poll `cond` every 20 ms until it holds or `ms` pass. */
async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

function readPid(file: string): number {
  return Number(readFileSync(join(dir, file), 'utf8').trim());
}

describe('gatesFromSettings', () => {
  it('sorts by phase order, then by name', () => {
    const specs = gatesFromSettings({
      unit: { cmd: 'npm test', timeout_ms: 1000, phase: 'test' },
      eslint: { cmd: 'eslint .', timeout_ms: 2000, phase: 'lint' },
      e2e: { cmd: 'npm run e2e', timeout_ms: 3000, phase: 'test' },
      install: { cmd: 'npm ci', timeout_ms: 4000, phase: 'setup' },
      tsc: { cmd: 'tsc', timeout_ms: 5000, phase: 'typecheck' },
      bundle: { cmd: 'npm run build', timeout_ms: 6000, phase: 'build' },
    });
    expect(specs.map((g) => g.name)).toEqual(['install', 'tsc', 'eslint', 'bundle', 'e2e', 'unit']);
    expect(specs[0]).toEqual({ name: 'install', cmd: 'npm ci', timeout_ms: 4000, phase: 'setup' });
  });

  it('gives no gates for an empty setting', () => {
    expect(gatesFromSettings({})).toEqual([]);
  });
});

describe('runGates', () => {
  it('passes with no runs when there are no gates', async () => {
    const r = await runGates([], dir);
    expect(r).toMatchObject({ passed: true, runs: [] });
    expect(r.failed).toBeUndefined();
  });

  it('runs gates in phase order in cwd and stops at the first failure (lint stops test)', async () => {
    const specs = gatesFromSettings({
      test: { cmd: 'echo test >> log', timeout_ms: 20_000, phase: 'test' },
      lint: { cmd: 'echo lint >> log; echo "3 problems" >&2; exit 2', timeout_ms: 20_000, phase: 'lint' },
      setup: { cmd: 'echo setup >> log', timeout_ms: 20_000, phase: 'setup' },
      types: { cmd: 'echo types >> log', timeout_ms: 20_000, phase: 'typecheck' },
    });
    const r = await runGates(specs, dir, { retryFlaky: 0 });
    expect(r.passed).toBe(false);
    expect(r.runs.map((g) => [g.name, g.passed])).toEqual([['setup', true], ['types', true], ['lint', false]]);
    expect(r.failed).toBe(r.runs[2]);
    expect(r.failed).toMatchObject({ name: 'lint', phase: 'lint', exit_code: 2, signal: null, timed_out: false, not_found: false, flaky: false, attempts: 1 });
    expect(r.failed?.output_tail).toContain('3 problems');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('setup\ntypes\nlint\n');
    expect(r.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('passes when every gate passes, and sets CI=true and FORCE_COLOR=0 plus the given env', async () => {
    const r = await runGates([gate('env', 'echo "$CI $FORCE_COLOR $EXTRA"')], dir, { env: { EXTRA: 'x1', CI: 'no' } });
    expect(r.passed).toBe(true);
    expect(r.runs[0]).toMatchObject({ exit_code: 0, passed: true, flaky: false, attempts: 1, output_tail: 'true 0 x1\n' });
  });

  it('keeps only the last tailBytes of a long output, interleaving stdout and stderr', async () => {
    const r = await runGates([gate('noisy', 'echo START >&2; seq 1 3000; echo TAIL-END >&2; exit 3')], dir, { retryFlaky: 0 });
    const run = r.failed!;
    expect(run.exit_code).toBe(3);
    expect(Buffer.byteLength(run.output_tail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(run.output_tail)).toBeGreaterThan(4000);
    expect(run.output_tail.endsWith('TAIL-END\n')).toBe(true);
    expect(run.output_tail).toContain('\n3000\n');
    expect(run.output_tail).not.toContain('START');
  });

  it('cuts the tail on a UTF-8 character boundary', async () => {
    const r = await runGates([gate('utf8', `node -e "process.stdout.write('é'.repeat(5000)); process.exit(1)"`)], dir, { retryFlaky: 0, tailBytes: 101 });
    const tail = r.failed!.output_tail;
    expect(tail).toBe('é'.repeat(50));
    expect(tail).not.toContain('\uFFFD');
  });

  it('strips ANSI escapes from the output', async () => {
    const r = await runGates([gate('color', "printf '\\033[31mred\\033[0m plain\\n'; exit 1")], dir, { retryFlaky: 0 });
    expect(r.failed!.output_tail).toBe('red plain\n');
  });

  it('reports a command that does not exist as not_found with the shell message, without retrying', async () => {
    const r = await runGates([gate('check', 'no-such-tool-xyz --check', { phase: 'lint' })], dir, { retryFlaky: 2 });
    expect(r.failed).toMatchObject({ not_found: true, exit_code: 127, timed_out: false, passed: false, attempts: 1 });
    expect(r.failed!.output_tail).toMatch(/no-such-tool-xyz.*not found/);
    expect(describeGateFailure(r.failed!)).toContain('not found');
  });

  it('kills the whole process group on timeout and keeps the output so far', async () => {
    const cmd = "echo before; sh -c 'echo $$ > pid; exec sleep 30'";
    const t0 = Date.now();
    const r = await runGates([gate('slow', cmd, { timeout_ms: 300 })], dir, { retryFlaky: 0 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.failed).toMatchObject({ name: 'slow', timed_out: true, exit_code: null, signal: 'SIGKILL', not_found: false, passed: false });
    expect(r.failed!.output_tail).toBe('before\n');
    const pid = readPid('pid');
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => !isProcessAlive(pid))).toBe(true);
    expect(describeGateFailure(r.failed!)).toContain('timed out');
  });

  it('ends a gate when its shell exits, killing a background job that holds the output open', async () => {
    const cmd = "sh -c 'echo $$ > bg.tmp; mv bg.tmp bg; exec sleep 30' & until [ -f bg ]; do sleep 0.01; done; echo ok";
    const t0 = Date.now();
    const r = await runGates([gate('bg', cmd, { timeout_ms: 20_000 })], dir);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.passed).toBe(true);
    expect(r.runs[0]).toMatchObject({ timed_out: false, output_tail: 'ok\n' });
    const pid = readPid('bg');
    expect(await waitFor(() => !isProcessAlive(pid))).toBe(true);
  });

  it('retries a flaky gate: a retry that passes counts as passed, flaky, 2 attempts', async () => {
    const cmd = 'if [ -f marker ]; then echo second; else touch marker; echo first; exit 1; fi';
    const r = await runGates([gate('flaky', cmd), gate('after', 'echo after')], dir);
    expect(r.passed).toBe(true);
    expect(r.runs[0]).toMatchObject({ name: 'flaky', passed: true, flaky: true, attempts: 2, exit_code: 0, output_tail: 'second\n' });
    expect(r.runs[1]).toMatchObject({ name: 'after', passed: true, flaky: false, attempts: 1 });
  });

  it('does not retry with retryFlaky 0', async () => {
    const cmd = 'if [ -f marker ]; then echo second; else touch marker; echo first; exit 1; fi';
    const r = await runGates([gate('flaky', cmd)], dir, { retryFlaky: 0 });
    expect(r.passed).toBe(false);
    expect(r.failed).toMatchObject({ passed: false, flaky: false, attempts: 1, exit_code: 1, output_tail: 'first\n' });
  });

  it('fails after all retries of a gate that always fails', async () => {
    const r = await runGates([gate('bad', 'echo try >> tries; exit 4')], dir, { retryFlaky: 2 });
    expect(r.failed).toMatchObject({ attempts: 3, exit_code: 4, flaky: false });
    expect(readFileSync(join(dir, 'tries'), 'utf8')).toBe('try\ntry\ntry\n');
  });

  it('aborts the running gate: kills its group and rejects with GtError INTERNAL', async () => {
    const controller = new AbortController();
    const cmd = "sh -c 'echo $$ > pid; exec sleep 30'";
    const running = runGates([gate('long', cmd), gate('never', 'touch never')], dir, { signal: controller.signal });
    const settled = running.catch((e: unknown) => e);
    expect(await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'))).toBe(true);
    const pid = readPid('pid');
    controller.abort();
    const err = await settled;
    expect(err).toBeInstanceOf(GtError);
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'gates aborted' });
    expect(await waitFor(() => !isProcessAlive(pid))).toBe(true);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runGates([gate('x', 'touch ran')], dir, { signal: controller.signal })).rejects.toMatchObject({ code: 'INTERNAL', message: 'gates aborted' });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('rejects a cwd that does not exist with GtError NOT_FOUND', async () => {
    await expect(runGates([gate('x', 'true')], join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('describeGateFailure', () => {
  it('mentions the gate name, phase, command, exit code and output tail', async () => {
    writeFileSync(join(dir, 'a.ts'), '');
    const r = await runGates([gate('eslint', 'echo "a.ts:1:1 error no-unused-vars"; exit 1', { phase: 'lint' })], dir, { retryFlaky: 0 });
    const text = describeGateFailure(r.failed!);
    expect(text).toContain('"eslint"');
    expect(text).toContain('lint phase');
    expect(text).toContain('echo "a.ts:1:1 error no-unused-vars"; exit 1');
    expect(text).toContain('exit code 1');
    expect(text).toMatch(/a\.ts:1:1 error no-unused-vars$/);
  });

  it('says when a gate printed nothing', async () => {
    const r = await runGates([gate('quiet', 'exit 5')], dir, { retryFlaky: 0 });
    expect(describeGateFailure(r.failed!)).toContain('printed nothing');
  });
});
