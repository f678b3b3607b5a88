/**
 * The zod schema of a formula file (research/beads.md §6.1, gastown-features.md §5.1) and the
 * key sets used to report keys we keep but do not use. Objects are loose: a key that is not
 * here is kept, never an error (beads reads formulas non-strictly; Gas Town adds `[squash]`,
 * `[inputs]`, `[prompts]`, `[output]`, `[presets]`, `review_only`, …).
 */
import { z } from 'zod';
import { FORMULA_TYPES, STEP_TYPES } from './parsed.js';

/** A string or a list of strings (`needs = "a"` is read as `needs = ["a"]`). */
const StringList = z.union([z.string(), z.array(z.string())], { error: 'expected a string or a list of strings' }).transform((v) => (typeof v === 'string' ? [v] : v));

/** A scalar written where a string is meant (`default = 3` is read as `"3"`). */
const Scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string (or a number or true/false)' }).transform((v) => String(v));

/** One `[[steps]]` / `[[template]]` / advice step. */
export const StepSchema = z.looseObject({
  id: z.string().min(1, 'a step id may not be empty'),
  title: z.string().optional(),
  description: z.string().optional(),
  needs: StringList.optional(),
  depends_on: StringList.optional(),
  type: z.enum(STEP_TYPES).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  acceptance: z.string().optional(),
  labels: StringList.optional(),
  run: z.string().optional(),
});

/** A `[vars.<name>]` table. */
export const VarTableSchema = z.looseObject({
  description: z.string().optional(),
  required: z.boolean().optional(),
  default: Scalar.optional(),
  pattern: z.string().optional(),
  enum: z.array(Scalar).optional(),
  type: z.enum(['string', 'int', 'bool', 'integer', 'number', 'boolean']).optional(),
  min: z.number().int().optional(),
  max: z.number().int().optional(),
});

/** A `[vars]` entry: a table, or a bare value that is the default (`branch = "main"`). */
export const VarSchema = z.union([z.string(), z.number(), z.boolean(), VarTableSchema], { error: 'expected a [vars.<name>] table or a default value' });

const StepList = z.union([StepSchema, z.array(StepSchema)], { error: 'expected a step table or a list of them' }).transform((v) => (Array.isArray(v) ? v : [v]));

/** One `[[advice]]` block. */
export const AdviceSchema = z.looseObject({
  target: z.string().optional(),
  before: StepList.optional(),
  after: StepList.optional(),
  around: z.looseObject({ before: StepList.optional(), after: StepList.optional() }).optional(),
});

/** The whole file. */
export const FormulaFileSchema = z.looseObject({
  formula: z.string().min(1).optional(),
  description: z.string().optional(),
  version: z.number().int().min(0).optional(),
  type: z.enum([...FORMULA_TYPES, 'parallel']).optional(),
  extends: StringList.optional(),
  vars: z.record(z.string(), VarSchema).optional(),
  steps: z.array(StepSchema).optional(),
  template: z.array(StepSchema).optional(),
  compose: z.looseObject({
    aspects: StringList.optional(),
    expand: z.array(z.looseObject({
      target: z.string().min(1),
      with: z.string().min(1),
      vars: z.record(z.string(), Scalar).optional(),
    })).optional(),
  }).optional(),
  advice: z.array(AdviceSchema).optional(),
  pointcuts: z.array(z.looseObject({ glob: z.string().optional(), type: z.string().optional(), label: z.string().optional() })).optional(),
  legs: z.array(z.looseObject({
    id: z.string().min(1, 'a leg id may not be empty'),
    title: z.string().optional(),
    focus: z.string().optional(),
    description: z.string().optional(),
    agent: z.string().optional(),
  })).optional(),
  synthesis: z.looseObject({ title: z.string().optional(), description: z.string().optional(), depends_on: StringList.optional() }).optional(),
  agent: z.string().optional(),
  generator: z.string().min(1).optional(),
});

/** The file as the schema reads it. */
export type FormulaFile = z.infer<typeof FormulaFileSchema>;
/** One step as the schema reads it. */
export type StepFile = z.infer<typeof StepSchema>;

/**
 * Keys we use, by where they appear (`*` = every element of an array, or every var). Any other
 * key is kept and reported once as a warning.
 */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['formula', 'description', 'version', 'type', 'extends', 'vars', 'steps', 'template', 'compose', 'advice', 'pointcuts', 'legs', 'synthesis', 'agent', 'generator'],
  'steps.*': ['id', 'title', 'description', 'needs', 'depends_on', 'type', 'priority', 'acceptance', 'labels', 'run'],
  'vars.*': ['description', 'required', 'default', 'pattern', 'enum', 'type', 'min', 'max'],
  compose: ['aspects', 'expand'],
  'compose.expand.*': ['target', 'with', 'vars'],
  'advice.*': ['target', 'before', 'after', 'around'],
  'advice.*.around': ['before', 'after'],
  'pointcuts.*': ['glob', 'type', 'label'],
  'legs.*': ['id', 'title', 'focus', 'description', 'agent'],
  synthesis: ['title', 'description', 'depends_on'],
};
// Template and advice steps are steps.
KNOWN_KEYS['template.*'] = KNOWN_KEYS['steps.*']!;
for (const where of ['advice.*.before', 'advice.*.after', 'advice.*.around.before', 'advice.*.around.after']) {
  // Advice steps may be one table (`[advice.around.before]`) or an array of them.
  KNOWN_KEYS[where] = KNOWN_KEYS['steps.*']!;
  KNOWN_KEYS[`${where}.*`] = KNOWN_KEYS['steps.*']!;
}

/** How to fix a schema error, by the name of the offending key. */
export function fixForKey(key: string | undefined, where: string): string {
  switch (key) {
    case 'id':
      return `give the block an id = "some-id" (letters, digits, ".", "-", "_"), unique in the formula`;
    case 'needs':
    case 'depends_on':
      return `write ${key} = ["other-step-id", …] with ids of other steps`;
    case 'priority':
      return 'use a whole number from 0 (most urgent) to 4 (least); 2 is the default';
    case 'type':
      if (where === '') return `use one of ${FORMULA_TYPES.join(', ')}, or leave type out to infer it`;
      if (where.startsWith('vars')) return 'use one of string, int, bool';
      return `use one of ${STEP_TYPES.join(', ')}`;
    case 'required':
      return 'write required = true or required = false';
    case 'version':
      return 'write version = 1 (a whole number)';
    case 'target':
    case 'with':
      return 'write [[compose.expand]] with target = "<step id>" and with = "<expansion formula>"';
    default:
      return 'compare with a shipped formula, e.g. `gt formula show shiny`';
  }
}
