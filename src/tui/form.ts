/**
 * Dialog forms as pure functions (bubbletea's update style): a key applied to a form gives the
 * next form, or asks to submit it; a submitted form gives the `gt` command it stands for, or
 * the field that is missing. The controller applies the results; tests need no rendering.
 */
import type { Modal } from './state/stores.js';

/** A form dialog. */
export type FormModal = Extract<Modal, { kind: 'form' }>;

/** What a key did to a form. */
export type FormStep =
  | { kind: 'edit'; modal: FormModal }
  | { kind: 'submit'; modal: FormModal }
  | { kind: 'ignore' };

/**
 * Apply one key to a form. `id` is the key's command in the modal scope (`modal.confirm`,
 * `modal.next`, `modal.prev`), if any. Enter moves to the next field and submits on the last;
 * Ctrl-S submits from anywhere; left/right/space cycle a choice; printable keys type.
 */
export function formKey(modal: FormModal, key: string, id: string | undefined): FormStep {
  const fields = modal.fields.map((f) => ({ ...f }));
  const f = fields[modal.index]!;
  const edit = (patch: Partial<FormModal> = {}): FormStep => ({ kind: 'edit', modal: { ...modal, fields, ...patch } });
  if (key === 'ctrl+s' || (id === 'modal.confirm' && modal.index === fields.length - 1)) return { kind: 'submit', modal: { ...modal, fields } };
  if (id === 'modal.confirm' || id === 'modal.next') return edit({ index: (modal.index + 1) % fields.length });
  if (id === 'modal.prev') return edit({ index: (modal.index - 1 + fields.length) % fields.length });
  if (f.choices) {
    if (key !== 'left' && key !== 'right' && key !== 'space') return { kind: 'ignore' };
    const at = f.choices.indexOf(f.value);
    f.value = f.choices[(at + (key === 'left' ? -1 : 1) + f.choices.length) % f.choices.length]!;
    return edit();
  }
  if (key === 'backspace') f.value = [...f.value].slice(0, -1).join('');
  else if (key === 'space') f.value += ' ';
  else if ([...key].length === 1) f.value += key;
  else return { kind: 'ignore' };
  return edit();
}

/** What submitting a form means: a `gt` command and the message when it succeeds, or a missing field. */
export type FormCommand = { argv: string[]; done: string } | { missing: string; index: number };

/**
 * The `gt` command a submitted form stands for (run as the overseer). Every text field except a
 * mail body must be filled in.
 */
export function formCommand(modal: FormModal): FormCommand {
  const v = (label: string) => modal.fields.find((f) => f.label === label)?.value.trim() ?? '';
  const missing = modal.fields.find((f) => !f.choices && f.label !== 'Body' && !f.value.trim());
  if (missing) return { missing: missing.label, index: modal.fields.indexOf(missing) };
  const c = modal.context ?? '';
  switch (modal.purpose) {
    case 'bead': return { argv: ['bd', 'create', v('Title'), '--rig', v('Rig'), '-p', v('Priority'), '-t', v('Type'), '--silent'], done: `created "${v('Title')}" in ${v('Rig')}` };
    case 'mail': return { argv: ['mail', 'send', v('To'), '-s', v('Subject'), '-m', v('Body'), '--from', 'overseer'], done: `mail sent to ${v('To')}` };
    case 'reply': return { argv: ['mail', 'reply', c, '-m', v('Body'), '--from', 'overseer'], done: `replied to ${c}` };
    case 'nudge': return { argv: ['nudge', c, v('Text'), '--no-wait'], done: `nudge queued for ${c}` };
    case 'close': return { argv: ['escalate', 'close', c, '-r', v('Reason')], done: `closed ${c}` };
  }
}
