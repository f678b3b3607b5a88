import { afterEach, describe, expect, it } from 'vitest';
import { nodeSpec, Sessions, waitForExit } from './helpers.js';

const sessions = new Sessions();
afterEach(() => sessions.disposeAll());

const LINES = 200_000;
/** Line i as the child writes it (the same expression runs in the child). */
const line = (i: number): string => `\x1b[3${i % 8}mline ${i} ${'x'.repeat(80)}\x1b[0m\n`;

describe('flow control', () => {
  it('a child writing ~20 MB fast loses no byte and its last line is visible', async () => {
    const code = `
const line = (i) => \`\\x1b[3\${i % 8}mline \${i} \${'x'.repeat(80)}\\x1b[0m\\n\`;
let batch = [];
for (let i = 0; i < ${LINES}; i++) {
  batch.push(line(i));
  if (batch.length === 500) { process.stdout.write(batch.join('')); batch = []; }
}
process.stdout.write(batch.join('') + 'LAST LINE\\n');
`;
    let written = 0;
    for (let i = 0; i < LINES; i++) written += Buffer.byteLength(line(i)) + 1; // +1: ONLCR turns \n into \r\n
    written += 'LAST LINE\r\n'.length;
    expect(written).toBeGreaterThan(20_000_000);

    const s = sessions.start(nodeSpec(code, { cols: 120, rows: 30 }));
    let emitted = 0;
    s.on('data', (d) => (emitted += Buffer.byteLength(d)));
    const exit = await waitForExit(s, 120_000);
    expect(exit.code).toBe(0);
    expect(s.bytesOut).toBe(written);
    expect(emitted).toBe(written);
    expect(s.screenText(2)).toEqual(['LAST LINE', '']);
    expect(s.scrollbackText(2)).toEqual([`line ${LINES - 1} ${'x'.repeat(80)}`, 'LAST LINE']);
    // Informational: how often the PTY was paused because xterm fell behind.
    console.log(`flow control: ${(written / 1e6).toFixed(1)} MB, ${s.flowPauses} pause(s)`);
  });
});

describe('flow control with low watermarks', () => {
  it('pauses and resumes the PTY many times without losing a byte, also when the child exits while paused', async () => {
    const code = `
const chunk = '\\x1b[32m' + 'z'.repeat(4000) + '\\x1b[0m\\n';
for (let i = 0; i < 500; i++) process.stdout.write(chunk);
process.stdout.write('BYE\\n');
process.exit(0);
`;
    const per = Buffer.byteLength('\x1b[32m' + 'z'.repeat(4000) + '\x1b[0m\r\n');
    const written = 500 * per + 'BYE\r\n'.length;
    for (let run = 0; run < 3; run++) {
      const s = sessions.start(nodeSpec(code, { cols: 100, rows: 10, flowControl: { pauseBytes: 1, resumeBytes: 1 } }));
      const exit = await waitForExit(s, 60_000);
      expect(exit.code).toBe(0);
      expect(s.flowPauses).toBeGreaterThan(0);
      expect(s.bytesOut).toBe(written);
      expect(s.scrollbackText(1)).toEqual(['BYE']);
    }
  });

  it('reads the tail of a child that exits while the daemon is busy (libuv EOF on POLLHUP, node-pty exit timer)', async () => {
    const code = `
const chunk = 'q'.repeat(4000) + '\\n';
for (let i = 0; i < 500; i++) process.stdout.write(chunk);
process.stdout.write('TAIL\\n');
process.exit(0);
`;
    const written = 500 * 4002 + 'TAIL\r\n'.length;
    for (let run = 0; run < 3; run++) {
      const s = sessions.start(nodeSpec(code, { cols: 100, rows: 10 }));
      // A busy event loop: every chunk costs 2 ms of CPU, so the child finishes and exits long
      // before its output is read. Without the tail read this loses KiBs in most runs.
      s.on('data', () => {
        const t = Date.now();
        while (Date.now() - t < 2);
      });
      const exit = await waitForExit(s, 60_000);
      expect(exit).toEqual({ code: 0, signal: undefined, reason: 'exited with code 0' });
      expect(s.bytesOut).toBe(written);
      expect(s.scrollbackText(1)).toEqual(['TAIL']);
    }
  });

  it('rejects inconsistent watermarks', () => {
    expect(() => sessions.start(nodeSpec('0', { flowControl: { pauseBytes: 10, resumeBytes: 20 } }))).toThrow(/flow control/);
  });
});
