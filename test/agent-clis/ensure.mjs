#!/usr/bin/env node
// Installs the pinned real agent CLIs of this folder (package.json + package-lock.json) into
// <project>/node_modules/.cache/gastown-agent-clis (see paths.ts) when they are missing or out of
// date, so `npm test` on a fresh clone has them without the project's own `npm install`
// pulling ~750 MB of agent CLIs for every user. Install scripts are not run (npm 11 runs none that
// package.json's allowScripts does not approve): every CLI here runs without them.
// Exits non-zero with the reason when npm fails; tests of the real CLIs cannot run without them.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', '..', 'node_modules', '.cache', 'gastown-agent-clis'); // = paths.ts AGENT_CLIS_DIR
const lock = readFileSync(join(here, 'package-lock.json'));
const want = createHash('sha256').update(lock).update(readFileSync(join(here, 'package.json'))).digest('hex');
const stamp = join(dir, 'node_modules', '.gastown-lock-sha256');
const bins = ['claude', 'codex', 'gemini'].map((b) => join(dir, 'node_modules', '.bin', b));

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want && bins.every((b) => existsSync(b))) process.exit(0);
console.log(`installing the real agent CLIs for the tests (claude, codex, gemini) into ${dir}…`);
mkdirSync(dir, { recursive: true });
for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(here, f), join(dir, f));
try {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
} catch (e) {
  console.error(`error: npm ci in ${dir} failed (${e.message}) — the real-CLI tests need it; run it by hand to see why`);
  process.exit(1);
}
const missing = bins.filter((b) => !existsSync(b));
if (missing.length) {
  console.error(`error: after npm ci these CLIs are missing: ${missing.join(', ')}`);
  process.exit(1);
}
writeFileSync(stamp, `${want}\n`);
