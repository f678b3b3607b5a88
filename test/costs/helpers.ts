// Shared set-up of the cost tests: the fixture logs of test/fixtures/transcripts installed under
// a temp folder (their town root /home/overseer/gt replaced by the real one), and a real town
// whose three polecats ran the sessions those logs came from, at the fixtures' times.
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Issue } from '../../src/core/ledger/types.js';
import { createConvoy } from '../../src/store/convoys.js';
import { insertSession, markSessionExited, nextGeneration } from '../../src/store/work/agents.js';
import { finishWork } from '../../src/store/work/done.js';
import { hookBead } from '../../src/store/work/hook.js';
import { allocatePolecat } from '../../src/store/work/polecats.js';
import { makeWorld, setRig, type World } from '../work/helpers.js';

/** The fixture logs. */
export const FIXTURES = resolve(import.meta.dirname, '../fixtures/transcripts');
/** The town root the fixtures were written for. */
export const FIXTURE_ROOT = '/home/overseer/gt';

/** Claude Code's project folder name for a cwd (every non-alphanumeric character → `-`), written out here independently. */
const claudeDir = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, '-');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Environment pointing every runtime's log folder at `dest`, as each CLI reads it. */
export function logEnv(dest: string): NodeJS.ProcessEnv {
  return {
    HOME: join(dest, 'home'),
    CLAUDE_CONFIG_DIR: join(dest, 'claude'),
    CODEX_HOME: join(dest, 'codex'),
    GEMINI_CLI_HOME: join(dest, 'gemini'),
  };
}

/**
 * Copy the fixture logs to `dest` with the fixture town root replaced by `root` (Claude project
 * folders renamed for the new cwd), optionally rewriting each ISO timestamp.
 *
 * @returns the environment for the CLI (see {@link logEnv}) and the installed files by fixture path.
 */
export function installLogs(dest: string, root: string, options: { time?: (iso: string) => string } = {}): { env: NodeJS.ProcessEnv; paths: Record<string, string> } {
  const paths: Record<string, string> = {};
  for (const src of files(FIXTURES)) {
    const rel = relative(FIXTURES, src);
    if (rel === 'README.md') continue;
    let text = readFileSync(src, 'utf8').replaceAll(FIXTURE_ROOT, root);
    if (options.time) text = text.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/g, (_m, iso: string) => `"${options.time!(iso)}"`);
    let out = join(dest, rel);
    const claude = /^claude\/projects\/([^/]+)\/(.*)$/.exec(rel);
    if (claude) {
      const cwd = /"cwd":"([^"]+)"/.exec(text)?.[1] ?? '';
      out = join(dest, 'claude/projects', claudeDir(cwd), claude[2]!);
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    paths[rel] = out;
  }
  return { env: logEnv(dest), paths };
}

/** Copy one fixture file verbatim (for tests that need a broken copy). */
export function copyFixture(rel: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(FIXTURES, rel), to);
}

/** A town whose polecats ran the fixture sessions. */
export interface CostsWorld {
  w: World;
  /** Beads: x and y were worked by nux one after the other, z by slit, w by furiosa. */
  beads: Record<'x' | 'y' | 'z' | 'w', Issue>;
  /** The convoy tracking x and y. */
  convoy: string;
}

function pin(world: World, sql: string, ...params: unknown[]): void {
  const r = world.town.db.prepare(sql).run(...params);
  if (r.changes !== 1) throw new Error(`pinning a time changed ${r.changes} rows: ${sql} ${params.join(' ')}`);
}

/**
 * Make the town of the fixtures: rig `demo` (prefix dm) with polecats nux, slit and furiosa.
 * nux: bead x slung 09:59:40, session #1 09:59:50–10:32, x done (no changes) 10:30, bead y slung
 * 10:35, session #2 10:35:02–11:00. slit: z slung 10:01, session #1 from 10:02 (codex). furiosa:
 * w slung 10:04, session #1 from 10:04:30 (gemini). All on 2026-11-30, UTC. The sling, done and
 * session rows are written by the real store functions; only their times are pinned.
 */
export async function costsWorld(base: string): Promise<CostsWorld> {
  const w = await makeWorld(base);
  setRig(w, 'namepool', '{"style":"mad-max","names":["nux","slit","furiosa"]}');
  const beads = {
    x: w.bead('Fix hello for empty names'), y: w.bead('Add a --name flag'),
    z: w.bead('Speed up the tests'), w: w.bead('Write the README'),
  };
  const convoy = createConvoy(w.town, { title: 'Ship v1', beads: [beads.x.id, beads.y.id], owner: 'mayor' }).id;
  const T = (hms: string) => `2026-11-30T${hms}Z`;
  const session = (address: string, runtime: string, cwd: string, start: string, end?: string) => {
    const s = insertSession(w.town.db, { agent: address, generation: nextGeneration(w.town.db, address), runtime, argv: [runtime], cwd });
    if (end) markSessionExited(w.town.db, s.id, { code: 0, reason: 'exited' });
    pin(w, 'UPDATE sessions SET started_at = ?, ended_at = ? WHERE id = ?', T(start), end ? T(end) : null, s.id);
  };
  const history = (agent: string, bead: string, outcome: string, at: string) =>
    pin(w, 'UPDATE agent_history SET created_at = ? WHERE agent = ? AND bead_id = ? AND outcome = ?', T(at), agent, bead, outcome);

  const nux = await allocatePolecat(w.town, 'demo', { beadId: beads.x.id });
  hookBead(w.town, beads.x.id, nux.address);
  const slit = await allocatePolecat(w.town, 'demo', { beadId: beads.z.id });
  hookBead(w.town, beads.z.id, slit.address);
  const furiosa = await allocatePolecat(w.town, 'demo', { beadId: beads.w.id });
  hookBead(w.town, beads.w.id, furiosa.address);
  if ([nux.name, slit.name, furiosa.name].join() !== 'nux,slit,furiosa') throw new Error(`unexpected polecat names ${nux.name} ${slit.name} ${furiosa.name}`);

  session(nux.address, 'claude', nux.worktree, '09:59:50', '10:32:00');
  await finishWork(w.town, nux.address, { noChanges: true, reason: 'fixed by the edit' });
  hookBead(w.town, beads.y.id, nux.address);
  session(nux.address, 'claude', nux.worktree, '10:35:02', '11:00:00');
  session(slit.address, 'codex', slit.worktree, '10:02:00');
  session(furiosa.address, 'gemini', furiosa.worktree, '10:04:30');

  history(nux.address, beads.x.id, 'slung', '09:59:40');
  history(nux.address, beads.x.id, 'no_changes', '10:30:00');
  history(nux.address, beads.y.id, 'slung', '10:35:00');
  history(slit.address, beads.z.id, 'slung', '10:01:00');
  history(furiosa.address, beads.w.id, 'slung', '10:04:00');
  return { w, beads, convoy };
}

/** Size and mtime of a file (to see whether a cache re-read it). */
export function fileStamp(path: string): string {
  const st = statSync(path);
  return `${st.size}:${st.mtimeMs}`;
}
