/**
 * Formula and molecule types shared by the formula parser/cooker (core/formula, store/formula)
 * and the molecule layer (store/molecules, CLI `gt mol`, `gt sling <formula>`). Field names follow
 * beads' formula schema (research/beads.md §6.1) and Gas Town's (gastown-features.md §5.1).
 */

/** Formula kinds (beads `type`). */
export type FormulaType = 'workflow' | 'convoy' | 'expansion' | 'aspect';

/** A step type: beads issue types plus `human` (a person's step) and `gate` (waits on something). */
export type StepType = 'task' | 'human' | 'gate' | 'bug' | 'feature' | 'chore' | 'epic';

/** A declared variable (`[vars.x]`). */
export interface FormulaVar {
  name: string;
  description: string;
  required: boolean;
  default?: string;
  /** Regex the value must match (whole value). */
  pattern?: string;
  /** Allowed values. */
  enum?: string[];
  /**
   * Value kind (beads `type`; optional, added by core/formula): `int` must be a whole number
   * (`-?[0-9]+`), `bool` must be `true` or `false`, `string` (the default) is anything.
   */
  type?: 'string' | 'int' | 'bool';
  /** Smallest allowed value of an `int` var (our extension key `min`; optional). */
  min?: number;
  /** Largest allowed value of an `int` var (our extension key `max`; optional). */
  max?: number;
}

/** One step of a cooked formula: everything substituted, expansions and aspects applied. */
export interface CookedStep {
  /** Step id, unique in the formula (`implement`, `implement.draft`). */
  id: string;
  title: string;
  description: string;
  /** Ids of steps this one needs (become `blocks` edges: the needed step blocks this one). */
  needs: string[];
  type: StepType;
  /** 0..4 (default 2). */
  priority: number;
  acceptance?: string;
  /** Shell command the `shell` runtime runs for this step (our extension key `run`). */
  run?: string;
  labels?: string[];
}

/** One leg of a convoy formula. */
export interface CookedLeg {
  id: string;
  title: string;
  description: string;
  /** Runtime for this leg's polecat ('' = the rig default). */
  agent: string;
  /** The leg's focus in a few words (Gas Town `focus`; optional, added by core/formula). */
  focus?: string;
}

/** A formula after cooking (beads' "proto"): ready to pour as a molecule. */
export interface CookedFormula {
  /** Formula name (`polecat-work`). */
  name: string;
  type: FormulaType;
  description: string;
  version: number;
  /** Where it was read from (absolute path) and which source won (rig, town, shipped). */
  source: { file: string; origin: 'rig' | 'town' | 'shipped' | 'file' };
  /** Values used for every declared var (defaults filled in). */
  vars: Record<string, string>;
  /** Steps in a topological order (needs before dependents; stable by declaration). */
  steps: CookedStep[];
  /**
   * Convoy formulas: the legs (each one polecat) and the synthesis step after all legs.
   * The cooker ALSO puts one step per leg (same id, no needs) and, when there is a synthesis,
   * a step `synthesis` needing its `depends_on` legs (default: every leg) into `steps`, so a
   * convoy pours like any other formula; `legs` carries the per-leg agent and focus.
   */
  legs?: CookedLeg[];
  synthesis?: { title: string; description: string };
  /** Keys that were read but are not used here (kept in the file, reported once). */
  warnings: string[];
}
