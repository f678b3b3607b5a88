/**
 * `gt prime`: what an agent is told when its session starts (gastown-features.md §3.12).
 *
 * The text is markdown for the agent: who it is, the rules of its role, the bead on its hook
 * (GUPP: "if work is on your hook, you run it"), and a handoff note from its previous session.
 * `--json` gives the same facts in a stable shape ({@link primeJson}) for scripted agents.
 * Pure: the store builds a {@link PrimeContext}, this module renders it.
 */

/** The bead on an agent's hook, as prime shows it. */
export interface PrimeHook {
  /** Bead id (`gt-a3f8`). */
  id: string;
  title: string;
  /** Bead status (`hooked` while the agent works it). */
  status: string;
  description?: string | undefined;
  /** 0 (critical) .. 4 (backlog). */
  priority: number;
}

/** A handoff note left for this agent's next session. */
export interface PrimeHandoff {
  note: string;
  /** RFC 3339 time the note was written. */
  created_at: string;
}

/** One unread message, as prime lists it (the `messages` row of typed mail, issue #5). */
export interface PrimeMail {
  /** Message id (`msg-12`). */
  id: string;
  /** Sender address. */
  from: string;
  /** Protocol kind (`FIX_NEEDED`, `HELP`, `plain`, …). */
  kind: string;
  subject: string;
  /** 0 urgent .. 4 backlog. */
  priority: number;
  urgent: boolean;
  /** RFC 3339 time it was sent. */
  created_at: string;
}

/** One open escalation waiting on this agent (the Mayor's prime lists them, Gas Town §3.8). */
export interface PrimeEscalation {
  /** Escalation id (`esc-3`). */
  id: string;
  /** critical | high | medium | low. */
  severity: string;
  /** decision | help | blocked | failed | emergency | lifecycle. */
  category: string;
  summary: string;
  /** The bead it is about, if any. */
  bead_id: string | null;
  /** Who raised it. */
  source: string;
}

/** One step of the hooked molecule, as prime shows it. */
export interface PrimeMoleculeStep {
  /** Step bead id (`gt-a3f8.2`). */
  id: string;
  /** The formula's step id (`implement`). */
  step_id: string;
  title: string;
  /** done · current (in progress or hooked) · ready · blocked · pending. */
  status: 'done' | 'current' | 'ready' | 'blocked' | 'pending';
  /** Who has it, when someone does. */
  assignee?: string;
  /** A person's step: not for the agent to do. */
  human?: boolean;
  /** A gate step: waits on something outside. */
  gate?: boolean;
}

/** The molecule attached to the hooked bead (or the hooked bead itself), as prime shows it. */
export interface PrimeMolecule {
  /** Root bead id. */
  id: string;
  title: string;
  /** Formula it was poured from ('' when unknown). */
  formula: string;
  /** True for a wisp (ephemeral steps). */
  wisp: boolean;
  /** Steps done, of all steps. */
  completed: number;
  total: number;
  /** Every step closed. */
  complete: boolean;
  /** The step to work on now: the agent's current step, else the first one it can claim. */
  next: { id: string; step_id: string; title: string; status: PrimeMoleculeStep['status']; description?: string } | null;
  /** Every step in molecule order. */
  steps: PrimeMoleculeStep[];
}

/** Everything `gt prime` tells an agent. */
export interface PrimeContext {
  /** The agent's address (`demo/polecats/nux`): also its BD_ACTOR and git author name. */
  address: string;
  /** `polecat`, `crew`, `mayor`, … */
  role: string;
  /** Its rig ('' for town agents). */
  rig: string;
  /** Its name. */
  name: string;
  /** Absolute path of the town root. */
  town: string;
  /** Runtime preset of its sessions (`claude`, `codex`, …). */
  runtime: string;
  /** The bead on its hook, if any. */
  hook?: PrimeHook | undefined;
  /** The molecule of the hooked bead (its steps), if it has one. */
  molecule?: PrimeMolecule | undefined;
  /** The latest handoff note, if any. */
  handoff?: PrimeHandoff | undefined;
  /** Unread, unarchived mail, urgent and high priority first (at most {@link PRIME_MAIL_LIMIT}). */
  mail: PrimeMail[];
  /** Open (unacknowledged or acknowledged, not closed) escalations assigned to this agent, most severe first. */
  escalations?: PrimeEscalation[] | undefined;
  /** The rules of its role, one sentence each (see {@link rulesFor}). */
  rules: string[];
}

/** The JSON shape of `gt prime --json`: every key always present, absent values `null`. */
export interface PrimeJson {
  address: string;
  role: string;
  rig: string;
  name: string;
  town: string;
  runtime: string;
  hook: PrimeHook | null;
  molecule: PrimeMolecule | null;
  handoff: PrimeHandoff | null;
  mail: PrimeMail[];
  escalations: PrimeEscalation[];
  rules: string[];
}

/** How many unread messages prime lists at most (urgent first, then by priority, then oldest). */
export const PRIME_MAIL_LIMIT = 20;

/** Facts the rules mention when known. */
export interface RuleFacts {
  /** The agent's working branch (`polecat/nux/gt-a3f8`). */
  branch?: string | undefined;
  /** The bead on its hook. */
  hookId?: string | undefined;
}

/**
 * The rules of a role, one imperative sentence each. Polecat rules follow Gas Town's
 * completion protocol (gastown-features.md §3.4): one hooked bead, commits on its own branch,
 * `gt done` when finished.
 */
export function rulesFor(role: string, facts: RuleFacts = {}): string[] {
  const bead = facts.hookId ? `your hooked bead ${facts.hookId}` : 'the bead on your hook';
  const branch = facts.branch ? `your branch \`${facts.branch}\`` : 'your own branch';
  switch (role) {
    case 'polecat':
      return [
        `Work only on ${bead}; never start, claim or hook other beads (file new work with \`gt bd create\` instead).`,
        `Commit your work to ${branch}; do not push, merge, rebase onto other branches or switch branches — the refinery merges it.`,
        'When the work is finished and committed, run `gt done`: it records a merge request and frees you.',
        'If nothing needed changing, run `gt done --no-changes --reason "…"` saying why.',
        'If you are blocked or need a decision, run `gt escalate "<what>" --severity high --category decision|blocked|help --bead <id>`; never wait silently.',
        'Read mail sent to you with `gt mail inbox` and `gt mail read <id>`; FIX_NEEDED and REWORK_REQUEST messages are work on your bead.',
      ];
    case 'crew':
      return [
        'You work in a human\'s long-lived clone; follow their instructions first.',
        `If a bead is on your hook, work on it; commit on ${branch} and push as usual.`,
        'Record what you find and decide in beads (`gt bd comment`, `gt bd create`).',
      ];
    case 'mayor':
      return [
        'You coordinate: break work into beads and sling them to rigs; do not write code in rigs yourself.',
        'Keep the ledger true: every piece of work is a bead with a clear title and description.',
        'Escalate to the overseer (the human) only what needs a human decision.',
        'See the town: `gt status`, `gt rig list`, `gt agents`; see the work: `bd ready`, `bd blocked`, `bd list`, `bd show <id>`.',
        'Create work: `bd create "<title>" --rig <rig> -p <0-4> -d "<what and why>"`; order it with `--deps <id>` or `bd dep add <id> <blocker>`; group it under an epic with `--parent <epic>`.',
        'Start work: `gt sling <bead> <rig>` puts it on a free polecat and starts its session; watch with `gt peek <agent>`, steer with `gt nudge <agent> "<text>"`.',
        'Group work: `gt convoy create "<title>" <beads…>` tracks beads until every one is merged; `gt convoy list` shows progress.',
        'Answer escalations: `gt escalate list`, `gt escalate show <id>`, `gt escalate ack <id>` when you take one, `gt escalate close <id> --reason "…"`; pass what needs a human to the overseer with `gt escalate reassign <id> overseer`.',
        'Mail: `gt mail inbox`, `gt mail read <id>`, `gt mail send <address> -s "<subject>" -m "<body>"`.',
      ];
    default:
      return [
        `Do the work of the ${role || 'agent'} role; ${bead} comes first.`,
        'Record what you do in beads so the next session can continue.',
      ];
  }
}

function startLine(ctx: PrimeContext): string {
  return ctx.role === 'polecat'
    ? 'This is your work. Announce in one line what you will do, then start immediately — do not ask, do not wait. Run `gt done` when it is committed.'
    : 'This is your work: start on it now.';
}

function emptyHookLine(role: string): string {
  return role === 'polecat'
    ? 'Nothing is on your hook. Do not pick up other beads yourself: stop here and exit your session; you will be slung new work.'
    : 'Nothing is on your hook. Wait for instructions or pick work with `gt bd ready`.';
}

/** How many steps of each kind the prime text lists before it summarizes the rest. */
const SHOWN = { done: 3, ready: 10, blocked: 5 } as const;

/**
 * The molecule section of the prime text: progress, a window of the steps (the last few done,
 * every current one, the first ready and blocked ones, the rest counted), and what to run next.
 */
export function moleculeLines(m: PrimeMolecule, role: string): string[] {
  const out = [`## Your molecule: ${m.id} — ${m.title} (${m.completed}/${m.total} steps done)`, ''];
  out.push(`Your hooked work is split into steps${m.formula ? ` (formula ${m.formula})` : ''}. Each step is a bead of its own; do them in order.`, '');
  const done = m.steps.filter((s) => s.status === 'done');
  const hidden = { done: Math.max(0, done.length - SHOWN.done), ready: 0, other: 0 };
  const counts = { ready: 0, other: 0 };
  let afterLastReady = -1;
  for (const s of m.steps) {
    if (s.status === 'done' && done.indexOf(s) < hidden.done) continue;
    if (s.status === 'ready' && ++counts.ready > SHOWN.ready) { hidden.ready++; continue; }
    if ((s.status === 'blocked' || s.status === 'pending') && ++counts.other > SHOWN.blocked) { hidden.other++; continue; }
    const who = s.human ? ' (a person\'s step)' : s.gate ? ' (gate)' : s.assignee && s.status === 'current' ? ` (${s.assignee})` : '';
    out.push(`- [${s.status}] ${s.id} ${s.step_id}: ${s.title}${who}`);
    if (s.status === 'ready') afterLastReady = out.length;
  }
  if (hidden.ready) out.splice(afterLastReady, 0, `- … ${hidden.ready} more ready`);
  if (hidden.done) out.splice(4, 0, `- … ${hidden.done} earlier steps done`);
  if (hidden.other) out.push(`- … ${hidden.other} more waiting`);
  out.push('');
  if (m.complete) {
    out.push(`All ${m.total} steps are done.${role === 'polecat' ? ' Run `gt done`.' : ''}`, '');
  } else if (m.next) {
    out.push(`Next: ${m.next.id} (${m.next.step_id}) — ${m.next.title}`);
    if (m.next.description?.trim()) out.push('', m.next.description.trim());
    out.push('', `When it is done, run \`gt bd close ${m.next.id} --continue\`: it closes the step and claims the next one for you. \`gt mol current\` shows where you are.`, '');
  } else {
    out.push('No step is ready for you: the next ones wait on a person or a gate. Say so with `gt escalate` if it takes long.', '');
  }
  return out;
}

/**
 * Render the prime text: markdown with a header (who you are), the rules, the hooked bead (id,
 * title, priority, description) or what to do with an empty hook, the handoff note and mail.
 */
export function renderPrime(ctx: PrimeContext): string {
  const out: string[] = [];
  out.push(`# Gas Town — you are ${ctx.address}`, '');
  const where = [`role: ${ctx.role}`, ...(ctx.rig ? [`rig: ${ctx.rig}`] : []), `name: ${ctx.name}`, `runtime: ${ctx.runtime || '(unknown)'}`];
  out.push(where.join(' · '), `town: ${ctx.town}`, '');
  out.push('## Rules', '', ...ctx.rules.map((r) => `- ${r}`), '');
  if (ctx.hook) {
    const h = ctx.hook;
    out.push(`## Your hook: ${h.id} — ${h.title}`, '', `status: ${h.status} · priority: P${h.priority}`, '');
    if (h.description?.trim()) out.push(h.description.trim(), '');
    if (ctx.molecule) out.push(...moleculeLines(ctx.molecule, ctx.role));
    out.push(startLine(ctx), '');
  } else {
    out.push('## Your hook is empty', '', emptyHookLine(ctx.role), '');
  }
  if (ctx.handoff) {
    out.push(`## Handoff from your previous session (${ctx.handoff.created_at})`, '', ctx.handoff.note.trim(), '');
  }
  if (ctx.escalations?.length) {
    out.push(`## Escalations waiting on you (${ctx.escalations.length})`, '');
    for (const e of ctx.escalations) out.push(`- ${e.id} [${e.severity}, ${e.category}] ${e.summary}${e.bead_id ? ` (${e.bead_id})` : ''} — from ${e.source}`);
    out.push('', 'Take one with `gt escalate ack <id>`; close it with `gt escalate close <id> --reason "…"`.', '');
  }
  out.push('## Mail', '');
  if (!ctx.mail.length) out.push('No unread mail.', '');
  else {
    out.push(`${ctx.mail.length} unread message${ctx.mail.length > 1 ? 's' : ''}:`, '');
    for (const m of ctx.mail) out.push(`- ${m.id} [P${m.priority}${m.urgent ? ' URGENT' : ''}] ${m.kind} from ${m.from}: ${m.subject}`);
    out.push('', 'Read one with `gt mail read <id>`.', '');
  }
  return out.join('\n');
}

/** The stable JSON of `gt prime --json` (see {@link PrimeJson}); key order is fixed. */
export function primeJson(ctx: PrimeContext): PrimeJson {
  return {
    address: ctx.address,
    role: ctx.role,
    rig: ctx.rig,
    name: ctx.name,
    town: ctx.town,
    runtime: ctx.runtime,
    hook: ctx.hook
      ? { id: ctx.hook.id, title: ctx.hook.title, status: ctx.hook.status, ...(ctx.hook.description !== undefined ? { description: ctx.hook.description } : {}), priority: ctx.hook.priority }
      : null,
    molecule: ctx.molecule ? { ...ctx.molecule, steps: ctx.molecule.steps.map((s) => ({ ...s })) } : null,
    handoff: ctx.handoff ? { note: ctx.handoff.note, created_at: ctx.handoff.created_at } : null,
    mail: ctx.mail.map((m) => ({ ...m })),
    escalations: (ctx.escalations ?? []).map((e) => ({ ...e })),
    rules: [...ctx.rules],
  };
}
