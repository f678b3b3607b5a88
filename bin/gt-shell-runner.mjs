#!/usr/bin/env node
// The `shell` runtime: a step runner with no LLM. Started by the daemon in a polecat's worktree
// like any agent, it works the molecule on the polecat's hook one step at a time:
//
//   - takes the current step (or claims the first ready one),
//   - runs the step's `run` command (formula key `run`, kept in the step bead's metadata) with
//     `sh -c` in the worktree, showing its output live,
//   - records the command, exit code and the tail of its output on the step bead (a comment),
//   - on exit 0 closes the step with `gt bd close <step> --continue` (which claims the next one),
//   - on failure escalates (severity high, category failed) with the output, and waits;
//   - a step with no `run` (a person's step, a gate, an agent's step) is escalated, and it waits;
//   - when every step is closed it runs `gt done` (or `gt done --no-changes` when nothing was
//     committed) and waits at its prompt.
//
// At the prompt `steps$ ` typing `retry` runs the failed or waiting step again (after a person
// fixed things); typing `prime` starts over from the hook. Screen markers: `SHELL-RUNNER: …`.
import { spawn, spawnSync } from 'node:child_process';
import { nextLine } from './agent-input.mjs';

const out = (s) => process.stdout.write(s);
const say = (s) => out(`SHELL-RUNNER: ${s}\r\n`);
const OUTPUT_TAIL_BYTES = 4000;

/** Run gt with arguments (an argument vector: bead text never reaches a shell). */
function gt(args) {
  const r = spawnSync('gt', args, { encoding: 'utf8', env: process.env });
  return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

function gtJson(args) {
  const r = gt([...args, '--json']);
  if (r.code !== 0) throw new Error((r.err || r.out).trim().split('\n')[0] || `gt ${args.join(' ')} failed`);
  return JSON.parse(r.out);
}


/** The molecule on this agent's hook, in beads' `bd mol current --json` shape, or undefined. */
function currentMolecule() {
  const list = gtJson(['mol', 'current']);
  return Array.isArray(list) ? list[0] : list;
}

/** Run one command, streaming its output; resolves to { code, tail }. */
function runCommand(command) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: process.cwd(), env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (chunk) => {
      const text = chunk.toString('utf8');
      out(text.replace(/\r?\n/g, '\r\n'));
      tail = (tail + text).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => resolve({ code: 127, tail: `${tail}${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), tail }));
  });
}

function record(step, command, code, tail) {
  const text = `shell runner: \`${command}\` exited ${code}\n\n\`\`\`\n${tail.trimEnd() || '(no output)'}\n\`\`\``;
  gt(['bd', 'comment', step.id, text]);
}

function escalate(step, summary, detail, category) {
  const r = gt(['escalate', summary, '--severity', 'high', '--category', category, '--bead', step.id, '--detail', detail]);
  say(r.code === 0 ? `escalated: ${summary}` : `could not escalate: ${(r.err || r.out).trim()}`);
}

async function waitForRetry(why) {
  say(`waiting: ${why}`);
  say('type `retry` to run it again (after fixing it), or `prime` to start over');
  for (;;) {
    out('steps$ ');
    const line = await nextLine();
    if (line === 'retry' || line === 'prime') return line;
    if (line) say(`received: ${line}`);
  }
}

/** Done: wait at the prompt until `prime` (new work on the hook) starts over. */
async function idle() {
  say('idle');
  for (;;) {
    out('steps$ ');
    const line = await nextLine();
    if (line === 'prime') return;
    if (line) say(`received: ${line}`);
  }
}

function finish() {
  let r = gt(['done']);
  if (r.code !== 0 && /nothing|no commits|no changes/i.test(r.err + r.out)) r = gt(['done', '--no-changes', 'every step of the molecule ran; nothing to commit']);
  say(r.code === 0 ? 'gt done ok' : `gt done failed: ${(r.err || r.out).trim().split('\n')[0]}`);
}

async function work() {
  for (;;) {
    let mol;
    try {
      mol = currentMolecule();
    } catch (e) {
      { await waitForRetry(`no molecule on the hook (${e.message})`); continue; }
    }
    if (!mol) { await waitForRetry('no molecule on the hook: sling a formula with steps that have `run`'); continue; }
    let step = mol.current_step;
    if (!step && mol.next_step) {
      const claimed = gt(['bd', 'update', mol.next_step.id, '--claim']);
      if (claimed.code !== 0) { await waitForRetry(`could not claim ${mol.next_step.id}: ${(claimed.err || claimed.out).trim()}`); continue; }
      step = mol.next_step;
    }
    if (!step) {
      if (mol.total > 0 && mol.completed === mol.total) {
        say(`molecule ${mol.molecule_id} complete: ${mol.completed}/${mol.total} steps`);
        finish();
        await idle();
        continue;
      }
      const blocked = mol.steps.filter((s) => s.status !== 'done').map((s) => s.issue.id).join(', ');
      { await waitForRetry(`no step can run now (${blocked || 'none left'})`); continue; }
    }
    const meta = step.metadata ?? {};
    const label = `${meta.step_id ?? step.id}: ${step.title}`;
    if (!meta.run) {
      escalate(step, `step ${meta.step_id ?? step.id} needs someone: it has no run command`, `${step.title}\n\n${step.description ?? ''}`.slice(0, 4000), 'help');
      await waitForRetry(`${label} has no run command`);
      continue;
    }
    say(`working: ${label}`);
    say(`$ ${meta.run}`);
    const { code, tail } = await runCommand(meta.run);
    record(step, meta.run, code, tail);
    if (code !== 0) {
      say(`failed: ${label} (exit ${code})`);
      escalate(step, `step ${meta.step_id ?? step.id} failed: \`${meta.run}\` exited ${code}`, tail.slice(-OUTPUT_TAIL_BYTES), 'failed');
      await waitForRetry(`${label} failed`);
      continue;
    }
    say(`ok: ${label}`);
    const next = gtJson(['bd', 'close', step.id, '--continue', '--reason', `ran \`${meta.run}\`: exit 0`]);
    const cont = next.continue ?? next;
    if (cont?.molecule_complete) {
      say(`molecule ${cont.molecule_id} complete: ${cont.completed}/${cont.total} steps`);
      finish();
      await idle();
    }
  }
}

say('starting: the shell step runner (no LLM)');
work().catch((e) => {
  say(`error: ${e.message}`);
  process.exitCode = 1;
});
