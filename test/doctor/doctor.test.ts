// `gt doctor` as the real built bin on a real town: a healthy town exits 0, the --json shape, a
// runtime missing from PATH, a dead daemon found and cleaned (without starting one), bad input.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openDb } from '../../src/store/sqlite/db.js';
import { processAlive, readDaemonPid } from '../../src/daemon/client.js';
import { daemonPidFile, daemonStartLock } from '../../src/daemon/paths.js';
import { gt, tempDir, waitFor } from '../cli/helpers.js';
import { GT_BIN, byId, doctor, doctorJson, doctorTown, minimalPath, runBin } from './helpers.js';

const STATUSES = ['ok', 'problem', 'info', 'fixed'];

describe('gt doctor', () => {
  const tmp = tempDir('gt-doctor-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await doctorTown(tmp.dir));
  });
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('a healthy town exits 0, says the daemon is simply not running, and does not start it', async () => {
    const r = await doctor(env);
    expect(r.code, r.out + r.err).toBe(0);
    for (const id of ['node.version', 'git.version', 'runtime.fake', 'schema.version', 'worktree.orphaned', 'polecat.no_session', 'lock.stale', 'mr.branch_missing', 'hooks.missing']) {
      expect(r.out).toMatch(new RegExp(`^✓ ${id.replace('.', '\\.')}\\s`, 'm'));
    }
    expect(r.out).toMatch(/^✓ node\.version\s+node v\d+\.\d+\.\d+ \(needs >= 20\.19\.0\)$/m);
    expect(r.out).toMatch(/^✓ git\.version\s+git \d+\.\d+\.\d+ \(needs >= 2\.31\.0\)$/m);
    expect(r.out).toMatch(/^· daemon\.alive\s+not running \(it starts on demand/m);
    expect(r.out).toMatch(/^Healthy: \d+ ok, 0 problems, 1 info\.$/m);
    expect(r.out).not.toContain('fix:');
    expect(readDaemonPid(root)).toBeUndefined();
  });

  it('--json gives {ok, checks: [{id, status, message, fix?, details?}], summary}', async () => {
    const { code, report } = await doctorJson(env);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(Object.keys(report).sort()).toEqual(['checks', 'ok', 'summary']);
    expect(report.checks.length).toBeGreaterThanOrEqual(10);
    for (const c of report.checks) {
      expect(typeof c.id).toBe('string');
      expect(STATUSES).toContain(c.status);
      expect(typeof c.message).toBe('string');
      expect(Object.keys(c).every((k) => ['id', 'status', 'message', 'fix', 'details'].includes(k))).toBe(true);
    }
    const ids = new Set(report.checks.map((c) => c.id));
    for (const id of ['node.version', 'git.version', 'runtime.fake', 'daemon.alive', 'schema.version', 'worktree.orphaned', 'polecat.no_session', 'lock.stale', 'mr.branch_missing', 'hooks.missing']) expect(ids).toContain(id);
    expect(byId(report, 'schema.version')[0]).toMatchObject({ status: 'ok', details: { version: SCHEMA_VERSION, latest: SCHEMA_VERSION } });
    const counted = report.checks.reduce<Record<string, number>>((m, c) => ({ ...m, [c.status]: (m[c.status] ?? 0) + 1 }), {});
    expect(report.summary).toEqual({ ok: counted.ok ?? 0, problem: 0, fixed: 0, info: counted.info ?? 0 });
  });

  it('finds a runtime whose command is missing, with exit 1 and a fix line', async () => {
    expect((await gt(['config', 'agent', 'set', 'ghost', 'gt-no-such-agent-cli --yolo'], { env })).code).toBe(0);
    expect((await gt(['config', 'agent', 'set', 'mycodex', '/nonexistent/bin/codex'], { env })).code).toBe(0);
    expect((await gt(['config', 'default-agent', 'ghost'], { env })).code).toBe(0);
    try {
      const r = await doctor(env);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^✗ runtime\.ghost\s+`gt-no-such-agent-cli` is not on this shell's PATH .*used by default_agent, custom agent$/m);
      expect(r.out).toMatch(/^\s+fix: install `gt-no-such-agent-cli` on the PATH .*, or set another runtime: gt config default-agent <name>$/m);
      expect(r.out).toMatch(/^✗ runtime\.mycodex\s+`\/nonexistent\/bin\/codex` does not exist or is not executable/m);
      expect(r.out).toContain('fix: install it: npm install -g @openai/codex, or set another runtime: gt config agent remove mycodex');
      expect(r.out).toMatch(/^Problems found: .*2 problems/m);
      const { code, report } = await doctorJson(env);
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      expect(byId(report, 'runtime.ghost')[0]).toMatchObject({ status: 'problem', fix: expect.stringContaining('gt config default-agent'), details: { command: 'gt-no-such-agent-cli' } });
      // --fix cannot install software: the problem stays and so does exit 1
      expect((await doctor(env, '--fix')).code).toBe(1);
    } finally {
      await gt(['config', 'default-agent', 'fake'], { env });
      await gt(['config', 'agent', 'remove', 'ghost'], { env });
      await gt(['config', 'agent', 'remove', 'mycodex'], { env });
    }
  });

  it('looks a built-in runtime up on the PATH it is given (claude missing from a minimal PATH)', async () => {
    expect((await gt(['config', 'default-agent', 'claude'], { env })).code).toBe(0);
    try {
      const r = await doctor({ ...env, PATH: minimalPath(tmp.dir) });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^✗ runtime\.claude\s+`claude` is not on this shell's PATH/m);
      expect(r.out).toContain('fix: install it: npm install -g @anthropic-ai/claude-code, or set another runtime: gt config default-agent <name>');
      expect(r.out).toMatch(/^✓ git\.version/m); // git is on that PATH
    } finally {
      await gt(['config', 'default-agent', 'fake'], { env });
    }
  });

  it('finds a dead daemon (SIGKILLed, pid file left), and --fix cleans its files without starting one', async () => {
    const start = await runBin(GT_BIN, ['daemon', 'start', '--json'], { env });
    expect(start.code, start.err).toBe(0);
    const live = await doctorJson(env);
    expect(live.code).toBe(0);
    const pid = start.json<{ pid: number }>().pid;
    expect(byId(live.report, 'daemon.alive')[0]).toMatchObject({ status: 'ok', details: { running: true, answering: true, pid } });

    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), 5_000, 'the daemon to die');
    expect(existsSync(daemonPidFile(root))).toBe(true);
    const r = await doctor(env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^✗ daemon\\.alive\\s+the daemon \\(pid ${pid}\\) is dead but left .*daemon\\.pid`, 'm'));
    expect(r.out).toMatch(/^\s+fix: `gt doctor --fix` removes the stale files/m);
    expect(r.out).toContain('run `gt doctor --fix` to repair it');
    expect(existsSync(daemonPidFile(root))).toBe(true); // without --fix nothing changes

    const fixed = await doctor(env, '--fix');
    expect(fixed.code, fixed.out).toBe(0);
    expect(fixed.out).toMatch(new RegExp(`^✓ daemon\\.alive\\s+fixed: removed the files dead daemon pid ${pid} left \\(.*daemon\\.pid`, 'm'));
    expect(fixed.out).toMatch(/^Healthy after --fix: .*1 fixed/m);
    expect(existsSync(daemonPidFile(root))).toBe(false);
    expect(existsSync(join(root, 'daemon', 'daemon.sock'))).toBe(false);
    expect(readDaemonPid(root)).toBeUndefined(); // no daemon was started

    const after = await doctorJson(env);
    expect(after.code).toBe(0);
    expect(byId(after.report, 'daemon.alive')[0]).toMatchObject({ status: 'info' });
  });

  it('cleans a pid file whose pid now belongs to another program and a stale start claim, killing nothing', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      mkdirSync(join(root, 'daemon'), { recursive: true });
      writeFileSync(daemonPidFile(root), String(other.pid));
      const claim = daemonStartLock(root);
      writeFileSync(claim, '');
      const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
      utimesSync(claim, fiveMinutesAgo, fiveMinutesAgo);
      const r = await doctor(env);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(new RegExp(`^✗ daemon\\.alive\\s+the daemon pid file names pid ${other.pid}, which is now another program \\(sleep 60\\)`, 'm'));
      expect(r.out).toMatch(/^✗ lock\.stale\s+.*starting\.lock: a daemon start claimed 300 s ago never finished$/m);
      expect(r.out).not.toMatch(/^✓ lock\.stale/m);
      const fixed = await doctorJson(env, '--fix');
      expect(fixed.code).toBe(0);
      expect(byId(fixed.report, 'daemon.alive')[0]?.status).toBe('fixed');
      expect(byId(fixed.report, 'lock.stale')[0]).toMatchObject({ status: 'fixed', details: { kind: 'daemon-start' } });
      expect(existsSync(daemonPidFile(root))).toBe(false);
      expect(existsSync(claim)).toBe(false);
      expect(processAlive(other.pid!)).toBe(true);
      expect(readDaemonPid(root)).toBeUndefined();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('bad input: no town, an unknown flag', async () => {
    const none = await runBin(GT_BIN, ['doctor'], { env: { GT_TOWN: join(tmp.dir, 'nowhere') } });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error: no Gas Town here: GT_TOWN=.*nowhere has no town\.json — run `gt install/m);
    const flag = await doctor(env, '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("unknown option '--bogus'");
  });

  it('reports a schema newer than this gt and still runs the checks that need no database', async () => {
    const db = openDb(join(root, 'town.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    // Last test of the file: the town stays unreadable for this gt afterwards.
    const { code, report } = await doctorJson(env);
    expect(code).toBe(1);
    expect(byId(report, 'schema.version')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining(`schema version ${SCHEMA_VERSION + 1}, newer than`) });
    expect(byId(report, 'node.version')[0]?.status).toBe('ok');
    expect(byId(report, 'daemon.alive')[0]?.status).toBe('info');
    expect(byId(report, 'worktree.orphaned')).toEqual([]); // needs the database: skipped
    const text = await doctor(env, '--fix');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^✗ schema\.version\s+.*newer than this gt understands/m);
    expect(text.out).toMatch(/^\s+fix: upgrade gt/m);
  });
});
