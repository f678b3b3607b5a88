/**
 * What an agent hook event means (issue #11 §3): the status it reports, and what the hook
 * prints back into the agent's context. Pure: `gt agents hook <kind> <event>` does the I/O.
 *
 * Sources of the event names and payloads:
 * - Claude Code hooks: JSON on stdin with `hook_event_name`, `session_id`, `transcript_path`,
 *   `cwd`; Notification adds `message` (and, in newer versions, `notification_type`, where
 *   `idle_prompt` = "Claude is waiting for your input", which is idle, not a question);
 *   SessionStart/UserPromptSubmit stdout is added to the context.
 * - Gemini CLI hooks (packages/core/src/hooks): the same base fields; Notification adds
 *   `notification_type` (`ToolPermission`), `message`, `details`; BeforeAgent has `prompt`;
 *   stdout is parsed as JSON, and context goes in `hookSpecificOutput.additionalContext`
 *   (plain text would only be shown as a system message).
 * - Codex `notify`: the event JSON is the program's last argument, `{"type":
 *   "agent-turn-complete", "thread-id", "turn-id", "cwd", "input-messages",
 *   "last-assistant-message"}`.
 */
import type { HookEvent } from './status.js';

/** A hook family with events (`RuntimePreset.hooks` other than `none`). */
export type HookRuntime = 'claude' | 'gemini' | 'codex';

/** What to do for one hook event. */
export interface HookAction {
  /** The status report for the daemon, if the event says one. */
  report?: { kind: HookEvent['kind']; message?: string };
  /** Print the agent's prime (SessionStart, PreCompact/PreCompress). */
  prime: boolean;
  /** Print new mail as a reminder (UserPromptSubmit, BeforeAgent). */
  mail: boolean;
  /** How context goes back: plain stdout (Claude Code) or Gemini's hookSpecificOutput JSON. */
  output: 'text' | 'gemini-json' | 'none';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * Interpret one hook event.
 *
 * @param runtime the hook family.
 * @param event the event name from the hook's command line (`Notification`, `notify`).
 * @param payload the event's JSON (stdin, or codex's last argument); `{}` when there was none.
 * @returns what to report and print; an event we do not use reports nothing.
 */
export function interpretHook(runtime: HookRuntime, event: string, payload: Record<string, unknown>): HookAction {
  const none: HookAction = { prime: false, mail: false, output: 'none' };
  const message = str(payload.message);
  if (runtime === 'codex') {
    const type = str(payload.type);
    if (event === 'notify' && type === 'agent-turn-complete') {
      const last = str(payload['last-assistant-message']);
      return { ...none, report: { kind: 'stop', ...(last ? { message: last.slice(0, 200) } : {}) } };
    }
    return none;
  }
  const output = runtime === 'claude' ? 'text' : 'gemini-json';
  switch (event) {
    case 'SessionStart':
    case 'PreCompact':
    case 'PreCompress':
      return { prime: true, mail: false, output };
    case 'UserPromptSubmit':
    case 'BeforeAgent':
      return { report: { kind: 'working' }, prime: false, mail: true, output };
    case 'Stop':
    case 'AfterAgent':
      return { ...none, report: { kind: 'stop' } };
    case 'Notification': {
      const type = str(payload.notification_type);
      if (type === 'idle_prompt' || (!type && message && /\bwaiting for your input\b/i.test(message))) {
        return { ...none, report: { kind: 'idle', ...(message ? { message } : {}) } };
      }
      return { ...none, report: { kind: 'waiting', message: message ?? (type ? `notification ${type}` : 'notification') } };
    }
    default:
      return none;
  }
}

/**
 * What a hook prints back, in the runtime's format: Claude Code takes plain text; Gemini CLI
 * takes `{"hookSpecificOutput":{"hookEventName","additionalContext"}}`. '' when there is nothing.
 */
export function hookOutput(action: HookAction, event: string, text: string): string {
  if (!text.trim() || action.output === 'none') return '';
  if (action.output === 'text') return text.endsWith('\n') ? text : `${text}\n`;
  return `${JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: text } })}\n`;
}
