import { describe, expect, it } from 'vitest';
import { chordForms, findChord, RESET_MODES } from '../../src/cli/commands/session.js';

describe('the leave chord of gt attach', () => {
  it('is recognised raw, in CSI-u form and in modifyOtherKeys form', () => {
    const forms = chordForms('ctrl-q');
    expect(forms).toEqual(['\x11', '\x1b[113;5u', '\x1b[27;5;113~']);
    expect(findChord('abc\x11def', forms)).toEqual({ at: 3, length: 1 });
    expect(findChord('ab\x1b[113;5u', forms)).toEqual({ at: 2, length: 8 });
    expect(findChord('\x1b[27;5;113~', forms)).toEqual({ at: 0, length: 11 });
    expect(findChord('plain text', forms)).toBeUndefined();
    expect(chordForms('ctrl-x')[0]).toBe('\x18');
  });
  it('rejects chords it cannot read', () => {
    expect(() => chordForms('alt-q')).toThrow(/leave chord/);
  });
  it('resets the modes an agent may have turned on', () => {
    for (const seq of ['\x1b[?1049l', '\x1b[?25h', '\x1b[?2004l', '\x1b[?1000l', '\x1b[0m']) expect(RESET_MODES).toContain(seq);
  });
});
