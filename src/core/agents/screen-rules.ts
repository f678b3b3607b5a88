/**
 * Screen rules: per-runtime regexes that read an agent's state off its terminal
 * (ARCHITECTURE.md "Agents and sessions"; gastown-features.md §3.2; peers.md §2.2).
 *
 * The rules are data, one JSON file per rules id under `./screen-rules/` (`claude.json`,
 * `codex.json`, … `generic.json`, `fake.json`), so a runtime whose UI changed is fixed by editing
 * a regex, not code. Each file has five lists — `waiting` (permission prompts, questions,
 * first-run dialogs), `working` (spinners, "esc to interrupt"), `idle` (the input prompt),
 * `error` (failure messages: a quiet agent showing one waits for a person; a dead one's exit
 * message) and
 * `title.working` / `title.idle` (over the OSC window title) — plus `animates` (the runtime redraws
 * continuously while it works). Every rule carries a `why` that `gt agents --explain` prints.
 *
 * Matching: the screen lines are right-trimmed, trailing blank lines dropped, and the last
 * {@link SCREEN_WINDOW_LINES} joined with `\n`. Every pattern is compiled with the `m` flag, so
 * `^`/`$` anchor at line boundaries and a pattern may span lines with `\n`. A rule with
 * `scope: "bottom"` counts only when its match ends on the last non-blank line (where the cursor
 * waits) — for line-oriented runtimes (aider, a shell) whose answered prompts stay on screen.
 * The files are validated with zod when this module loads; {@link compileRules} builds the RegExps.
 */
import { z } from 'zod';
import { GtError, closeMatches } from '../errors.js';
import aider from './screen-rules/aider.json' with { type: 'json' };
import amp from './screen-rules/amp.json' with { type: 'json' };
import claude from './screen-rules/claude.json' with { type: 'json' };
import codex from './screen-rules/codex.json' with { type: 'json' };
import copilot from './screen-rules/copilot.json' with { type: 'json' };
import cursor from './screen-rules/cursor.json' with { type: 'json' };
import fake from './screen-rules/fake.json' with { type: 'json' };
import gemini from './screen-rules/gemini.json' with { type: 'json' };
import generic from './screen-rules/generic.json' with { type: 'json' };
import opencode from './screen-rules/opencode.json' with { type: 'json' };
import shell from './screen-rules/shell.json' with { type: 'json' };

/** How many of the last non-blank screen lines the rules look at. */
export const SCREEN_WINDOW_LINES = 15;

/** One rule as written in a rules file. */
const ScreenRuleSchema = z
  .strictObject({
    /** JavaScript regex source (no slashes). Compiled with `m` always on. */
    pattern: z.string().min(1),
    /** Extra regex flags from `i`, `m`, `s`, `u` (`g`/`y` are stateful and not allowed). */
    flags: z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s, u').optional(),
    /** Why this match means the state, shown by `gt agents --explain` ("permission prompt"). */
    why: z.string().min(1),
    /** `screen` (default): anywhere in the window; `bottom`: the match must end on the last line. */
    scope: z.enum(['screen', 'bottom']).optional(),
  })
  .superRefine((rule, ctx) => {
    try {
      new RegExp(rule.pattern, withMultiline(rule.flags));
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regex: ${(e as Error).message}` });
    }
  });

/** One screen rule: a regex, its flags, its scope and why it means what it means. */
export type ScreenRule = z.output<typeof ScreenRuleSchema>;

/** Schema of a rules file (`src/core/agents/screen-rules/<id>.json`). */
export const ScreenRulesSchema = z.strictObject({
  /** Rules id, the file's base name; presets refer to it (`RuntimePreset.rules`). */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
  /** Which runtime the rules are for and where the patterns come from. */
  about: z.string().optional(),
  /**
   * True when the runtime redraws continuously while it works (an animated spinner or a ticking
   * timer), so quiet output with no recognised prompt means it has stopped working.
   */
  animates: z.boolean().default(false),
  /** Prompts that need a human: permission prompts, questions, first-run dialogs. */
  waiting: z.array(ScreenRuleSchema),
  /** Signs of work in progress: spinners, "esc to interrupt", "Thinking…". */
  working: z.array(ScreenRuleSchema),
  /** The runtime's input prompt, visible when it waits for its next instruction. */
  idle: z.array(ScreenRuleSchema),
  /**
   * Failure messages the CLI prints ("This request failed", "Failed to connect to …"): on a
   * quiet screen with no working indicator they mean the agent stopped on an error and needs a
   * person (`waiting`); once the process is gone the matching line is its exit message.
   */
  error: z.array(ScreenRuleSchema).default([]),
  /** Rules over the OSC window title. */
  title: z
    .strictObject({
      /** Title while working (e.g. a spinner frame). */
      working: z.array(ScreenRuleSchema).default([]),
      /** Title while idle. */
      idle: z.array(ScreenRuleSchema).default([]),
    })
    .prefault({}),
});

/** A validated rules file. */
export type ScreenRules = z.output<typeof ScreenRulesSchema>;

/**
 * Validate a rules document (a built-in file or, later, a user's own).
 *
 * @param data the parsed JSON.
 * @param source where it came from, for the message (a file path or a rules id).
 * @throws GtError CONFIG_INVALID naming the source, the first bad key path and what was wrong.
 */
export function parseScreenRules(data: unknown, source: string): ScreenRules {
  const r = ScreenRulesSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const at = issue.path.length ? issue.path.join('.') : '(top level)';
  throw new GtError('CONFIG_INVALID', `screen rules ${source}: ${at}: ${issue.message}`, {
    fix: 'fix the rule in the rules file (see src/core/agents/screen-rules.ts for the format)',
    details: { source, key: at, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

const RAW: Record<string, unknown> = { aider, amp, claude, codex, copilot, cursor, fake, gemini, generic, opencode, shell };

const BUILT_IN = new Map<string, ScreenRules>();
for (const [id, data] of Object.entries(RAW)) {
  const rules = parseScreenRules(data, `${id}.json`);
  if (rules.id !== id) throw new GtError('CONFIG_INVALID', `screen rules ${id}.json: id is "${rules.id}", expected "${id}"`);
  BUILT_IN.set(id, rules);
}

/** Ids of the built-in rules files, sorted. */
export const SCREEN_RULE_IDS: readonly string[] = [...BUILT_IN.keys()].sort();

/**
 * The built-in rules with this id.
 *
 * @throws GtError INVALID_VALUE `unknown screen rules "x"`, with the known ids and close matches.
 */
export function getScreenRules(id: string): ScreenRules {
  const rules = BUILT_IN.get(id);
  if (rules) return rules;
  const near = closeMatches(id, SCREEN_RULE_IDS);
  throw new GtError('INVALID_VALUE', `unknown screen rules "${id}"`, {
    fix: `use one of: ${SCREEN_RULE_IDS.join(', ')}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`,
    details: { known: SCREEN_RULE_IDS, suggestions: near },
  });
}

/** One compiled rule. */
export interface CompiledRule {
  /** The compiled regex (`m` flag on; `bottom` rules wrapped to end on the last line). */
  re: RegExp;
  /** The rule's `why`. */
  why: string;
  /** The rule's pattern as written in the file. */
  pattern: string;
}

/** A rules file compiled for matching; build once per session, reuse on every tick. */
export interface CompiledRules {
  /** Rules id. */
  id: string;
  /** See {@link ScreenRules} `animates`. */
  animates: boolean;
  /** Compiled `waiting` rules, in file order. */
  waiting: CompiledRule[];
  /** Compiled `working` rules. */
  working: CompiledRule[];
  /** Compiled `idle` rules. */
  idle: CompiledRule[];
  /** Compiled `error` rules. */
  error: CompiledRule[];
  /** Compiled title rules. */
  title: { working: CompiledRule[]; idle: CompiledRule[] };
}

function withMultiline(flags = ''): string {
  return flags.includes('m') ? flags : `${flags}m`;
}

function compileOne(rule: ScreenRule): CompiledRule {
  // "(?![\s\S]*\n)" after the match: no line break follows, so the match ends on the last line.
  const source = rule.scope === 'bottom' ? `(?:${rule.pattern})(?![\\s\\S]*\\n)` : rule.pattern;
  return { re: new RegExp(source, withMultiline(rule.flags)), why: rule.why, pattern: rule.pattern };
}

/**
 * Compile a rules file.
 *
 * @throws SyntaxError only for rules that bypassed {@link parseScreenRules} (which checks every regex).
 */
export function compileRules(rules: ScreenRules): CompiledRules {
  const all = (list: ScreenRule[]) => list.map(compileOne);
  return {
    id: rules.id,
    animates: rules.animates,
    waiting: all(rules.waiting),
    working: all(rules.working),
    idle: all(rules.idle),
    error: all(rules.error),
    title: { working: all(rules.title.working), idle: all(rules.title.idle) },
  };
}

const compiledCache = new Map<string, CompiledRules>();

/** {@link compileRules} of {@link getScreenRules}, cached per id. @throws GtError INVALID_VALUE. */
export function getCompiledRules(id: string): CompiledRules {
  let c = compiledCache.get(id);
  if (!c) compiledCache.set(id, (c = compileRules(getScreenRules(id))));
  return c;
}

/**
 * The part of the screen the rules see: lines right-trimmed, trailing blank lines dropped, the
 * last `n` kept.
 *
 * @param lines screen rows, top to bottom (from the headless terminal).
 * @param n how many lines to keep (default {@link SCREEN_WINDOW_LINES}).
 */
export function screenTail(lines: readonly string[], n = SCREEN_WINDOW_LINES): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(Math.max(0, end - n), end).map((l) => l.trimEnd());
}

/** A rule that matched, for status verdicts and `--explain`. */
export interface RuleHit {
  /** The rule's `why`. */
  why: string;
  /** The rule's pattern. */
  pattern: string;
  /** The screen line (or title) where the match starts, trimmed, at most 80 characters. */
  text: string;
}

/** Which rule, if any, matched in each list; the first matching rule of a list wins. */
export interface ScreenMatch {
  /** First matching `waiting` rule. */
  waiting?: RuleHit;
  /** First matching `working` rule. */
  working?: RuleHit;
  /** First matching `idle` rule. */
  idle?: RuleHit;
  /** First matching `error` rule. */
  error?: RuleHit;
  /** First matching `title.working` rule. */
  titleWorking?: RuleHit;
  /** First matching `title.idle` rule. */
  titleIdle?: RuleHit;
}

function firstHit(rules: CompiledRule[], text: string): RuleHit | undefined {
  if (!text) return undefined;
  for (const r of rules) {
    const m = r.re.exec(text);
    if (m) {
      // The whole screen line where the match starts (skipping blank lines the match crossed).
      const lines = text.slice(text.lastIndexOf('\n', m.index - 1) + 1).split('\n');
      const t = (lines.find((l) => l.trim() !== '') ?? m[0]).trim();
      return { why: r.why, pattern: r.pattern, text: t.length > 80 ? `${t.slice(0, 79)}…` : t };
    }
  }
  return undefined;
}

/**
 * Run compiled rules over a screen and its title.
 *
 * @param rules compiled rules ({@link compileRules}).
 * @param lines screen rows, top to bottom; only the {@link screenTail} is read.
 * @param title the OSC window title ('' when none was set).
 */
export function matchScreen(rules: CompiledRules, lines: readonly string[], title: string): ScreenMatch {
  const text = screenTail(lines).join('\n');
  const out: ScreenMatch = {};
  const hits: Array<[keyof ScreenMatch, CompiledRule[], string]> = [
    ['waiting', rules.waiting, text],
    ['working', rules.working, text],
    ['idle', rules.idle, text],
    ['error', rules.error, text],
    ['titleWorking', rules.title.working, title],
    ['titleIdle', rules.title.idle, title],
  ];
  for (const [key, list, subject] of hits) {
    const hit = firstHit(list, subject);
    if (hit) out[key] = hit;
  }
  return out;
}
