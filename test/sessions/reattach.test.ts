import { afterEach, describe, expect, it } from 'vitest';
import type { HostedSession } from '../../src/sessions/hosted-session.js';
import {
  bufferLines,
  createHeadlessTerminal,
  describeScreenDifference,
  screenState,
  snapshotEquals,
  splitIncompleteEscape,
  terminalFromSnapshot,
  writeAndWait,
  type HeadlessTerminal,
} from '../../src/sessions/screen.js';
import { liveScreen, nodeSpec, Sessions, waitFor } from './helpers.js';

const sessions = new Sessions();
const terms: HeadlessTerminal[] = [];
afterEach(() => {
  sessions.disposeAll();
  for (const t of terms.splice(0)) t.term.dispose();
});

/** A fresh terminal of the session's size fed `data` — a client that attaches now. */
async function clientFed(cols: number, rows: number, data: string): Promise<HeadlessTerminal> {
  const t = createHeadlessTerminal(cols, rows);
  terms.push(t);
  await writeAndWait(t.term, data);
  return t;
}

/** Starts `code` under node, records every 'data' byte from the start, waits for title "ready". */
async function startAndSettle(code: string, cols = 80, rows = 24): Promise<{ s: HostedSession; raw: string[] }> {
  const s = sessions.start(nodeSpec(code, { cols, rows }));
  const raw: string[] = [];
  s.on('data', (d) => raw.push(d));
  await waitFor(() => s.title === 'ready', 10_000, 'title "ready"');
  await s.whenIdleWritten();
  return { s, raw };
}

// Colours, wide and combining characters, scrollback, absolute cursor moves, erase, a final
// cursor position that is not at the end of the text; the title is set last.
const PAINT = String.raw`
const rows = [];
for (let i = 0; i < 60; i++) rows.push('\x1b[3' + (i % 8) + 'm' + 'row ' + i + '\x1b[0m \x1b[1;4mbold\x1b[0m 宽字 e\u0301 ' + '•'.repeat(i % 7));
process.stdout.write(rows.join('\n') + '\n');
process.stdout.write('\x1b[5;10H\x1b[42mhere\x1b[0m\x1b[2;1H\x1b[7minverse\x1b[0m\x1b[K\x1b[12;33H');
process.stdout.write('\x1b]0;ready\x07');
setInterval(() => {}, 1000);
`;

describe('re-attach: a late client sees what the live session shows', () => {
  it('a terminal fed snapshot().data equals the live screen, cursor and scrollback', async () => {
    const { s } = await startAndSettle(PAINT);
    const live = liveScreen(s);
    expect(live.cursor).toEqual({ x: 32, y: 11 });
    expect(live.lines[4]).toContain('here');

    const snap = s.snapshot();
    expect(snap).toMatchObject({ id: s.id, generation: 1, cols: 80, rows: 24, title: 'ready', state: 'running' });
    const late = await terminalFromSnapshot(snap);
    terms.push(late);
    expect(describeScreenDifference(screenState(late.term), live)).toBeUndefined();
    expect(bufferLines(late.term, 1000)).toEqual(s.scrollbackText(1000));
    expect(s.scrollbackText(1000).length).toBeGreaterThan(24);
  });

  it('a terminal fed every raw data byte from the start equals the live screen', async () => {
    const { s, raw } = await startAndSettle(PAINT);
    expect(Buffer.byteLength(raw.join(''))).toBe(s.bytesOut);
    const client = await clientFed(80, 24, raw.join(''));
    expect(describeScreenDifference(screenState(client.term), liveScreen(s))).toBeUndefined();
    expect(bufferLines(client.term, 1000)).toEqual(s.scrollbackText(1000));
  });

  it('works on the alternate screen (a full-screen agent)', async () => {
    const code = String.raw`
process.stdout.write('normal line\n\x1b[?1049h\x1b[2J\x1b[H\x1b[44m box \x1b[0m\x1b[10;20Hfull-screen app\x1b[3;5H');
process.stdout.write('\x1b]0;ready\x07');
setInterval(() => {}, 1000);
`;
    const { s, raw } = await startAndSettle(code);
    const live = liveScreen(s);
    expect(live.lines[9]).toBe('                   full-screen app');
    const late = await terminalFromSnapshot(s.snapshot());
    terms.push(late);
    const lateState = screenState(late.term);
    expect(lateState.alternate).toBe(true);
    expect(describeScreenDifference(lateState, live)).toBeUndefined();
    const client = await clientFed(80, 24, raw.join(''));
    expect(snapshotEquals(screenState(client.term), lateState)).toBe(true);
  });

  it('a snapshot taken mid-stream plus the data after it equals the final screen', async () => {
    // Many small writes that split escape sequences across writes, so PTY chunks do too.
    const code = String.raw`
let i = 0;
function burst() {
  for (let k = 0; k < 50 && i < 3000; k++, i++) {
    process.stdout.write('\x1b[3');
    process.stdout.write((i % 8) + 'mline ' + i + '\x1b[0');
    process.stdout.write('m \x1b]2;t' + i);
    process.stdout.write('\x07' + 'y'.repeat(i % 90) + '\n');
  }
  if (i < 3000) setImmediate(burst);
  else process.stdout.write('\x1b[7;7Hend\x1b]0;ready\x07');
}
burst();
setInterval(() => {}, 1000);
`;
    const s = sessions.start(nodeSpec(code, { cols: 70, rows: 20 }));
    // Several late clients attach at different moments while output streams: each takes a
    // snapshot (which already holds the chunk being emitted) and then gets every later chunk.
    const clients: Array<{ snapshot: string; after: string[] }> = [];
    s.on('data', (d) => {
      for (const c of clients) c.after.push(d);
      if (clients.length < 5 && s.bytesOut > 20_000 * (clients.length + 1)) clients.push({ snapshot: s.snapshot().data, after: [] });
    });
    await waitFor(() => s.title === 'ready', 20_000, 'title "ready"');
    await s.whenIdleWritten();
    expect(clients.length).toBe(5);
    const live = liveScreen(s);
    expect(live.lines[6]).toMatch(/^.{6}end/);
    for (let k = 0; k < clients.length; k++) {
      const client = await clientFed(70, 20, clients[k]!.snapshot + clients[k]!.after.join(''));
      expect(describeScreenDifference(screenState(client.term), live), `client ${k}`).toBeUndefined();
      expect(bufferLines(client.term, 5000), `client ${k} scrollback`).toEqual(s.scrollbackText(5000));
    }
  });
});

describe('re-attach at a chunk boundary inside an escape sequence', () => {
  it('a snapshot taken there plus the data after it equals the final screen', async () => {
    // The child writes one step per key, so every step ends a PTY chunk; three of them end
    // inside an escape sequence (CSI, OSC, a lone ESC).
    const code = String.raw`
process.stdin.setRawMode(true);
const steps = ['line one\r\n\x1b[3', '1mred\x1b[0m after\r\n\x1b]0;ti', 'tle\x07more \x1b', '[1mbold\x1b[0m\r\n\x1b]0;ready\x07'];
let k = 0;
process.stdout.write(steps[k++]);
process.stdin.on('data', () => { if (k < steps.length) process.stdout.write(steps[k++]); });
`;
    const s = sessions.start(nodeSpec(code, { cols: 40, rows: 6 }));
    let raw = '';
    const clients: Array<{ snapshot: string; after: string[] }> = [];
    s.on('data', (d) => {
      raw += d;
      for (const c of clients) c.after.push(d);
    });
    for (const end of ['\x1b[3', '\x1b]0;ti', 'more \x1b']) {
      await waitFor(() => raw.endsWith(end), 10_000, `output ending ${JSON.stringify(end)}`);
      await s.whenIdleWritten();
      clients.push({ snapshot: s.snapshot().data, after: [] });
      s.write('x');
    }
    await waitFor(() => s.title === 'ready', 10_000, 'title "ready"');
    await s.whenIdleWritten();
    const live = liveScreen(s);
    expect(live.lines.slice(0, 3)).toEqual(['line one', 'red after', 'more bold']);
    for (const [k, c] of clients.entries()) {
      const client = await clientFed(40, 6, c.snapshot + c.after.join(''));
      expect(describeScreenDifference(screenState(client.term), live), `client ${k}`).toBeUndefined();
    }
  });
});

describe('splitIncompleteEscape', () => {
  it.each([
    ['plain text', 'plain text', ''],
    ['abc\x1b', 'abc', '\x1b'],
    ['abc\x1b[3', 'abc', '\x1b[3'],
    ['abc\x1b[31m', 'abc\x1b[31m', ''],
    ['abc\x1b[?104', 'abc', '\x1b[?104'],
    ['x\x1b]0;title', 'x', '\x1b]0;title'],
    ['x\x1b]0;title\x07y', 'x\x1b]0;title\x07y', ''],
    ['x\x1b]0;title\x1b', 'x', '\x1b]0;title\x1b'],
    ['x\x1b]0;t\x1b\\y', 'x\x1b]0;t\x1b\\y', ''],
    ['x\x1b(', 'x', '\x1b('],
    ['x\x1b(B', 'x\x1b(B', ''],
    ['x\x1b7', 'x\x1b7', ''],
    ['x\x1b[1;2', 'x', '\x1b[1;2'],
  ])('%j', (chunk, complete, tail) => {
    expect(splitIncompleteEscape(chunk)).toEqual([complete, tail]);
  });

  it('does not hold back a huge unterminated string', () => {
    const chunk = 'a\x1b]52;c;' + 'x'.repeat(70_000);
    expect(splitIncompleteEscape(chunk)).toEqual([chunk, '']);
  });
});
