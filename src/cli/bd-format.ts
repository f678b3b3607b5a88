/**
 * Plain-text forms of beads for people (`--json` gives beads' JSON shapes instead). Terminal
 * control characters in bead text are made visible, so a title cannot move the cursor or
 * retitle the terminal.
 */
import type { Issue } from '../core/ledger/types.js';
import type { DepTreeNode, LedgerStats } from '../store/sqlite/ledger-query.js';
import { inert as inertText } from '../core/text.js';

/** Make text inert for the terminal, keeping newlines and tabs (see core/text.ts). */
export function inert(text: string): string {
  return inertText(text);
}


/** `hq-abc [P2] [task] open - Title @assignee` (beads `bd list` line). */
export function issueLine(i: Issue): string {
  const who = i.assignee ? ` @${inert(i.assignee)}` : '';
  return `${i.id} [P${i.priority}] [${i.issue_type}] ${i.status} - ${inert(i.title)}${who}`;
}

/** The numbered ready list (beads `bd ready`). */
export function readyLines(issues: Issue[]): string[] {
  if (!issues.length) return ['No ready work: every open bead is blocked, deferred or assigned elsewhere.'];
  const lines = [`Ready work (${issues.length} ${issues.length === 1 ? 'bead' : 'beads'} with no blockers):`, ''];
  issues.forEach((i, n) => {
    lines.push(`${n + 1}. [P${i.priority}] [${i.issue_type}] ${i.id}: ${inert(i.title)}`);
    if (i.assignee) lines.push(`   Assignee: ${inert(i.assignee)}`);
  });
  return lines;
}

/** The `bd show` text of a bead's details object (from issueDetails). */
export function showLines(d: Record<string, unknown>): string[] {
  const s = (k: string) => (d[k] === undefined ? undefined : inert(String(d[k])));
  const lines = [`${d.id}: ${s('title')}`, `Status: ${s('status')}`, `Priority: P${d.priority}`, `Type: ${s('issue_type')}`];
  if (d.assignee) lines.push(`Assignee: ${s('assignee')}`);
  if (d.owner) lines.push(`Owner: ${s('owner')}`);
  lines.push(`Created: ${s('created_at')}${d.created_by ? ` by ${s('created_by')}` : ''}`);
  lines.push(`Updated: ${s('updated_at')}`);
  if (d.closed_at) lines.push(`Closed: ${s('closed_at')}${d.close_reason ? ` (${s('close_reason')})` : ''}`);
  if (d.defer_until) lines.push(`Deferred until: ${s('defer_until')}`);
  if (d.due_at) lines.push(`Due: ${s('due_at')}`);
  if (d.parent) lines.push(`Parent: ${s('parent')}`);
  if (Array.isArray(d.labels) && d.labels.length) lines.push(`Labels: ${d.labels.map((l) => inert(String(l))).join(', ')}`);
  for (const [key, title] of [['description', 'Description'], ['design', 'Design'], ['acceptance_criteria', 'Acceptance criteria'], ['notes', 'Notes']] as const) {
    if (d[key]) lines.push('', `${title}:`, s(key)!);
  }
  const deps = (d.dependencies as Array<Record<string, unknown>> | undefined) ?? [];
  if (deps.length) {
    lines.push('', `Depends on (${deps.length}):`);
    for (const t of deps) lines.push(`  → ${t.id}: ${inert(String(t.title ?? '(not in this ledger)'))} [${t.status ?? 'missing'}] (${t.dependency_type})`);
  }
  const dependents = (d.dependents as Array<Record<string, unknown>> | undefined) ?? [];
  if (dependents.length) {
    lines.push('', `Dependents (${dependents.length}):`);
    for (const t of dependents) lines.push(`  ← ${t.id}: ${inert(String(t.title))} [${t.status}] (${t.dependency_type})`);
  }
  const comments = (d.comments as Array<Record<string, unknown>> | undefined) ?? [];
  if (comments.length) {
    lines.push('', `Comments (${comments.length}):`);
    for (const c of comments) lines.push(`  [${inert(String(c.author))}] ${c.created_at}`, ...inert(String(c.text)).split('\n').map((l) => `    ${l}`));
  }
  return lines;
}

/** A dependency tree drawn with box characters. */
export function treeLines(root: DepTreeNode): string[] {
  const lines = [`${root.id}: ${inert(root.title)} [P${root.priority}] [${root.status}]`];
  const walk = (node: DepTreeNode, indent: string) => {
    node.children.forEach((c, n) => {
      const last = n === node.children.length - 1;
      const mark = c.truncated ? ' (shown above)' : '';
      lines.push(`${indent}${last ? '└── ' : '├── '}${c.id}: ${inert(c.title)} [P${c.priority}] [${c.status}] (${c.dependency_type})${mark}`);
      walk(c, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  walk(root, '');
  return lines;
}

/** Flatten a tree for `--json` (beads' TreeNode list: id, title, status, priority, depth, parent_id, dependency_type). */
export function flattenTree(root: DepTreeNode): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (n: DepTreeNode, parent?: string) => {
    const { children, ...rest } = n;
    out.push({ ...rest, ...(parent ? { parent_id: parent } : {}) });
    for (const c of children) walk(c, n.id);
  };
  walk(root);
  return out;
}

/** `bd stats` text. */
export function statsLines(s: LedgerStats): string[] {
  const lines = [
    'Beads statistics:',
    `  Total:        ${s.total_issues}`,
    `  Open:         ${s.open_issues}`,
    `  In progress:  ${s.in_progress_issues}`,
    `  Hooked:       ${s.hooked_issues}`,
    `  Blocked:      ${s.blocked_issues}`,
    `  Deferred:     ${s.deferred_issues}`,
    `  Closed:       ${s.closed_issues}`,
    `  Ready:        ${s.ready_issues}`,
  ];
  if (s.tombstone_issues) lines.push(`  Deleted:      ${s.tombstone_issues}`);
  const types = Object.entries(s.by_type);
  if (types.length) lines.push('', 'By type:', ...types.map(([k, v]) => `  ${k.padEnd(14)}${v}`));
  const prios = Object.entries(s.by_priority);
  if (prios.length) lines.push('', 'By priority:', ...prios.map(([k, v]) => `  P${k.padEnd(13)}${v}`));
  return lines;
}
