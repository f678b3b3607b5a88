// Typed input for the shipped no-LLM agents (gt-scripted-agent.mjs, gt-shell-runner.mjs): each
// line typed into the session (a nudge, a person's answer) is queued, bracketed-paste markers
// stripped; nextLine() resolves with the next one.
import { createInterface } from 'node:readline';

const rl = createInterface({ input: process.stdin, terminal: false });
const lines = [];
let waiter;
rl.on('line', (raw) => {
  const text = raw.replace(/\x1b\[20[01]~/g, '').trim();
  if (waiter) { const w = waiter; waiter = undefined; w(text); } else lines.push(text);
});

/** The next typed line (waits for one). */
export const nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => { waiter = r; }));
