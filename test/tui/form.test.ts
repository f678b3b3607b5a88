/**
 * Dialog forms as pure functions: keys edit, move and submit; a submitted form is the `gt`
 * command it stands for, or names its empty field.
 */
import { describe, expect, it } from 'vitest';
import { formCommand, formKey, type FormModal } from '../../src/tui/form.js';

const bead: FormModal = {
  kind: 'form', purpose: 'bead', title: 'New bead', index: 0,
  fields: [{ label: 'Title', value: '' }, { label: 'Rig', value: 'app', choices: ['app', 'web'] }, { label: 'Priority', value: 'P2', choices: ['P0', 'P1', 'P2', 'P3', 'P4'] }, { label: 'Type', value: 'task', choices: ['task', 'bug'] }],
};

function type(m: FormModal, ...keys: Array<[string, string?]>): FormModal | 'submit' {
  let cur = m;
  for (const [key, id] of keys) {
    const step = formKey(cur, key, id);
    if (step.kind === 'submit') return 'submit';
    if (step.kind === 'edit') cur = step.modal;
  }
  return cur;
}

describe('forms', () => {
  it('typing fills the field; backspace; Enter moves on; choices cycle with left/right; the last Enter submits', () => {
    const m = type(bead, ['F'], ['i'], ['x'], ['x'], ['backspace'], ['space'], ['i'], ['t'], ['enter', 'modal.confirm'], ['right'], ['right'], ['left']) as FormModal;
    expect(m.fields.map((f) => f.value)).toEqual(['Fix it', 'web', 'P2', 'task']);
    expect(m.index).toBe(1);
    expect(formKey(m, 'z', undefined)).toEqual({ kind: 'ignore' }); // a choice is not typed into
    expect(type({ ...m, index: 3 }, ['enter', 'modal.confirm'])).toBe('submit');
    expect(formKey(m, 'ctrl+s', undefined).kind).toBe('submit');
    expect((type(m, ['tab', 'modal.prev']) as FormModal).index).toBe(0);
  });

  it('a submitted form is its gt command; an empty field is named', () => {
    expect(formCommand(bead)).toEqual({ missing: 'Title', index: 0 });
    const filled = { ...bead, fields: bead.fields.map((f, i) => (i === 0 ? { ...f, value: '  Fix it ' } : f)) };
    expect(formCommand(filled)).toEqual({ argv: ['bd', 'create', 'Fix it', '--rig', 'app', '-p', 'P2', '-t', 'task', '--silent'], done: 'created "Fix it" in app' });
    const reply: FormModal = { kind: 'form', purpose: 'reply', title: 'Reply', index: 0, fields: [{ label: 'Body', value: '' }], context: 'hq-m1' };
    expect(formCommand(reply)).toEqual({ argv: ['mail', 'reply', 'hq-m1', '-m', '', '--from', 'overseer'], done: 'replied to hq-m1' });
    const close: FormModal = { kind: 'form', purpose: 'close', title: 'Close', index: 0, fields: [{ label: 'Reason', value: 'fixed' }], context: 'esc-1' };
    expect(formCommand(close)).toMatchObject({ argv: ['escalate', 'close', 'esc-1', '-r', 'fixed'] });
  });
});
