/**
 * A formula as read from one file, before cooking (research/beads.md §6.1, gastown-features.md
 * §5.1): every key we use, typed and defaulted where the default does not depend on context;
 * every other key kept in {@link ParsedFormula.raw} and reported in
 * {@link ParsedFormula.warnings}. Cooking (cook.ts) turns it into a {@link CookedFormula}.
 */
import type { CookedFormula, FormulaType, FormulaVar, StepType } from './types.js';

/** Where a formula file was found: rig, town, shipped, or a path given by the user (`file`). */
export type FormulaOrigin = CookedFormula['source']['origin'];

/** The step types a formula may declare (beads issue types plus `human` and `gate`). */
export const STEP_TYPES = ['task', 'human', 'gate', 'bug', 'feature', 'chore', 'epic'] as const satisfies readonly StepType[];

/** The formula types (beads `type`). */
export const FORMULA_TYPES = ['workflow', 'convoy', 'expansion', 'aspect'] as const satisfies readonly FormulaType[];

/**
 * One `[[steps]]` or `[[template]]` block (or an advice step), as written: nothing substituted,
 * no defaults that depend on a composing formula (type and priority stay undefined when absent
 * so an expansion step can inherit its target's priority).
 */
export interface ParsedStep {
  /** Step id (`implement`, or `{target}.draft` in a template, `{step.id}-scan` in advice). */
  id: string;
  /** Title; undefined = the id. */
  title?: string;
  /** Description (agent instructions, often markdown); undefined = ''. */
  description?: string;
  /** Ids this step needs: `needs` and beads' synonym `depends_on`, merged, in file order. */
  needs: string[];
  /** Step type; undefined = `task`. */
  type?: StepType;
  /** Priority 0 (highest) … 4; undefined = 2, or the target's priority in an expansion. */
  priority?: number;
  /** What "done" means (Gas Town `acceptance`). */
  acceptance?: string;
  /** Labels put on the step's bead. */
  labels?: string[];
  /** Shell command for the `shell` runtime (our extension key `run`). */
  run?: string;
  /** Absolute or given path of the file the step was declared in. */
  file: string;
  /** 1-based line of the step's `id =` key (or its `[[steps]]` header), when known. */
  line?: number;
}

/** One `[[compose.expand]]` rule: splice expansion `with` in place of step `target`. */
export interface ExpandRule {
  /** Id of the step to replace. */
  target: string;
  /** Name of the expansion formula whose `[[template]]` steps replace it. */
  with: string;
  /** Values substituted as `{{name}}` into the spliced steps before the formula's own vars. */
  vars: Record<string, string>;
  /** File of the rule, for errors. */
  file: string;
  /** 1-based line of the rule's `target =` key (or its header), when known. */
  line?: number;
}

/** `[compose]`: aspects to apply and expansions to splice (beads §6.1). */
export interface ParsedCompose {
  /** Aspect formula names, applied in order after every expansion. */
  aspects: string[];
  /** Expansion rules, applied in order. */
  expand: ExpandRule[];
}

/**
 * One `[[advice]]` block of an aspect: steps put before and after every step whose id matches
 * `target` (a glob: `*` any run of characters, `?` one character). In advice steps `{step.id}`,
 * `{step.title}` and `{step.description}` stand for the matched step.
 */
export interface ParsedAdvice {
  /** Glob of step ids; undefined = match what the aspect's `[[pointcuts]]` match. */
  target?: string;
  /** Steps run before the target, in order (`before` then `around.before`). */
  before: ParsedStep[];
  /** Steps run after the target, in order (`around.after` then `after`). */
  after: ParsedStep[];
  /** File of the aspect, for messages. */
  file: string;
  /** 1-based line of the `[[advice]]` header, when known. */
  line?: number;
}

/** One `[[pointcuts]]` entry: which steps an advice without `target` applies to. */
export interface ParsedPointcut {
  /** Glob of step ids (default `*`). */
  glob?: string;
  /** Only steps of this type. */
  type?: string;
  /** Only steps carrying this label. */
  label?: string;
}

/** One `[[legs]]` block of a convoy (Gas Town §5.1). */
export interface ParsedLeg {
  /** Leg id, unique among the legs (also the id of its cooked step). */
  id: string;
  /** Title; undefined = the id. */
  title?: string;
  /** The leg's focus in a few words. */
  focus?: string;
  /** What the leg's polecat does (instructions). */
  description?: string;
  /** Runtime for this leg's polecat; undefined = the formula's `agent`, else the rig default. */
  agent?: string;
  /** File of the formula, for errors. */
  file: string;
  /** 1-based line of the leg's `id =` key, when known. */
  line?: number;
}

/** `[synthesis]` of a convoy: the step after the legs. */
export interface ParsedSynthesis {
  /** Title; undefined = `Synthesis`. */
  title?: string;
  /** What the synthesis step does (instructions). */
  description?: string;
  /** Leg ids it waits for (`depends_on`); undefined = every leg. */
  dependsOn?: string[];
  /** 1-based line of the `[synthesis]` header, when known. */
  line?: number;
}

/** A formula read from one file (see the module comment). */
export interface ParsedFormula {
  /** `formula` key, else the file name without `.formula.toml`. */
  name: string;
  /** `type`, else inferred: `[[legs]]` → convoy, `[[template]]` → expansion, `[[advice]]` → aspect, else workflow. */
  type: FormulaType;
  /** `description` ('' when absent). */
  description: string;
  /** `version` (default 1). */
  version: number;
  /** The file and which search directory it came from. */
  source: { file: string; origin: FormulaOrigin };
  /** `extends`: parent formula names, in order. */
  extends: string[];
  /** `[vars]`, in file order. */
  vars: FormulaVar[];
  /** `[[steps]]`, in file order. */
  steps: ParsedStep[];
  /** `[[template]]` of an expansion, in file order. */
  template: ParsedStep[];
  /** `[compose]`: expansions and aspects to apply. */
  compose: ParsedCompose;
  /** `[[advice]]` of an aspect. */
  advice: ParsedAdvice[];
  /** `[[pointcuts]]` of an aspect. */
  pointcuts: ParsedPointcut[];
  /** `[[legs]]` of a convoy. */
  legs: ParsedLeg[];
  /** `[synthesis]` of a convoy. */
  synthesis?: ParsedSynthesis;
  /** Default runtime of every leg (Gas Town `agent`). */
  agent?: string;
  /** Our extension key `generator`: a built-in that makes the steps at cook time (`hanoi`). */
  generator?: string;
  /** Keys kept but not used, and other non-fatal findings, each `file:line: what`. */
  warnings: string[];
  /** The whole TOML table as read, unknown keys included (Gas Town's `[squash]`, `phase`, …). */
  raw: Record<string, unknown>;
}
