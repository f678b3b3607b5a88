/**
 * Every screen of the real-CLI corpus (test/fixtures/screens/, recorded from Claude Code, Codex
 * and Gemini CLI by test/agent-clis/record.ts) replayed through the status decision: each
 * checkpoint of each recording must get its expected status with the dialog named, a dialog
 * must stay `waiting` however long nobody answers it, and a CLI that exited must be `exited`
 * with its own message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isReady, PRESETS, type BuiltInRuntime } from '../../src/core/agents/presets.js';
import { getCompiledRules, screenTail } from '../../src/core/agents/screen-rules.js';
import { decideStatus, DEFAULT_THRESHOLDS, explainStatus, type StatusSignals } from '../../src/core/agents/status.js';
import { readAsciicast, type AsciicastEvent } from '../../src/sessions/replay.js';
import { createHeadlessTerminal, screenLines, writeAndWait } from '../../src/sessions/screen.js';
import type { RecordingEntry } from '../agent-clis/record.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'screens');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RecordingEntry[];

/** The screen after the first `outputs` "o" events (resizes applied), and the time of the last one (s). */
async function screenAfter(cols: number, rows: number, events: AsciicastEvent[], outputs: number): Promise<{ lines: string[]; lastAt: number }> {
  const { term } = createHeadlessTerminal(cols, rows);
  try {
    let seen = 0;
    let lastAt = 0;
    for (const [t, code, data] of events) {
      if (code === 'r') {
        const m = /^(\d+)x(\d+)$/.exec(data);
        if (m) term.resize(Number(m[1]), Number(m[2]));
      }
      if (code !== 'o') continue;
      if (seen === outputs) break;
      await writeAndWait(term, data);
      seen++;
      lastAt = t;
    }
    return { lines: screenLines(term), lastAt };
  } finally {
    term.dispose();
  }
}

describe('the real-screen corpus', () => {
  it('covers Claude Code, Codex and Gemini CLI at 80x24 and 200x50', () => {
    for (const runtime of ['claude', 'codex', 'gemini']) {
      const sizes = new Set(manifest.filter((e) => e.runtime === runtime).map((e) => `${e.cols}x${e.rows}`));
      expect([...sizes].sort(), runtime).toEqual(['200x50', '80x24']);
    }
  });

  for (const entry of manifest) {
    it(`${entry.file}: every checkpoint gets its status`, async () => {
      const cast = readAsciicast(join(dir, entry.file));
      const preset = PRESETS[entry.runtime as BuiltInRuntime];
      const rules = getCompiledRules(preset.rules);
      let readySeen = false;
      const failures: string[] = [];
      const check = (label: string, signals: StatusSignals, want: { status: string; why: string }) => {
        const v = decideStatus(rules, signals);
        if (v.status !== want.status || !v.why.includes(want.why)) {
          failures.push(`${label}: want ${want.status} "${want.why}", got:\n  ${explainStatus(v).join('\n  ')}\n  screen (what the rules see):\n  │ ${screenTail(signals.screenLines).join('\n  │ ')}`);
        }
      };
      for (const [i, cp] of entry.checkpoints.entries()) {
        const { lines, lastAt } = await screenAfter(entry.cols, entry.rows, cast.events, cp.outputs);
        const lastOutputAt = Math.round(lastAt * 1000);
        const now = lastOutputAt + cp.quietMs;
        readySeen ||= isReady(preset, lines, cp.ageMs);
        const base: StatusSignals = {
          alive: true, startedAt: now - cp.ageMs, lastOutputAt, now, screenLines: lines, title: '', readySeen, thresholds: DEFAULT_THRESHOLDS,
        };
        check(`checkpoint ${i + 1}`, base, cp);
        if (cp.status === 'waiting') {
          // Nobody answers for longer than the stuck threshold: still waiting, never "stuck".
          const later = now + DEFAULT_THRESHOLDS.stuckMs + 1;
          check(`checkpoint ${i + 1}, unanswered for 10 min`, { ...base, now: later }, cp);
        }
      }
      if (entry.exit) {
        const { lines, lastAt } = await screenAfter(entry.cols, entry.rows, cast.events, Number.MAX_SAFE_INTEGER);
        const at = Math.round(lastAt * 1000);
        check('exit', {
          alive: false, exitCode: entry.exit.code, startedAt: 0, lastOutputAt: at, now: at + 500, screenLines: lines, title: '', readySeen, thresholds: DEFAULT_THRESHOLDS,
        }, entry.exit);
      }
      expect(entry.checkpoints.length + (entry.exit ? 1 : 0)).toBeGreaterThan(0);
      expect(failures, failures.join('\n\n')).toEqual([]);
    });
  }
});
