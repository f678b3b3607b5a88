/**
 * Town identity and settings files, validated with zod (gastown-features.md §2.4).
 *
 * - `town.json` ({@link TownJson}): who the town is.
 * - `settings/config.json` ({@link TownSettings}): town-wide settings.
 * - `<rig>/settings/config.json` ({@link RigSettings}): one rig's settings.
 *
 * Objects are strict (an unknown key is an error, so a typo never silently does nothing), and
 * every error names the file, the dotted key path, what was wrong and how to fix it. Keys are
 * addressed with dots (`ledger.export_debounce_ms`, `merge_queue.gates.lint.cmd`) by
 * {@link getSetting}, {@link setSetting} and {@link unsetSetting}.
 */
import { z } from 'zod';
import { CustomAgentSchema } from '../agents/presets.js';
import { GtError, closeMatches } from '../errors.js';

/** `town.json`: the town's identity. The town ledger's prefix is always `hq`. */
export const TownJsonSchema = z.strictObject({
  /** Always `"town"`. */
  type: z.literal('town'),
  /** File format version. */
  version: z.literal(1),
  /** Display name (defaults to the directory name). */
  name: z.string().min(1),
  /** The human who owns the town (git `user.email`, else `$USER`). */
  owner: z.string().min(1),
  /** ISO-8601 creation time. */
  created_at: z.string().min(1),
  /** Bead prefix of the town ledger. */
  prefix: z.literal('hq'),
});
/** Parsed `town.json`. */
export type TownJson = z.infer<typeof TownJsonSchema>;

/** Ledger export settings of a town (the git copy of the ledger, ARCHITECTURE.md). */
const LedgerSchema = z.strictObject({
  /** Export `.beads/issues.jsonl` after changes. */
  auto_export: z.boolean().default(true),
  /** Wait this long after the last change before exporting, in ms (0..600,000). */
  export_debounce_ms: z.number().int().min(0).max(600_000).default(1500),
  /** Commit the exported ledger in the town repo. */
  auto_commit: z.boolean().default(true),
  /** Git remote to push the ledger to, if any. */
  remote: z.string().min(1).optional(),
});

/** Time thresholds of agent status detection, in ms (core/agents/status.ts). */
const AgentStatusSchema = z.strictObject({
  /** Output quiet this long → no longer "working" by output. */
  quiet_ms: z.number().int().min(100).max(600_000).default(2000),
  /** Quiet this long with no idle or waiting prompt → stuck. */
  stuck_ms: z.number().int().min(1000).max(86_400_000).default(600_000),
  /** No ready prompt this long after start → a startup stall. */
  startup_ms: z.number().int().min(1000).max(3_600_000).default(60_000),
});

/** Sessions the daemon hosts. */
const SessionsSchema = z.strictObject({
  /** Terminal width of new sessions, in cells. */
  cols: z.number().int().min(20).max(1000).default(120),
  /** Terminal height of new sessions, in cells. */
  rows: z.number().int().min(5).max(500).default(40),
  /** Lines of scrollback kept per session. */
  scrollback: z.number().int().min(0).max(1_000_000).default(10_000),
  /** Record every session as asciicast v2 under logs/sessions/. */
  record: z.boolean().default(true),
});

/** Escalation severities, most urgent first (Gas Town `gt escalate -s`). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** An escalation severity. */
export type Severity = (typeof SEVERITIES)[number];

const perSeverity = <T extends z.ZodType>(value: T, defaults: Record<Severity, z.input<T>>) =>
  z.strictObject(Object.fromEntries(SEVERITIES.map((s) => [s, value.default(defaults[s] as never)])) as Record<Severity, z.ZodDefault<T>>).prefault({});

/** Where escalations go and when an unacknowledged one moves up (issue #5). */
const EscalationSchema = z.strictObject({
  /** Per severity, the addresses it is routed through in order (`mayor`, `deacon`, `overseer`, `<rig>/witness`…). */
  routes: perSeverity(z.array(z.string().min(1)).min(1), {
    critical: ['mayor', 'overseer'], high: ['mayor', 'overseer'], medium: ['mayor', 'overseer'], low: ['mayor'],
  }),
  /** Per severity, how long an unacknowledged escalation waits at one level before moving up, in ms. */
  reescalate_ms: perSeverity(z.number().int().min(1000), { critical: 300_000, high: 900_000, medium: 3_600_000, low: 14_400_000 }),
});

/** The witness patrol's thresholds (issue #5). */
const WitnessSchema = z.strictObject({
  /** Waiting for input this long → an escalation with the screen, in ms. */
  waiting_ms: z.number().int().min(0).default(120_000),
  /** After a stuck agent was nudged, wait this long before a handoff restart, in ms. */
  stuck_nudge_wait_ms: z.number().int().min(0).default(120_000),
  /** After the handoff restart, wait this long (still stuck) before escalating, in ms. */
  stuck_handoff_wait_ms: z.number().int().min(0).default(300_000),
  /** Restarts of a session that exited with work on its hook, per bead, before escalating. */
  max_restarts: z.number().int().min(0).max(100).default(3),
  /** Run the witness at all. */
  enabled: z.boolean().default(true),
});

/** Capacity governor (issue #5). */
const SchedulerSchema = z.strictObject({
  /** Most polecats working at once in the town; -1 or 0 = no limit (Gas Town's direct dispatch). */
  max_polecats: z.number().int().min(-1).default(-1),
  /** Stop dispatching queued slings. */
  paused: z.boolean().default(false),
});

/**
 * The terminal UI (ARCHITECTURE.md "Terminal UI"). Key names and command ids inside `keys` are
 * checked when the TUI builds its keymap, so a bad override is reported there, not fatal here.
 */
const TuiSchema = z.strictObject({
  /**
   * Key overrides: command id (`app.quit`, as in the `?` overlay) → key or keys (`"Q"`,
   * `["ctrl+g", "L"]`; `[]` unbinds). Replaces the command's default keys.
   */
  keys: z.record(z.string().min(1), z.union([z.string().min(1), z.array(z.string().min(1))])).default({}),
  /** The chord that leaves an entered agent pane (every other key goes to the agent). */
  leave_chord: z.string().min(1).default('ctrl+q'),
  /** Agent panes shown in the grid at start: 1, 2, 4, 6 or 9. */
  panes: z.literal([1, 2, 4, 6, 9]).default(4),
  /** Most screen repaints per second (1..60). */
  fps: z.number().int().min(1).max(60).default(20),
});

/**
 * Token costs (`gt costs`, issue #11): price overrides by model, in USD per million tokens, over
 * the defaults of `core/costs/prices.ts`. A model id's dots are written as `_` in the key
 * (`gt config set costs.prices.gpt-9_1 '{"input":1.25,"output":10}'`), since keys are dotted.
 */
const CostsSchema = z.strictObject({
  /** Model id (or the id its dated snapshots start with) → prices in USD per million tokens. */
  prices: z.record(z.string().min(1), z.strictObject({
    /** Input tokens not read from or written to a cache. */
    input: z.number().min(0),
    /** Output tokens (reasoning included). */
    output: z.number().min(0),
    /** Input tokens read from a prompt cache (default: the input price). */
    cache_read: z.number().min(0).optional(),
    /** Input tokens written to a prompt cache (default: the input price). */
    cache_write: z.number().min(0).optional(),
  })).default({}),
});

/** `settings/config.json` of a town. */
export const TownSettingsSchema = z.strictObject({
  /** Always `"town-settings"`. */
  type: z.literal('town-settings').default('town-settings'),
  /** File format version. */
  version: z.literal(1).default(1),
  /** Runtime preset used when neither the rig nor the command names one. */
  default_agent: z.string().min(1).default('claude'),
  /** Domain of agent e-mail addresses (commit authors `<agent>@<domain>`). */
  agent_email_domain: z.string().min(1).default('gastown.local'),
  /** Colour theme name (a file under `themes/`). */
  theme: z.string().min(1).default('dark'),
  /** Ledger export to git. */
  ledger: LedgerSchema.prefault({}),
  /** User-defined runtimes (`gt config agent set NAME "command args"`), by name. */
  agents: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), CustomAgentSchema).default({}),
  /** Status detection thresholds. */
  agent_status: AgentStatusSchema.prefault({}),
  /** Session hosting. */
  sessions: SessionsSchema.prefault({}),
  /** Escalation routes and re-escalation times. */
  escalation: EscalationSchema.prefault({}),
  /** Witness patrol thresholds. */
  witness: WitnessSchema.prefault({}),
  /** Scheduler: capacity for the town. */
  scheduler: SchedulerSchema.prefault({}),
  /** Terminal UI: key overrides, leave chord, pane grid, frame rate. */
  tui: TuiSchema.prefault({}),
  /** Token cost prices (`gt costs`); absent until a price is set, so the defaults file stays as it was. */
  costs: CostsSchema.optional(),
});
/** Parsed town settings, defaults filled in. */
export type TownSettings = z.infer<typeof TownSettingsSchema>;

/** Phases a merge-queue gate runs in, in this order. */
export const GATE_PHASES = ['setup', 'typecheck', 'lint', 'build', 'test'] as const;
/** A merge-queue gate phase. */
export type GatePhase = (typeof GATE_PHASES)[number];

/** One merge-queue gate: a shell command the refinery runs on a rebased batch. */
export const GateSchema = z.strictObject({
  /** Shell command; exit 0 passes. */
  cmd: z.string().min(1),
  /** Kill the command after this long, in ms (default 10 minutes). */
  timeout_ms: z.number().int().min(1).default(600_000),
  /** Phase the gate belongs to (default `test`). */
  phase: z.enum(GATE_PHASES).default('test'),
});
/** A parsed gate. */
export type Gate = z.infer<typeof GateSchema>;

/** `<rig>/settings/config.json`. */
export const RigSettingsSchema = z.strictObject({
  /** Always `"rig-settings"`. */
  type: z.literal('rig-settings').default('rig-settings'),
  /** File format version. */
  version: z.literal(1).default(1),
  /** Runtime preset for this rig's agents (overrides the town's `default_agent`). */
  agent: z.string().min(1).optional(),
  /** The refinery (merge queue). */
  merge_queue: z.strictObject({
    /** Process merge requests at all. */
    enabled: z.boolean().default(true),
    /** Most merge requests tested together in one batch. */
    batch_size: z.number().int().min(1).max(100).default(4),
    /** Gates by name (letters, digits, `_`, `-`). */
    gates: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), GateSchema).default({}),
    /** Push the target branch to this remote of the rig's repository after each merge ('' = do not push). */
    push_remote: z.string().default(''),
    /** Times a failing gate is retried before it counts as failed (a pass on retry is recorded as flaky). */
    retry_flaky: z.number().int().min(0).max(5).default(1),
    /** How often the daemon looks at the queue, in ms. */
    poll_ms: z.number().int().min(200).max(3_600_000).default(2000),
    /** Delete the polecat branch once its merge request merged. */
    delete_merged_branches: z.boolean().default(true),
  }).prefault({}),
  /** Capacity for this rig: most polecats working at once here; -1 or 0 = only the town's limit applies. */
  scheduler: z.strictObject({ max_polecats: z.number().int().min(-1).default(-1) }).prefault({}),
  /** Polecat name pool. */
  namepool: z.strictObject({
    /** Name style (a pool name such as `mad-max`). */
    style: z.string().min(1),
    /** Explicit names, used instead of the style's list. */
    names: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)).optional(),
  }).optional(),
  /** Shell command run in every new polecat worktree and crew clone. */
  setup_command: z.string().min(1).optional(),
});
/** Parsed rig settings, defaults filled in. */
export type RigSettings = z.infer<typeof RigSettingsSchema>;

/** Town settings with every default. */
export function defaultTownSettings(): TownSettings {
  return TownSettingsSchema.parse({});
}

/** Rig settings with every default. */
export function defaultRigSettings(): RigSettings {
  return RigSettingsSchema.parse({});
}

/** Pretty JSON for a settings file (2-space indent, trailing newline). */
export function formatSettings(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Parse a settings file's text against a schema.
 *
 * @param schema one of the schemas above.
 * @param text the file's contents (a leading BOM is ignored).
 * @param file the file's path, named in every error.
 * @returns the parsed value with defaults filled in.
 * @throws GtError CONFIG_INVALID for invalid JSON (with line and column) or a value the schema
 *   rejects (with the dotted key path); `details` holds `file`, `key`, `line`, `column`, `issues`.
 */
export function parseSettingsText<T>(schema: z.ZodType<T>, text: string, file: string): T {
  const src = text.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(src);
  } catch (e) {
    const offset = jsonErrorOffset(src);
    const why = (e as Error).message.replace(/ (?:in JSON )?at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    const { line, column } = offset >= 0 ? lineColumn(src, offset) : { line: 0, column: 0 };
    const at = offset >= 0 ? ` at line ${line}, column ${column}` : '';
    throw new GtError('CONFIG_INVALID', `${file}: invalid JSON${at}: ${why}`, {
      fix: 'fix the JSON syntax there (usually a missing or extra comma, quote or brace)',
      details: { file, ...(offset >= 0 ? { line, column } : {}) },
    });
  }
  return validateSettings(schema, data, file);
}

/** {@link parseSettingsText} for `town.json`. @throws GtError CONFIG_INVALID. */
export function parseTownJson(text: string, file: string): TownJson {
  return parseSettingsText(TownJsonSchema, text, file);
}

/** {@link parseSettingsText} for town settings. @throws GtError CONFIG_INVALID. */
export function parseTownSettings(text: string, file: string): TownSettings {
  return parseSettingsText(TownSettingsSchema, text, file);
}

/** {@link parseSettingsText} for rig settings. @throws GtError CONFIG_INVALID. */
export function parseRigSettings(text: string, file: string): RigSettings {
  return parseSettingsText(RigSettingsSchema, text, file);
}

/**
 * Validate already-parsed data against a schema.
 *
 * @throws GtError CONFIG_INVALID naming `file`, the first bad key and how to fix it.
 */
export function validateSettings<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => describeIssue(schema, data, i, file));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new GtError('CONFIG_INVALID', `${file}: ${first.key}: ${first.what}${more}`, {
    fix: first.fix,
    details: { file, key: first.key, issues: issues.map(({ key, what }) => ({ key, what })) },
  });
}

interface Described { key: string; what: string; fix: string }

function show(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

function describeIssue(schema: z.ZodType, data: unknown, issue: z.core.$ZodIssue, file: string): Described {
  const segs = issue.path.map(String);
  const key = segs.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const bad = issue.keys[0] ?? '';
    const siblings = childKeys(schemaAt(schema, segs));
    const near = closeMatches(bad, siblings);
    const full = [...segs, bad].join('.');
    return {
      key: full,
      what: `unknown key${issue.keys.length > 1 ? `s ${issue.keys.map((k) => `"${k}"`).join(', ')}` : ` "${bad}"`}`,
      fix: `${near.length ? `did you mean "${[...segs, near[0]].join('.')}"? ` : ''}remove or rename it in ${file}; valid keys here: ${siblings.join(', ') || '(none)'}`,
    };
  }
  const value = valueAt(data, segs);
  const leaf = schemaAt(schema, segs);
  const optional = leaf !== undefined && isDefaulted(leaf);
  let what = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type') what = value === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${show(value)}`;
  else if (issue.code === 'invalid_key') what = `"${segs[segs.length - 1]}" is not a valid name (letters, digits, "_", "-")`;
  else if (value !== undefined && typeof value !== 'object') what = `${what}, got ${show(value)}`;
  const fix = optional ? `correct "${key}" in ${file}, or remove it to use its default` : `correct "${key}" in ${file}`;
  return { key, what, fix };
}

// ---------------------------------------------------------------- dotted keys

type Schema = z.ZodType;

function unwrap(s: Schema): Schema {
  let cur = s;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as Schema;
  return cur;
}

function isDefaulted(s: Schema): boolean {
  return s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional;
}

/** The (wrapped) schema at a key path, or undefined when the path does not exist. */
function schemaAt(schema: Schema, segs: string[]): Schema | undefined {
  let cur: Schema | undefined = schema;
  for (const seg of segs) {
    if (!cur) return undefined;
    const u = unwrap(cur);
    if (u instanceof z.ZodObject) cur = Object.hasOwn(u.shape, seg) ? (u.shape[seg] as Schema) : undefined;
    else if (u instanceof z.ZodRecord) cur = u.valueType as Schema;
    else return undefined;
  }
  return cur;
}

function childKeys(s: Schema | undefined): string[] {
  const u = s && unwrap(s);
  return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
}

/**
 * Every dotted key of a schema, objects before their children. A record contributes
 * `<name>` for its entry (`merge_queue.gates.<name>.cmd`), or the matching segment of `like`.
 *
 * @param like a key the user typed; record positions take its segments.
 */
export function settingKeys(schema: Schema, like?: string): string[] {
  const typed = like?.split('.') ?? [];
  const out: string[] = [];
  const walk = (s: Schema, prefix: string[]): void => {
    const u = unwrap(s);
    if (u instanceof z.ZodObject) {
      for (const [k, child] of Object.entries(u.shape)) {
        out.push([...prefix, k].join('.'));
        walk(child as Schema, [...prefix, k]);
      }
    } else if (u instanceof z.ZodRecord) {
      const name = typed[prefix.length] ?? '<name>';
      out.push([...prefix, name].join('.'));
      walk(u.valueType as Schema, [...prefix, name]);
    }
  };
  walk(schema, []);
  return out;
}

function resolveKey(schema: Schema, key: string): { segs: string[]; leaf: Schema } {
  const segs = key.split('.');
  const leaf = segs.every(Boolean) ? schemaAt(schema, segs) : undefined;
  if (leaf) return { segs, leaf };
  const all = settingKeys(schema, key);
  const near = closeMatches(key, all);
  const valid = settingKeys(schema).filter((k) => !/^(type|version)$/.test(k) && !(unwrap(schemaAt(schema, k.split('.'))!) instanceof z.ZodObject));
  throw new GtError('CONFIG_KEY', `unknown setting "${key}"`, {
    fix: `${near.length ? `did you mean ${near.map((k) => `"${k}"`).join(' or ')}? ` : ''}valid keys: ${valid.join(', ')}`,
    details: { key, candidates: near, valid },
  });
}

function valueAt(data: unknown, segs: string[]): unknown {
  let cur = data;
  for (const seg of segs) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * The value of a dotted key (`ledger.export_debounce_ms`); undefined when an optional key is unset.
 *
 * @throws GtError CONFIG_KEY for a key the schema does not have, with close matches and the valid keys.
 */
export function getSetting(schema: Schema, settings: unknown, key: string): unknown {
  return valueAt(settings, resolveKey(schema, key).segs);
}

/**
 * Turn a command-line value into a setting value: JSON when it parses (`42`, `true`,
 * `{"cmd":"npm test"}`), else the string itself. For a string-typed key a JSON non-string is
 * kept as the raw text (`default_agent 42` sets `"42"`).
 */
export function parseSettingValue(schema: Schema, key: string, raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  const leaf = schemaAt(schema, key.split('.'));
  const u = leaf && unwrap(leaf);
  if ((u instanceof z.ZodString || u instanceof z.ZodEnum) && typeof parsed !== 'string') return raw;
  return parsed;
}

/**
 * Set a dotted key and validate the whole result.
 *
 * @param raw the value as typed (see {@link parseSettingValue}); pass a non-string to set it as is.
 * @param file named in validation errors.
 * @returns a new settings object (the input is not changed), defaults filled in.
 * @throws GtError CONFIG_KEY for an unknown key; CONFIG_INVALID when the value does not fit.
 */
export function setSetting<T>(schema: z.ZodType<T>, settings: T, key: string, raw: unknown, file: string): T {
  const { segs } = resolveKey(schema, key);
  const value = typeof raw === 'string' ? parseSettingValue(schema, key, raw) : raw;
  const next = structuredClone(settings) as Record<string, unknown>;
  let cur = next;
  for (const seg of segs.slice(0, -1)) {
    const child = cur[seg];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
  try {
    return validateSettings(schema, next, file);
  } catch (e) {
    if (!(e instanceof GtError)) throw e;
    const { key: bad, issues } = e.details as { key: string; issues: Array<{ what: string }> };
    throw new GtError('CONFIG_INVALID', `cannot set ${key}: ${bad === key ? '' : `${bad}: `}${issues[0]?.what ?? e.message}`, {
      fix: `give "${key}" a valid value (${file} was not changed)`,
      details: e.details,
    });
  }
}

/**
 * Remove a dotted key so its default applies again (or, for a gate, remove the gate).
 *
 * @returns a new settings object, defaults filled in.
 * @throws GtError CONFIG_KEY for an unknown key; CONFIG_INVALID when the key is required.
 */
export function unsetSetting<T>(schema: z.ZodType<T>, settings: T, key: string, file: string): T {
  const { segs } = resolveKey(schema, key);
  const next = structuredClone(settings) as Record<string, unknown>;
  const parent = valueAt(next, segs.slice(0, -1));
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[segs[segs.length - 1]!];
  return validateSettings(schema, next, file);
}

/**
 * Flatten settings into `[dotted key, value]` leaves in file order (arrays and empty objects
 * are leaves), for `gt config list`.
 */
export function flattenSettings(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.keys(value).length) {
    return prefix ? [[prefix, value]] : [];
  }
  return Object.entries(value).flatMap(([k, v]) => flattenSettings(v, prefix ? `${prefix}.${k}` : k));
}

// ---------------------------------------------------------------- JSON error position

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Offset of the first JSON syntax error, or -1 when none is found. V8's messages do not
 * always carry a position (`Unexpected token '}', "…" is not valid JSON`), so we find it ourselves.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(String(i));
  };
  const space = /[ \t\n\r]*/y;
  const ws = (): void => {
    space.lastIndex = i;
    space.test(text);
    i = space.lastIndex;
  };
  const expect = (c: string): void => void (text[i] === c ? i++ : fail());
  const token = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const scalar = (): string => {
    token.lastIndex = i;
    const m = token.exec(text) ?? fail();
    i += m[0].length;
    return m[0];
  };
  const value = (depth: number): void => {
    ws();
    const open = text[i];
    if (open !== '{' && open !== '[') return void scalar();
    if (depth > 500) fail();
    const close = open === '{' ? '}' : ']';
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      if (open === '{') {
        ws();
        if (text[i] !== '"') fail();
        scalar();
        ws();
        expect(':');
      }
      value(depth + 1);
      ws();
      if (text[i] === close) return void i++;
      expect(',');
    }
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : -1;
  } catch (e) {
    return e instanceof SyntaxError ? Math.min(Number(e.message), text.length) : -1;
  }
}
