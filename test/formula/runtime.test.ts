/**
 * Formulas run by agents, end to end with the real daemon, real git and real PTYs:
 * - the `shell` runtime works a release-like formula of `run` steps in a polecat's worktree
 *   (each step's output recorded on its bead, the molecule complete, `gt done`), and a failing
 *   step escalates with its output and stays open;
 * - `gt formula run` on a convoy formula with three legs starts three polecats (scripted
 *   agents), and the synthesis starts only after the three legs closed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/helpers.js';
import { GT_BIN, fakeTown, runBin, townDb, waitFor } from '../e2e/helpers.js';

const RELEASE_LIKE = `formula = "release-like"
description = "A release made only of commands"
[vars.version]
required = true
pattern = "^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$"
[[steps]]
id = "preflight"
title = "Preflight"
run = "test -f package.json && echo preflight ok"
[[steps]]
id = "changelog"
title = "Changelog for {{version}}"
needs = ["preflight"]
run = "printf '## {{version}}\\\\n- first release\\\\n' > CHANGELOG.md && git add CHANGELOG.md && git commit -qm 'changelog {{version}}' && echo wrote changelog"
[[steps]]
id = "bump"
title = "Bump to {{version}}"
needs = ["changelog"]
run = "node -e \\"const f='package.json';const p=JSON.parse(require('fs').readFileSync(f));p.version='{{version}}';require('fs').writeFileSync(f,JSON.stringify(p))\\" && git commit -qam 'release {{version}}' && echo bumped"
[[steps]]
id = "test"
title = "Test"
needs = ["bump"]
run = "node --test"
[[steps]]
id = "tag"
title = "Tag v{{version}}"
needs = ["test"]
run = "git tag v{{version}} && git tag --list"
`;

const FAILING = `formula = "failing-check"
[[steps]]
id = "fine"
run = "echo fine"
[[steps]]
id = "lint"
needs = ["fine"]
run = "echo 'lint: 3 problems in app.js' >&2; exit 4"
[[steps]]
id = "after"
needs = ["lint"]
run = "echo never"
`;

const REVIEW3 = `formula = "review-three"
type = "convoy"
description = "Three reviewers, then a synthesis"
[[legs]]
id = "correctness"
title = "Correctness review"
description = """
script:
think 300 reading for bugs
done --no-changes correctness reviewed
"""
[[legs]]
id = "tests"
title = "Test review"
description = """
script:
think 600 reading the tests
done --no-changes tests reviewed
"""
[[legs]]
id = "style"
title = "Style review"
description = """
script:
think 900 reading for style
done --no-changes style reviewed
"""
[synthesis]
title = "Synthesis"
description = """
script:
think 200 merging the findings
done --no-changes findings merged
"""
`;

interface Progress { molecule_id: string; completed: number; total: number; steps: Array<{ issue: { id: string; status: string; metadata?: Record<string, unknown> }; status: string }> }

describe('formulas run by agents', () => {
  const tmp = tempDir('gt-formula-run-');
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    ({ root, env } = await fakeTown(tmp.dir));
    mkdirSync(join(root, 'formulas'), { recursive: true });
    writeFileSync(join(root, 'formulas', 'release-like.formula.toml'), RELEASE_LIKE);
    writeFileSync(join(root, 'formulas', 'failing-check.formula.toml'), FAILING);
    writeFileSync(join(root, 'formulas', 'review-three.formula.toml'), REVIEW3);
  }, 60_000);
  afterAll(async () => {
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  const progress = async (id: string): Promise<Progress> => {
    const r = await runBin(GT_BIN, ['mol', 'current', id, '--json'], { env });
    if (r.code !== 0) throw new Error(r.err);
    const j = JSON.parse(r.out) as Progress | Progress[];
    return Array.isArray(j) ? j[0]! : j;
  };

  it('the shell runtime works a release-like formula of run steps in a polecat, recording each output', async () => {
    const r = await runBin(GT_BIN, ['sling', 'release-like', 'app', '--agent', 'shell', '--var', 'version=1.2.3', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const slung = JSON.parse(r.out) as { bead: string; agent: { address: string } };
    const done = await waitFor(async () => { const p = await progress(slung.bead); return p.completed === p.total && p.total === 5 ? p : undefined; }, 90_000, 'the release molecule to complete');
    const db = townDb(root);
    try {
      for (const s of done.steps) {
        const comments = db.prepare('SELECT text FROM comments WHERE issue_id = ?').pluck().all(s.issue.id) as string[];
        expect(comments.join('\n'), s.issue.id).toMatch(/shell runner: `.+` exited 0/);
      }
      const testStep = done.steps.find((s) => s.issue.metadata?.step_id === 'test')!;
      expect((db.prepare('SELECT text FROM comments WHERE issue_id = ?').pluck().all(testStep.issue.id) as string[]).join('\n')).toMatch(/pass 1/);
      const worktree = db.prepare('SELECT worktree FROM agents WHERE address = ?').pluck().get(slung.agent.address) as string;
      expect(readFileSync(join(worktree, 'CHANGELOG.md'), 'utf8')).toContain('## 1.2.3');
      expect(JSON.parse(readFileSync(join(worktree, 'package.json'), 'utf8')).version).toBe('1.2.3');
      // gt done ran: the polecat handed its branch to the merge queue
      await waitFor(() => db.prepare('SELECT count(*) FROM merge_requests WHERE polecat = ?').pluck().get(slung.agent.address) as number, 30_000, 'a merge request from gt done');
    } finally {
      db.close();
    }
  }, 150_000);

  it('a failing run step escalates with its output and stays open; later steps do not run', async () => {
    const r = await runBin(GT_BIN, ['sling', 'failing-check', 'app', '--agent', 'shell', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const slung = JSON.parse(r.out) as { bead: string };
    const esc = await waitFor(async () => {
      const db = townDb(root);
      try {
        return db.prepare("SELECT * FROM escalations WHERE summary LIKE 'step lint failed%'").get() as { summary: string; detail: string; severity: string; category: string; bead_id: string } | undefined;
      } finally {
        db.close();
      }
    }, 60_000, 'the escalation of the failing step');
    expect(esc).toMatchObject({ severity: 'high', category: 'failed' });
    expect(esc.summary).toContain('exited 4');
    expect(esc.detail).toContain('lint: 3 problems in app.js');
    const p = await progress(slung.bead);
    const state = Object.fromEntries(p.steps.map((s) => [s.issue.metadata?.step_id, s.status]));
    expect(state).toEqual({ fine: 'done', lint: 'current', after: 'blocked' });
    expect(esc.bead_id).toBe(p.steps.find((s) => s.issue.metadata?.step_id === 'lint')!.issue.id);
  }, 120_000);

  it('gt formula run: three legs start three polecats; the synthesis starts only after the three closed', async () => {
    const r = await runBin(GT_BIN, ['formula', 'run', 'review-three', '--json'], { env });
    expect(r.code, r.err).toBe(0);
    const run = JSON.parse(r.out) as { molecule: string; legs: Array<{ leg: string; bead: string; slung: { agent: { address: string } } }>; synthesis: { bead: string } };
    expect(run.legs.map((l) => l.leg)).toEqual(['correctness', 'tests', 'style']);
    expect(new Set(run.legs.map((l) => l.slung.agent.address)).size).toBe(3);
    const status = (id: string) => {
      const db = townDb(root);
      try {
        return db.prepare('SELECT status FROM issues WHERE id = ?').pluck().get(id) as string;
      } finally {
        db.close();
      }
    };
    // at every look: while a leg is open, the synthesis has not started
    await waitFor(() => {
      const legs = run.legs.map((l) => status(l.bead));
      const synth = status(run.synthesis.bead);
      if (synth !== 'open' && legs.some((s) => s !== 'closed')) throw new Error(`synthesis ${synth} while legs are ${legs.join(', ')}`);
      return synth === 'closed' ? true : undefined;
    }, 120_000, 'the synthesis to run and close');
    const p = await progress(run.molecule);
    expect(p.completed).toBe(4);
    expect(existsSync(join(root, 'town.db'))).toBe(true);
  }, 180_000);
});
