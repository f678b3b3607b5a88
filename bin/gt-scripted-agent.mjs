#!/usr/bin/env node
// gt-scripted-agent: behaves like a coding agent in a terminal, with no LLM and no API key. It is
// the runtime preset `scripted` (the demo town's default agent) and the test suite's fake agent
// (test/fixtures/fake-agent.mjs runs this file).
//
// It draws a prompt, runs `gt prime --json` to learn who it is and what is on its hook, and
// follows the script in its hooked bead's description: lines after a line `script:` (or the
// whole description when it has none), one step per line:
//
//   write <path> <text…>      write a file in the worktree (\n in text becomes a newline; the
//                             text is taken as written, spaces included)
//   commit <message…>         git add -A && git commit
//   run <command…>            run a shell command in the worktree and show its output
//   output <lines>            print that many coloured lines (fast)
//   stream <lines/s> <s>      print coloured work lines at a steady rate for that long
//   think <ms> [text…]        show a spinner ("working: thinking …") for that long
//   mail <to> <subject…>      send mail (gt mail send) about the hooked bead
//   escalate <severity>[:<category>] <summary…>
//                             raise an escalation (gt escalate) about the hooked bead
//   ask <question…>           print a question and wait for an answer line on stdin
//   silent <ms>               print nothing for that long
//   fail <code>               exit with that code
//   exit <code>               exit with that code
//   done [--no-changes <reason…>]   run gt done
//   sleep <ms>                wait (used to stretch a run while tests kill things)
//   die-once <file>           the first time (no <file> yet): create it and exit 1; later runs go on
//
// Screen markers match the `fake` screen rules: `FAKE-AGENT: working …`,
// `FAKE-AGENT: question: …` then the prompt `? `, and `FAKE-AGENT: idle` then the prompt `fake> `.
// Typed input (nudges) is echoed as `FAKE-AGENT: received: <text>`; typing `prime` re-primes
// and works the hook again. Bracketed-paste markers are stripped from input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nextLine } from './agent-input.mjs';

const out = (s) => process.stdout.write(s);
const say = (s) => out(`FAKE-AGENT: ${s}\r\n`);
const gt = (args) => spawnSync('gt', args, { encoding: 'utf8', env: process.env });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const crlf = (s) => s.replace(/\r?\n/g, '\r\n');
const firstLine = (s) => (s ?? '').trim().split('\n')[0] ?? '';


/** What `gt prime --json` said, while working the hook. */
let primed;

function idle() {
  say('idle');
  out('fake> ');
}

function scriptOf(description) {
  const all = (description ?? '').split('\n');
  const at = all.findIndex((l) => l.trim().toLowerCase() === 'script:');
  return (at >= 0 ? all.slice(at + 1) : all).map((l) => l.replace(/^\s*[-*]\s*/, '').trim()).filter(Boolean);
}

/** The text after the first `n` words of a step, spacing kept. */
function after(step, n) {
  const m = new RegExp(`^(?:\\S+\\s+){${n}}`).exec(step);
  return m ? step.slice(m[0].length) : '';
}

// Lines a busy agent might print; `stream` cycles through them.
const WORK_LINES = [
  'read hello.js', 'read hello.test.js', 'grep -n "hello(" *.js', 'plan: smallest change that keeps the tests green',
  'edit: draft the change', 'think: what about an empty name?', 'read package.json', 'check: node --test finds *.test.js',
  'edit: tidy the docs comment', 'review the diff', 'think: is there a simpler way?', 'read README.md',
];
const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

async function think(ms, text) {
  const start = Date.now();
  for (let i = 0; Date.now() - start < ms; i++) {
    const s = ((Date.now() - start) / 1000).toFixed(1);
    // Like a real agent's status line: fit it to the terminal's width, so `\r` redraws it in place.
    const room = Math.max(10, (process.stdout.columns || 80) - 1);
    const head = `FAKE-AGENT: working ${SPIN[i % SPIN.length]} `;
    const tail = ` (${s}s)`;
    const body = [...text].slice(0, Math.max(1, room - head.length - tail.length)).join('');
    out(`\r\x1b[2K${head}\x1b[36m${body}\x1b[0m${tail}`);
    await sleep(Math.min(120, Math.max(1, ms - (Date.now() - start))));
  }
  out('\r\x1b[2K');
  say(`working: ${text} (${(ms / 1000).toFixed(1)}s)`);
}

async function stream(perSecond, seconds) {
  const n = Math.max(1, Math.round(perSecond * seconds));
  const gap = 1000 / Math.max(0.1, perSecond);
  const start = Date.now();
  for (let i = 0; i < n; i++) {
    const line = WORK_LINES[i % WORK_LINES.length];
    out(`\x1b[3${(i % 6) + 1}m  ▸\x1b[0m ${line} \x1b[2m${'·'.repeat(1 + (i % 12))}\x1b[0m\r\n`);
    const wait = start + (i + 1) * gap - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

function hookArgs() {
  return primed?.hook?.id ? ['--bead', primed.hook.id] : [];
}

async function run(step) {
  const [verb, ...rest] = step.split(/\s+/);
  const arg = rest.join(' ');
  switch (verb) {
    case 'write': {
      const path = rest[0] ?? 'untitled.txt';
      mkdirSync(dirname(join(process.cwd(), path)), { recursive: true });
      writeFileSync(join(process.cwd(), path), `${after(step, 2).replace(/\\n/g, '\n')}\n`);
      say(`working: wrote ${path}`);
      break;
    }
    case 'commit': {
      spawnSync('git', ['add', '-A'], { stdio: 'ignore' });
      const r = spawnSync('git', ['commit', '-q', '-m', arg || 'fake agent commit'], { encoding: 'utf8' });
      say(`working: commit ${r.status === 0 ? 'ok' : `failed: ${r.stderr.trim()}`}`);
      break;
    }
    case 'run': {
      const command = after(step, 1);
      say(`working: $ ${command}`);
      const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: process.env });
      const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd();
      if (text) out(`${crlf(text)}\r\n`);
      say(`working: $ ${command} → exit ${r.status ?? r.signal}`);
      break;
    }
    case 'output': {
      const n = Number(rest[0] ?? '100');
      for (let i = 0; i < n; i++) out(`\x1b[3${(i % 6) + 1}mFAKE-AGENT: working line ${i} ${'•'.repeat(i % 40)}\x1b[0m\r\n`);
      break;
    }
    case 'stream':
      say('working: on it');
      await stream(Number(rest[0] ?? '10'), Number(rest[1] ?? '2'));
      break;
    case 'think':
      await think(Number(rest[0] ?? '1000'), after(step, 2) || 'thinking');
      break;
    case 'mail': {
      const to = rest[0] ?? 'overseer';
      const subject = after(step, 2) || `about ${primed?.hook?.id ?? 'my work'}`;
      const body = `From ${primed?.address ?? process.env.BD_ACTOR ?? 'an agent'}${primed?.hook ? `, working on ${primed.hook.id}: ${primed.hook.title}` : ''}.`;
      const r = gt(['mail', 'send', to, `--subject=${subject}`, `--message=${body}`, ...hookArgs()]);
      say(`working: mail to ${to} ${r.status === 0 ? 'sent' : `failed (${r.status}): ${firstLine(r.stderr || r.stdout)}`}`);
      break;
    }
    case 'escalate': {
      const [severity, category] = (rest[0] ?? 'medium').split(':');
      const summary = after(step, 2) || 'I need a decision';
      const r = gt(['escalate', `--severity=${severity}`, `--category=${category || 'decision'}`, ...hookArgs(), '--', summary]);
      say(`working: escalated (${severity}) ${r.status === 0 ? firstLine(r.stdout) : `failed (${r.status}): ${firstLine(r.stderr || r.stdout)}`}`);
      break;
    }
    case 'ask': {
      say(`question: ${arg}`);
      out('? ');
      const answer = await nextLine();
      say(`working: answer was ${answer}`);
      break;
    }
    case 'silent':
    case 'sleep':
      await sleep(Number(rest[0] ?? '1000'));
      break;
    case 'fail':
    case 'exit':
      say(`${verb} ${rest[0] ?? '1'}`);
      process.exit(Number(rest[0] ?? '1'));
      break;
    case 'die-once': {
      const marker = rest[0] ?? '.die-once';
      if (!existsSync(marker)) {
        writeFileSync(marker, 'died\n');
        say('dying once');
        process.exit(1);
      }
      say('working: survived a restart');
      break;
    }
    case 'done': {
      const args = ['done', ...(rest[0] === '--no-changes' ? ['--no-changes', '--reason', rest.slice(1).join(' ') || 'nothing to change'] : [])];
      const r = gt(args);
      say(`working: gt done ${r.status === 0 ? 'ok' : `failed (${r.status}): ${(r.stderr || r.stdout).trim()}`}`);
      break;
    }
    default:
      say(`working: unknown step "${step}"`);
  }
}

async function work() {
  say('working: gt prime');
  const result = gt(['prime', '--json']);
  if (result.status !== 0) {
    say(`working: gt prime failed: ${(result.stderr || result.stdout).trim()}`);
    return;
  }
  let ctx;
  try { ctx = JSON.parse(result.stdout); } catch { say('working: gt prime gave no JSON'); return; }
  primed = ctx;
  say(`working: I am ${ctx.address}`);
  if (ctx.handoff) say(`working: handoff note: ${ctx.handoff.note}`);
  if (!ctx.hook) { say('working: nothing on my hook'); return; }
  say(`working: hooked ${ctx.hook.id}: ${ctx.hook.title}`);
  for (const step of scriptOf(ctx.hook.description)) await run(step);
}

const prompt = process.argv.slice(2).join(' ');
say(`starting${prompt ? `: ${prompt}` : ''}`);
out('\x1b]0;scripted agent\x07');
if (prompt) await work();
idle();
for (;;) {
  const text = await nextLine();
  if (text === undefined) break;
  say(`received: ${text}`);
  if (/\bprime\b/i.test(text)) await work();
  idle();
}
