/**
 * Which town events become toasts, and how they read (convoy landed, escalation raised, merge
 * failed, …). Events come from the daemon's `town.changed` push.
 */
import type { TownEvent } from '../core/events/types.js';

/** A toast for an event, or undefined for events not worth interrupting for. */
export function toastOf(e: TownEvent): { text: string; kind: 'info' | 'ok' | 'error' } | undefined {
  const p = e.payload ?? {};
  switch (e.type) {
    case 'convoy.landed': return { text: `convoy ${e.subject} landed`, kind: 'ok' };
    case 'escalation.raised': return { text: `escalation ${e.subject} (${String(p.severity ?? '')}) from ${e.actor}: ${String(p.summary ?? '')}`, kind: 'error' };
    case 'escalation.reescalated': return { text: `escalation ${e.subject} moved up to ${String(p.to ?? p.level ?? 'the next level')}`, kind: 'error' };
    case 'mr.merged': return { text: `merged ${e.subject}${p.bead ? ` (${String(p.bead)})` : ''}`, kind: 'ok' };
    case 'mr.failed': return { text: `merge failed: ${e.subject}${p.bead ? ` (${String(p.bead)})` : ''}${p.gate ? `, gate ${String(p.gate)} failed` : ''}; sent back to ${String(p.polecat ?? 'its polecat')}`, kind: 'error' };
    case 'mr.rework': return { text: `rework requested for ${e.subject}`, kind: 'error' };
    case 'polecat.done': return { text: `${e.actor} is done with ${e.subject}`, kind: 'ok' };
    case 'mail.sent': return Array.isArray(p.to) && (p.to as unknown[]).includes('overseer') ? { text: `mail from ${e.actor}: ${String(p.subject ?? '')}`, kind: 'info' } : undefined;
    case 'agent.exited': return Number(p.code ?? 0) !== 0 ? { text: `${e.subject} exited: ${String(p.reason ?? '')}`, kind: 'error' } : undefined;
    default: return undefined;
  }
}
