import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAsciicast, renderRecording } from '../../src/sessions/replay.js';
import { bashSpec, Sessions, tempDir, waitForExit, waitForScreen } from './helpers.js';

const sessions = new Sessions();
const cleanups: Array<() => void> = [];
afterEach(() => {
  sessions.disposeAll();
  for (const c of cleanups.splice(0)) c();
});

function tmp(): string {
  const { dir, cleanup } = tempDir('gt-cast-');
  cleanups.push(cleanup);
  return dir;
}

describe('asciicast recording', () => {
  it('records output, input and resizes; the file parses and replays to the final screen', async () => {
    const file = join(tmp(), 'casts', 'polecat-1.cast'); // the directory is created
    const script = 'printf "\\033[1;32mgreen\\033[0m start\\n"; read -r a; echo "typed:$a"; read -r b; tput cols; stty size; for i in $(seq 1 40); do echo "row $i"; done; printf "\\033[3;5Hmark"';
    const s = sessions.start(bashSpec(script, { cols: 60, rows: 12, recordFile: file }));
    await waitForScreen(s, 'green start');
    s.write('hello\r');
    await waitForScreen(s, 'typed:hello');
    await s.whenIdleWritten();
    s.resize(70, 15);
    s.write('\r');
    const exit = await waitForExit(s);
    expect(exit.code).toBe(0);
    const live = s.screenText();
    expect(live[2]).toBe('row mark'); // "row NN" overwritten at column 5 by the final cursor move
    expect(live).toContain('row 40');

    const cast = readAsciicast(file);
    expect(cast.header).toMatchObject({ version: 2, width: 60, height: 12, env: { TERM: 'xterm-256color' } });
    expect(cast.header.title).toContain(s.id);
    expect(Math.abs(cast.header.timestamp! - s.startedAt / 1000)).toBeLessThanOrEqual(1);
    const codes = new Set(cast.events.map((e) => e[1]));
    expect(codes).toEqual(new Set(['o', 'i', 'r']));
    expect(cast.events.filter((e) => e[1] === 'i').map((e) => e[2])).toEqual(['hello\r', '\r']);
    expect(cast.events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['70x15']);
    const times = cast.events.map((e) => e[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const output = cast.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(Buffer.byteLength(output)).toBe(s.bytesOut);
    expect(output).toContain('70\r\n15 70');

    expect(await renderRecording(file)).toEqual(live);
  });

  it('records a start failure, and a recording ends well-formed on exit', async () => {
    const file = join(tmp(), 'fail.cast');
    const s = sessions.start(bashSpec('', { command: 'gt-missing-agent', recordFile: file, env: { PATH: '/nonexistent' } }));
    await new Promise((r) => s.once('exit', r));
    const cast = readAsciicast(file);
    expect(cast.events).toHaveLength(1);
    expect(cast.events[0]![2]).toContain('gt: cannot start gt-missing-agent');
    expect((await renderRecording(file))[0]).toBe('gt: cannot start gt-missing-agent: not found on PATH (/nonexistent)');
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });
});

describe('readAsciicast / renderRecording', () => {
  it('reads a hand-written file, skips a torn last line, applies resizes unless a size is forced', async () => {
    const file = join(tmp(), 'hand.cast');
    writeFileSync(file, [
      JSON.stringify({ version: 2, width: 10, height: 3, timestamp: 1, env: { TERM: 'xterm-256color' }, title: 't' }),
      JSON.stringify([0.1, 'o', 'abcdefghijKL']),
      JSON.stringify([0.2, 'r', '20x3']),
      JSON.stringify([0.3, 'o', '\r\n0123456789012345678']),
      JSON.stringify([0.4, 'i', 'ignored input']),
      '[0.5, "o", "tor',
    ].join('\n'));
    const cast = readAsciicast(file);
    expect(cast.events).toHaveLength(4);
    expect(cast.header.title).toBe('t');
    expect(await renderRecording(file)).toEqual(['abcdefghij', 'KL', '0123456789012345678']);
    expect(await renderRecording(file, 10, 3)).toEqual(['KL', '0123456789', '012345678']);
  });

  it.each([
    ['not JSON', 'hello\n', /not JSON/],
    ['wrong version', JSON.stringify({ version: 1, width: 1, height: 1 }) + '\n', /not an asciicast v2 header/],
    ['bad size', JSON.stringify({ version: 2, width: 0, height: 1 }) + '\n', /width\/height/],
    ['empty', '', /empty recording/],
    ['bad event in the middle', JSON.stringify({ version: 2, width: 5, height: 2 }) + '\n[1, "x", "?"]\n[2, "o", "ok"]\n', /event must be/],
  ])('rejects %s with JSONL_PARSE', (_name, text, message) => {
    const file = join(tmp(), 'bad.cast');
    writeFileSync(file, text);
    expect(() => readAsciicast(file)).toThrow(expect.objectContaining({ code: 'JSONL_PARSE', message: expect.stringMatching(message) }));
  });

  it('reports a missing file as NOT_FOUND and skips an appended second header', () => {
    expect(() => readAsciicast('/nonexistent/x.cast')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const file = join(tmp(), 'two.cast');
    const header = JSON.stringify({ version: 2, width: 5, height: 2 });
    writeFileSync(file, `${header}\n[0.1,"o","a"]\n`);
    appendFileSync(file, `${header}\n[0.1,"o","b"]\n`);
    expect(readAsciicast(file).events.map((e) => e[2])).toEqual(['a', 'b']);
  });
});
