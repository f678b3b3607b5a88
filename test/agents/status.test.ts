import { describe, expect, it } from 'vitest';
import { getCompiledRules } from '../../src/core/agents/screen-rules.js';
import {
  AGENT_STATUSES, DEFAULT_THRESHOLDS, decideStatus, explainStatus, formatDuration, type AgentStatus, type StatusSignals,
} from '../../src/core/agents/status.js';

const NOW = 1_700_000_000_000;
const S = 1000;
const MIN = 60 * S;

// Screens (see screen-rules.test.ts for more shapes).
const CLAUDE_PERMISSION = ' Do you want to proceed?\n ❯ 1. Yes\n   2. No, and tell Claude what to do differently (esc)';
const CLAUDE_TRUST = ' Do you trust the files in this folder?\n\n ❯ 1. Yes, proceed\n   2. No, exit';
const CLAUDE_SPINNER = '✻ Pondering… (12s · esc to interrupt)\n────────\n❯\n────────';
const CLAUDE_IDLE = '⏺ Done.\n\n✻ Worked for 1m 12s\n────────\n❯ \n────────\n  ? for shortcuts';
const CLAUDE_STALE_SPINNER = '✻ Seasoning… (44s · ↓ 247 tokens)\n\n⏺ All tests pass.\n────────\n❯\n────────';
const CLAUDE_UNKNOWN = '⏺ Reading files\n  some unrecognised UI';
const FAKE_WORKING = 'FAKE-AGENT: working\nrunning the test suite';
const FAKE_QUESTION = 'FAKE-AGENT: working\nFAKE-AGENT: question: Which branch should I use?\n? ';
const FAKE_IDLE = 'FAKE-AGENT: idle\nfake> ';
const SHELL_RUNNING = 'alice@box:~/app$ make test';

/** A ready, alive agent started 2 min ago whose last output was 5 s ago; override per case. */
function signals(over: Partial<StatusSignals> & { screen?: string } = {}): StatusSignals {
  const { screen = '', ...rest } = over;
  return {
    alive: true, startedAt: NOW - 2 * MIN, lastOutputAt: NOW - 5 * S, now: NOW, screenLines: screen.split('\n'), title: '',
    readySeen: true, thresholds: { ...DEFAULT_THRESHOLDS }, ...rest,
  };
}

interface Case { name: string; rules: string; s: StatusSignals; status: AgentStatus; why?: RegExp; decided?: string[] }

const CASES: Case[] = [
  // 1. exited
  { name: 'dead with a code', rules: 'claude', s: signals({ alive: false, exitCode: 1, exitReason: 'signal SIGTERM' }), status: 'exited', why: /code 1 \(signal SIGTERM\)/, decided: ['process'] },
  { name: 'dead, code unknown', rules: 'claude', s: signals({ alive: false }), status: 'exited', why: /process exited$/ },
  { name: 'dead beats a waiting prompt still on screen', rules: 'claude', s: signals({ alive: false, exitCode: 0, screen: CLAUDE_PERMISSION }), status: 'exited' },
  { name: 'dead beats a fresh hook', rules: 'claude', s: signals({ alive: false, hookEvent: { kind: 'working', at: NOW - S } }), status: 'exited' },
  // 2. hooks
  { name: 'fresh hook waiting beats an idle prompt', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, hookEvent: { kind: 'waiting', at: NOW - 2 * S } }), status: 'waiting', why: /hook/, decided: ['hook'] },
  { name: 'fresh hook stop beats a spinner left on screen', rules: 'claude', s: signals({ screen: CLAUDE_SPINNER, lastOutputAt: NOW - 3 * S, hookEvent: { kind: 'stop', at: NOW - 3 * S } }), status: 'idle', why: /turn ended/ },
  { name: 'fresh hook idle', rules: 'claude', s: signals({ hookEvent: { kind: 'idle', at: NOW - S } }), status: 'idle' },
  { name: 'fresh hook working beats an idle prompt', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, hookEvent: { kind: 'working', at: NOW - 4 * S } }), status: 'working', decided: ['hook'] },
  { name: 'fresh hook working beats a waiting prompt (screen is older)', rules: 'claude', s: signals({ screen: CLAUDE_PERMISSION, hookEvent: { kind: 'working', at: NOW - S } }), status: 'working' },
  { name: 'fresh hook working, silent past stuckMs', rules: 'claude', s: signals({ lastOutputAt: NOW - 12 * MIN, hookEvent: { kind: 'working', at: NOW - 11 * MIN } }), status: 'stuck', why: /nothing was printed since/ },
  { name: 'stale hook stop is ignored; the spinner with recent output says working', rules: 'claude', s: signals({ screen: CLAUDE_SPINNER, lastOutputAt: NOW - 200, hookEvent: { kind: 'stop', at: NOW - 10 * S } }), status: 'working', decided: ['output', 'screen.working'] },
  { name: 'stale hook waiting is ignored; quiet at the idle prompt', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, lastOutputAt: NOW - 3 * S, hookEvent: { kind: 'waiting', at: NOW - 30 * S } }), status: 'idle' },
  { name: 'stale hook working is ignored; the screen shows a permission prompt', rules: 'claude', s: signals({ screen: CLAUDE_PERMISSION, hookEvent: { kind: 'working', at: NOW - 20 * S } }), status: 'waiting', decided: ['screen.waiting'] },
  // 3. waiting
  { name: 'permission prompt with recent output', rules: 'claude', s: signals({ screen: CLAUDE_PERMISSION, lastOutputAt: NOW - 100 }), status: 'waiting', why: /Do you want to proceed\?/ },
  { name: 'permission prompt beats a spinner', rules: 'claude', s: signals({ screen: `${CLAUDE_SPINNER}\n${CLAUDE_PERMISSION}`, lastOutputAt: NOW - 100 }), status: 'waiting' },
  { name: 'permission prompt quiet for 30 min is waiting, not stuck', rules: 'claude', s: signals({ screen: CLAUDE_PERMISSION, lastOutputAt: NOW - 30 * MIN }), status: 'waiting' },
  { name: 'trust dialog during startup is waiting, not starting', rules: 'claude', s: signals({ screen: CLAUDE_TRUST, readySeen: false, startedAt: NOW - 3 * S, lastOutputAt: NOW - 2 * S }), status: 'waiting', why: /trust/ },
  { name: 'fake agent question', rules: 'fake', s: signals({ screen: FAKE_QUESTION }), status: 'waiting', why: /Which branch should I use\?/ },
  // 4. starting
  { name: 'starting: no ready prompt, within startupMs', rules: 'claude', s: signals({ readySeen: false, startedAt: NOW - 5 * S, lastOutputAt: NOW - 100, screen: 'Welcome to Claude Code' }), status: 'starting', decided: ['startup'] },
  { name: 'starting but already working on its prompt', rules: 'claude', s: signals({ readySeen: false, startedAt: NOW - 5 * S, lastOutputAt: NOW - 100, screen: CLAUDE_SPINNER }), status: 'working', why: /before the ready prompt/ },
  // 5. working by output
  { name: 'recent output, nothing recognised', rules: 'claude', s: signals({ screen: CLAUDE_UNKNOWN, lastOutputAt: NOW - 500 }), status: 'working', decided: ['output'] },
  // an animating runtime shows an indicator while it works: a prompt being redrawn is not work
  { name: 'recent output at the idle prompt of an animating runtime is idle (no evidence of work)', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, lastOutputAt: NOW - 1500 }), status: 'idle', why: /redrawn 1\.5 s ago at the/ },
  { name: 'recent output at the prompt of a line-oriented runtime is working', rules: 'shell', s: signals({ screen: ['$ make', 'building', '$'].join('\n'), lastOutputAt: NOW - 500 }), status: 'working' },
  // 5b. an error on the screen with no working indicator
  { name: 'an API error above the prompt waits for a person', rules: 'claude', s: signals({ screen: ['❯ say hi', '', '● API Error: Unable to connect to API (ConnectionRefused)', '', '❯ '].join('\n'), lastOutputAt: NOW - 3 * S }), status: 'waiting', why: /claude: API error/, decided: ['screen.error', 'output'] },
  { name: 'an old error above a working spinner is working', rules: 'gemini', s: signals({ screen: ['ℹ This request failed. Press F12 for diagnostics', '> say hi again', ' ⠸ Thinking... (esc to cancel, 4s)'].join('\n'), lastOutputAt: NOW - 100 }), status: 'working' },
  { name: 'not ready after startupMs but printing', rules: 'claude', s: signals({ readySeen: false, startedAt: NOW - 90 * S, lastOutputAt: NOW - 100 }), status: 'working' },
  // 6. idle
  { name: 'quiet at the idle prompt', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, lastOutputAt: NOW - 3 * S }), status: 'idle', decided: ['output', 'screen.idle'] },
  { name: 'quiet with a stale spinner above the prompt is idle', rules: 'claude', s: signals({ screen: CLAUDE_STALE_SPINNER, lastOutputAt: NOW - 3 * S }), status: 'idle' },
  { name: 'quiet at the idle prompt for 20 min is idle, not stuck', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, lastOutputAt: NOW - 20 * MIN }), status: 'idle' },
  { name: 'idle from the title alone', rules: 'claude', s: signals({ screen: CLAUDE_UNKNOWN, title: '✳ Fix flaky test' }), status: 'idle', decided: ['output', 'title'] },
  { name: 'fake agent idle', rules: 'fake', s: signals({ screen: FAKE_IDLE }), status: 'idle' },
  { name: 'custom quietMs', rules: 'claude', s: signals({ screen: CLAUDE_IDLE, lastOutputAt: NOW - 700, thresholds: { ...DEFAULT_THRESHOLDS, quietMs: 500 } }), status: 'idle' },
  // 7. startup stall
  { name: 'no ready prompt after startupMs and quiet', rules: 'claude', s: signals({ readySeen: false, startedAt: NOW - 90 * S, lastOutputAt: NOW - 30 * S, screen: CLAUDE_UNKNOWN }), status: 'stuck', why: /no ready prompt/, decided: ['output', 'startup'] },
  // 8. stuck
  { name: 'quiet past stuckMs with no prompt', rules: 'shell', s: signals({ screen: SHELL_RUNNING, lastOutputAt: NOW - 11 * MIN }), status: 'stuck', why: /no output for 11 min/ },
  { name: 'quiet past stuckMs with a frozen working indicator', rules: 'fake', s: signals({ screen: FAKE_WORKING, lastOutputAt: NOW - 11 * MIN }), status: 'stuck' },
  // 9–11. quiet, no prompt
  { name: 'quiet with a working indicator', rules: 'fake', s: signals({ screen: FAKE_WORKING, lastOutputAt: NOW - 30 * S }), status: 'working', decided: ['output', 'screen.working'] },
  { name: 'quiet with a working title', rules: 'claude', s: signals({ screen: CLAUDE_UNKNOWN, title: '⠐ Fix flaky test' }), status: 'working', decided: ['output', 'title'] },
  { name: 'animating runtime quiet with nothing recognised is idle', rules: 'claude', s: signals({ screen: CLAUDE_UNKNOWN, lastOutputAt: NOW - 30 * S }), status: 'idle', why: /animates/ },
  { name: 'line-oriented runtime quiet with no prompt is working (a silent command)', rules: 'shell', s: signals({ screen: SHELL_RUNNING, lastOutputAt: NOW - 30 * S }), status: 'working', why: /silent command/ },
];

describe('decideStatus', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const v = decideStatus(getCompiledRules(c.rules), c.s);
    expect({ status: v.status, why: v.why }).toMatchObject({ status: c.status });
    if (c.why) expect(v.why).toMatch(c.why);
    if (c.decided) expect(v.signals.filter((s) => s.decided).map((s) => s.name).sort()).toEqual([...c.decided].sort());
  });

  it('covers every status', () => {
    const seen = new Set(CASES.map((c) => c.status));
    expect([...seen].sort()).toEqual([...AGENT_STATUSES].sort());
  });

  it('lists every signal in a fixed order, with values', () => {
    const v = decideStatus(getCompiledRules('claude'), signals({ screen: CLAUDE_PERMISSION, title: 'x', hookEvent: { kind: 'stop', at: NOW - 9 * S } }));
    expect(v.signals.map((s) => s.name)).toEqual(['process', 'hook', 'screen.waiting', 'screen.working', 'screen.idle', 'screen.error', 'title', 'output', 'startup']);
    expect(v.signals[1]!.value).toMatch(/^stop 9\.0 s ago, stale: output came 4\.0 s later/);
    expect(v.signals[2]!.value).toContain('"Do you want to proceed?"');
  });

  it('uses the thresholds it is given', () => {
    const rules = getCompiledRules('shell');
    const s = signals({ screen: SHELL_RUNNING, lastOutputAt: NOW - 90 * S });
    expect(decideStatus(rules, s).status).toBe('working');
    expect(decideStatus(rules, { ...s, thresholds: { ...DEFAULT_THRESHOLDS, stuckMs: MIN } }).status).toBe('stuck');
  });
});

describe('explainStatus', () => {
  it('prints the verdict, then every signal with * on the deciding ones', () => {
    const lines = explainStatus(decideStatus(getCompiledRules('claude'), signals({ screen: CLAUDE_PERMISSION })));
    expect(lines[0]).toMatch(/^waiting — .*"Do you want to proceed\?"$/);
    expect(lines).toHaveLength(10);
    expect(lines.find((l) => l.includes('screen.waiting'))).toMatch(/^ {2}\* screen\.waiting/);
    expect(lines.find((l) => l.includes('process'))).toMatch(/^ {4}process\s+alive$/);
  });
});

describe('exit messages', () => {
  it('an exited CLI is exited with its own words: the error line, else its last lines', () => {
    const dead = (screen: string[]) => decideStatus(getCompiledRules('claude'), signals({ alive: false, exitCode: 1, screen: screen.join('\n') }));
    expect(dead([' Unable to connect to Anthropic services', '', ' Failed to connect to api.anthropic.com: ENOTFOUND', '', ' Please check your internet connection']).why)
      .toBe('process exited with code 1: "Failed to connect to api.anthropic.com: ENOTFOUND"');
    expect(dead(['starting', 'fatal: something odd', '']).why).toBe('process exited with code 1: "starting fatal: something odd"');
    expect(dead([]).why).toBe('process exited with code 1');
  });
});

describe('formatDuration', () => {
  it.each([[400, '0.4 s'], [12_000, '12 s'], [185_000, '3 min 5 s'], [600_000, '10 min'], [7_800_000, '2 h 10 min'], [-5, '0.0 s']])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('stuck before the ready prompt', () => {
  it('a runtime working from its argv prompt that goes silent past stuckMs is stuck, not working', () => {
    const now = 100_000;
    const base = {
      alive: true, startedAt: now - 20_000, now, title: '', readySeen: false,
      screenLines: ['FAKE-AGENT: starting', 'FAKE-AGENT: working: hooked app-x'],
      thresholds: { quietMs: 500, stuckMs: 1500, startupMs: 60_000 },
    };
    expect(decideStatus(getCompiledRules('fake'), { ...base, lastOutputAt: now - 200 }).status).toBe('working');
    expect(decideStatus(getCompiledRules('fake'), { ...base, lastOutputAt: now - 5_000 }).status).toBe('stuck');
  });
});
