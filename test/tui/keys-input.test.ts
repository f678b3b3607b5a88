import { describe, expect, it } from 'vitest';
import { LeaveChordMatcher, decodeKeys, encodeKey, leaveChordRefusal, tokenizeKeys } from '../../src/tui/keys/input.js';
import { normalizeKey } from '../../src/tui/keys/keymap.js';
import { thrown } from '../helpers/errors.js';

describe('decodeKeys', () => {
  it.each<[string, string, string[]]>([
    ['a letter', 'j', ['j']],
    ['an uppercase letter', 'S', ['S']],
    ['a paste is one key per character', 'abc', ['a', 'b', 'c']],
    ['punctuation', '?/[]', ['?', '/', '[', ']']],
    ['space', ' ', ['space']],
    ['non-ASCII and astral characters', 'é😀', ['é', '😀']],
    ['enter as \\r, \\n and \\r\\n', '\rx\ny\r\n', ['enter', 'x', 'enter', 'y', 'enter']],
    ['tab and shift+tab', '\t\x1b[Z', ['tab', 'shift+tab']],
    ['backspace as DEL and BS', '\x7f\b', ['backspace', 'backspace']],
    ['a lone escape', '\x1b', ['escape']],
    ['escape then escape', '\x1b\x1b', ['escape', 'escape']],
    ['arrows (CSI and SS3)', '\x1b[A\x1b[B\x1bOC\x1bOD', ['up', 'down', 'right', 'left']],
    ['home and end, all spellings', '\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1bOH\x1bOF', ['home', 'end', 'home', 'end', 'home', 'end', 'home', 'end']],
    ['insert, delete, page up and down', '\x1b[2~\x1b[3~\x1b[5~\x1b[6~', ['insert', 'delete', 'pageup', 'pagedown']],
    ['F1-F4 (SS3 and Linux console)', '\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[[A\x1b[[E', ['f1', 'f2', 'f3', 'f4', 'f1', 'f5']],
    ['F5-F12', '\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~', ['f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12']],
    ['modifier parameters', '\x1b[1;5A\x1b[1;2B\x1b[1;3C\x1b[1;8D\x1b[5;5~\x1b[1;5P\x1b[24;2~', ['ctrl+up', 'shift+down', 'alt+right', 'ctrl+alt+shift+left', 'ctrl+pageup', 'ctrl+f1', 'shift+f12']],
    ['ctrl+letters', '\x01\x07\x11\x1a', ['ctrl+a', 'ctrl+g', 'ctrl+q', 'ctrl+z']],
    ['other control bytes', '\x00\x1c\x1d\x1e\x1f', ['ctrl+space', 'ctrl+\\', 'ctrl+]', 'ctrl+^', 'ctrl+_']],
    ['alt+letter', '\x1bx\x1bX', ['alt+x', 'alt+shift+x']],
    ['alt+other keys', '\x1b\r\x1b\x11\x1b\x7f\x1b1', ['alt+enter', 'ctrl+alt+q', 'alt+backspace', 'alt+1']],
    ['alt as ESC before a sequence', '\x1b\x1b[A', ['alt+up']],
    ['CSI-u', '\x1b[113;5u', ['ctrl+q']],
    ['CSI-u with lock keys and event type', '\x1b[113;69u\x1b[113;5:1u\x1b[113;5:2u', ['ctrl+q', 'ctrl+q', 'ctrl+q']],
    ['CSI-u key release is dropped', '\x1b[113;5:3u', []],
    ['CSI-u shifted letter and special keys', '\x1b[97;6u\x1b[13;5u\x1b[27u\x1b[9;2u\x1b[127;3u\x1b[97u', ['ctrl+shift+a', 'ctrl+enter', 'escape', 'shift+tab', 'alt+backspace', 'a']],
    ['CSI-u shifted alternate', '\x1b[49:33;2u', ['!']],
    ['modifyOtherKeys', '\x1b[27;5;113~\x1b[27;6;81~\x1b[27;5;13~\x1b[27;3;106~', ['ctrl+q', 'ctrl+shift+q', 'ctrl+enter', 'alt+j']],
    ['several keys in one chunk', 'j\x1b[1;5Ak\x11\x1b[113;5ux', ['j', 'ctrl+up', 'k', 'ctrl+q', 'ctrl+q', 'x']],
    ['an ESC [ or ESC O at the end is alt+[ or alt+O', 'a\x1b[', ['a', 'alt+[']],
    ['SGR and X10 mouse reports are dropped', '\x1b[<0;10;5M\x1b[<0;10;5mq\x1b[M !!z', ['q', 'z']],
    ['focus events and paste markers are dropped', '\x1b[I\x1b[O\x1b[200~hi\x1b[201~', ['h', 'i']],
    ['super/hyper/meta modifiers are dropped', '\x1b[1;9A\x1b[113;9u', []],
    ['garbage', '\x1b[99~\x1b[1;5\x1b[#q\x1b[=5u\x1bO9\x80\x9b', []],
    ['a truncated sequence drops the rest of the chunk', '\x1b[1;5', []],
    ['an invalid byte inside a sequence ends it', '\x1b[12\x07x', ['ctrl+g', 'x']],
  ])('%s', (_name, chunk, keys) => {
    expect(decodeKeys(chunk)).toEqual(keys);
  });

  it('spans cover the chunk exactly and every key is canonical', () => {
    const chunk = 'a\x1b[1;5A\x1b[<0;1;1M\x11é\r\n\x1bx\x1b[113;5u\x1b';
    const spans = tokenizeKeys(chunk);
    expect(spans.map((s) => s.raw).join('')).toBe(chunk);
    for (const s of spans) if (s.key !== undefined) expect(normalizeKey(s.key)).toBe(s.key);
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 500; n++) {
      const chunk = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => String.fromCharCode(rnd() < 0.3 ? 0x1b : Math.floor(rnd() * 128))).join('');
      expect(tokenizeKeys(chunk).map((s) => s.raw).join('')).toBe(chunk);
    }
  });
});

describe('encodeKey', () => {
  it.each([
    ['q', 'q'], ['S', 'S'], ['enter', '\r'], ['space', ' '], ['ctrl+q', '\x11'], ['ctrl+]', '\x1d'], ['ctrl+space', '\x00'],
    ['alt+q', '\x1bq'], ['ctrl+alt+q', '\x1b\x11'], ['shift+tab', '\x1b[Z'], ['up', '\x1b[A'], ['ctrl+up', '\x1b[1;5A'],
    ['f1', '\x1bOP'], ['f5', '\x1b[15~'], ['ctrl+f12', '\x1b[24;5~'], ['pageup', '\x1b[5~'], ['home', '\x1b[H'],
  ])('%s → %j and back', (key, bytes) => {
    expect(encodeKey(key)).toBe(bytes);
    expect(decodeKeys(bytes)).toEqual([key]);
  });

  it.each(['ctrl+shift+q', 'ctrl+enter', 'ctrl+1', 'not a key'])('%s has no legacy bytes', (key) => {
    expect(encodeKey(key)).toBeUndefined();
  });
});

describe('LeaveChordMatcher', () => {
  it.each<[string, string, string, string, boolean]>([
    ['raw byte', 'ctrl+q', '\x11', '', true],
    ['CSI-u', 'ctrl+q', '\x1b[113;5u', '', true],
    ['CSI-u with caps lock', 'ctrl+q', '\x1b[113;69u', '', true],
    ['modifyOtherKeys', 'ctrl+q', '\x1b[27;5;113~', '', true],
    ['bytes before are forwarded, bytes after dropped', 'ctrl+q', 'ls -la\r\x11rm -rf /\r', 'ls -la\r', true],
    ['no chord forwards every byte untouched', 'ctrl+q', 'a\x1b[A\x1b[<0;1;1M\x03\x1b\x1b[99~é', 'a\x1b[A\x1b[<0;1;1M\x03\x1b\x1b[99~é', false],
    ['ctrl+shift+q is not ctrl+q', 'ctrl+q', '\x1b[113;6u', '\x1b[113;6u', false],
    ['q is not ctrl+q', 'ctrl+q', 'q', 'q', false],
    ['custom chord ctrl+]', 'ctrl+]', 'x\x11\x1d', 'x\x11', true],
    ['custom chord ctrl+] as CSI-u', 'ctrl+]', '\x1b[93;5u', '', true],
    ['custom chord alt+q', 'Alt+Q', 'hi\x1bq', 'hi', true],
    ['custom chord f12', 'F12', '\x1b[24~', '', true],
  ])('%s', (_name, chord, chunk, forward, left) => {
    expect(new LeaveChordMatcher(chord).feed(chunk)).toEqual({ forward, left });
  });

  it('normalizes the chord and is stateless between chunks', () => {
    const m = new LeaveChordMatcher('Ctrl-Q');
    expect(m.chord).toBe('ctrl+q');
    expect(m.feed('abc')).toEqual({ forward: 'abc', left: false });
    expect(m.feed('\x11')).toEqual({ forward: '', left: true });
    expect(m.feed('x')).toEqual({ forward: 'x', left: false });
  });

  it.each([
    ['ctrl+c', /interrupt/],
    ['ctrl+d', /end-of-input/],
    ['ctrl+z', /suspends/],
    ['ctrl+[', /Escape byte/],
    ['escape', /Escape/],
    ['enter', /Enter submits/],
    ['q', /ordinary key/],
    ['?', /ordinary key/],
    ['space', /ordinary key/],
    ['tab', /ordinary key/],
    ['ctrl+b', /tmux/],
    ['ctrl+m', /same bytes as Enter/],
    ['ctrl+i', /same bytes as Tab/],
    ['ctrl+h', /same bytes as Backspace/],
    ['ctrl+shift+q', /cannot send Ctrl-Shift-Q/],
    ['ctrl+nope', /invalid leave chord "ctrl\+nope": unknown key name/],
  ])('refuses %s', (chord, why) => {
    const e = thrown(() => new LeaveChordMatcher(chord));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toContain(`"${chord}"`);
    expect(e.message).toMatch(why);
    expect(e.fix).toMatch(/tui\.leave_chord/);
  });

  it.each(['ctrl+q', 'ctrl+]', 'ctrl+\\', 'ctrl+g', 'alt+q', 'ctrl+alt+g', 'f12'])('accepts %s', (chord) => {
    expect(leaveChordRefusal(chord)).toBeUndefined();
  });
});
