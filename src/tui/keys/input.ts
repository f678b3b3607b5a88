/**
 * Terminal input for the TUI: key decoding (decode.ts) and the leave chord of an entered agent
 * pane. While a pane is entered every byte goes to the agent except one configurable chord
 * (`tui.leave_chord`, default `ctrl+q`; peers.md "Detach/return", turborepo's interactive mode).
 */
import { GtError } from '../../core/errors.js';
import { decodeKeys, encodeKey, tokenizeKeys } from './decode.js';
import { displayKey, normalizeKey, parseKey } from './key-names.js';

export { decodeKeys, encodeKey, tokenizeKeys, type KeySpan } from './decode.js';

/** Chords refused outright, with the reason shown to the user. */
const REFUSED: Record<string, string> = {
  'ctrl+c': 'Ctrl-C is how you interrupt the agent, so it must reach the agent',
  'ctrl+d': 'Ctrl-D is end-of-input; agents and shells quit or delete on it',
  'ctrl+z': 'Ctrl-Z suspends the program in the foreground',
  'ctrl+[': 'Ctrl-[ sends the Escape byte, which agents use to cancel and which starts every terminal escape sequence',
  escape: 'Escape is used by agents to cancel and starts every terminal escape sequence',
  enter: 'Enter submits the prompt, so it must reach the agent',
  'ctrl+b': "Ctrl-B is tmux's default prefix; inside tmux it would never reach gt, so you could not leave",
};

/**
 * Why a (canonical) key cannot be the leave chord, or undefined when it can.
 * Refused: {@link REFUSED}; keys without Ctrl or Alt other than F1–F12 (they are typed to the
 * agent); chords with no legacy encoding (a terminal without the kitty keyboard protocol could
 * never send them, so leaving would be impossible); chords whose bytes mean another key (Ctrl-M is Enter).
 */
export function leaveChordRefusal(key: string): string | undefined {
  if (REFUSED[key]) return REFUSED[key];
  const p = parseKey(key);
  if (!p.ctrl && !p.alt && !/^f\d+$/.test(p.name)) {
    return `${displayKey(key)} is an ordinary key that you type to the agent; use a chord with Ctrl or Alt, such as ctrl+q or ctrl+]`;
  }
  const bytes = encodeKey(key);
  if (bytes === undefined) {
    return `most terminals cannot send ${displayKey(key)} as a key of its own (only with the kitty keyboard protocol), so you might not be able to leave`;
  }
  const decoded = decodeKeys(bytes);
  if (decoded.length !== 1 || decoded[0] !== key) {
    return `${displayKey(key)} sends the same bytes as ${decoded.map(displayKey).join(' ') || 'nothing'}, which the agent needs`;
  }
  return undefined;
}

/** What {@link LeaveChordMatcher.feed} made of one chunk. */
export interface LeaveFeed {
  /** The bytes to write to the agent, exactly as received, up to (not including) the chord. */
  forward: string;
  /** True when the chord was in the chunk; bytes after it were dropped. */
  left: boolean;
}

/**
 * Splits what the user types into an entered pane into bytes for the agent and the leave chord.
 *
 * The chord is recognised in its legacy form (`\x11` for ctrl+q, `ESC q` for alt+q), as kitty
 * CSI-u (`ESC[113;5u`, with or without lock-key bits) and as xterm modifyOtherKeys
 * (`ESC[27;5;113~`). Every other byte is forwarded untouched, including escape sequences the
 * decoder does not know. Stateless between chunks.
 */
export class LeaveChordMatcher {
  /** The chord, as a canonical key name (`ctrl+q`). */
  readonly chord: string;

  /**
   * @param chord a key name such as `ctrl+q`, `ctrl+]`, `ctrl+alt+g` or `f12`.
   * @throws GtError INVALID_VALUE when it is not a key name, or cannot safely be the leave chord
   *   (ctrl+c, ctrl+d, ctrl+z, ctrl+[/escape, enter, ctrl+b, plain keys, chords terminals cannot
   *   send on their own, chords that alias another key); the message says why.
   */
  constructor(chord: string) {
    let key: string;
    try {
      key = normalizeKey(chord);
    } catch (e) {
      throw new GtError('INVALID_VALUE', `invalid leave chord "${chord}": ${(e as Error).message}`, {
        fix: 'set tui.leave_chord to a chord such as "ctrl+q" or "ctrl+]"', cause: e,
      });
    }
    const why = leaveChordRefusal(key);
    if (why) {
      throw new GtError('INVALID_VALUE', `cannot use "${chord}" as the leave chord: ${why}`, {
        fix: 'set tui.leave_chord to another chord, such as "ctrl+q" or "ctrl+]"', details: { chord: key },
      });
    }
    this.chord = key;
  }

  /**
   * Look for the chord in one raw stdin chunk.
   *
   * @returns `forward` = the chunk's bytes before the chord (the whole chunk when there is none);
   *   `left` = whether the chord was seen.
   */
  feed(chunk: string): LeaveFeed {
    let forward = '';
    for (const span of tokenizeKeys(chunk)) {
      if (span.key === this.chord) return { forward, left: true };
      forward += span.raw;
    }
    return { forward, left: false };
  }
}
