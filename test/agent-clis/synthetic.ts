/**
 * Permission prompts cannot be reached offline (a model must ask for a tool first), so these
 * screens are reproduced from the strings in each CLI's own package (test/agent-clis; see
 * test/fixtures/screens/README.md) and written as asciicast files like the recorded ones:
 * `npx tsx test/agent-clis/synthetic.ts`. They are marked `synthetic` in the manifest.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordingEntry } from './record.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'screens');

interface Synthetic { runtime: 'claude' | 'codex' | 'gemini'; version: string; source: string; why: string; lines: string[] }

const SCREENS: Synthetic[] = [
  {
    runtime: 'claude', version: '2.1.197 (Claude Code)', why: 'claude: permission',
    source: 'bin/claude.exe strings "Do you want to proceed?", "Yes, and don\'t ask again for … commands in …", "No, and tell Claude what to do differently"',
    lines: [
      '╭──────────────────────────────────────────────────────────────────────────────╮',
      '│ Bash command                                                                 │',
      '│                                                                              │',
      '│   rm -rf build                                                               │',
      '│   Remove the build folder                                                    │',
      '│                                                                              │',
      '│ Do you want to proceed?                                                      │',
      '│ ❯ 1. Yes                                                                     │',
      '│   2. Yes, and don\'t ask again for rm commands in /work/app                   │',
      '│   3. No, and tell Claude what to do differently (esc)                        │',
      '╰──────────────────────────────────────────────────────────────────────────────╯',
    ],
  },
  {
    runtime: 'codex', version: 'codex-cli 0.171.0', why: 'codex: approval prompt',
    source: 'vendor/…/codex strings "Would you like to run the following command?", "Yes, just this once", "Yes, and don\'t ask again for this command in this session", "No, and tell Codex what to do differently"',
    lines: [
      '  Would you like to run the following command?',
      '',
      '  $ rm -rf build',
      '',
      '› 1. Yes, just this once (y)',
      '  2. Yes, and don\'t ask again for this command in this session (a)',
      '  3. No, and tell Codex what to do differently (esc)',
      '',
      '  Press enter to confirm or esc to cancel',
    ],
  },
  {
    runtime: 'gemini', version: '0.61.0', why: 'gemini: shell confirmation',
    source: 'bundle/*.js strings "Allow execution of", "Allow once", "Allow for this session"',
    lines: [
      '╭──────────────────────────────────────────────────────────────────────────────╮',
      '│ ?  Shell rm -rf build                                                        │',
      '│                                                                              │',
      '│ rm -rf build                                                                 │',
      '│                                                                              │',
      '│ Allow execution of: \'rm\'?                                                    │',
      '│                                                                              │',
      '│ ● 1. Allow once                                                              │',
      '│   2. Allow for this session                                                  │',
      '│   3. No, suggest changes (esc)                                               │',
      '╰──────────────────────────────────────────────────────────────────────────────╯',
    ],
  },
];

const manifestFile = join(outDir, 'manifest.json');
let entries = JSON.parse(readFileSync(manifestFile, 'utf8')) as RecordingEntry[];
for (const s of SCREENS) {
  const file = `${s.runtime}/permission-80x24.cast`;
  mkdirSync(join(outDir, s.runtime), { recursive: true });
  const header = { version: 2, width: 80, height: 24, env: { TERM: 'xterm-256color' }, title: `${s.runtime} permission prompt (synthetic, from ${s.source})` };
  const events = [[0.1, 'o', '\x1b[2J\x1b[H'], [0.2, 'o', `${s.lines.join('\r\n')}\r\n`]];
  writeFileSync(join(outDir, file), `${[header, ...events].map((l) => JSON.stringify(l)).join('\n')}\n`);
  entries = entries.filter((e) => e.file !== file);
  entries.push({
    file, runtime: s.runtime, scenario: 'permission', version: s.version, argv: [], env: {}, cols: 80, rows: 24, synthetic: s.source,
    about: `a permission prompt, reproduced from the CLI's own strings (${s.source})`,
    checkpoints: [{ status: 'waiting', why: s.why, outputs: 2, quietMs: 3000, ageMs: 120_000 }],
  });
}
entries.sort((a, b) => a.file.localeCompare(b.file));
writeFileSync(manifestFile, `${JSON.stringify(entries, null, 2)}\n`);
