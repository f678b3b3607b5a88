/**
 * The README's key reference is generated from the command table: this fails when it is stale
 * (lazygit's generated cheatsheets). Regenerate with
 * `UPDATE_README_KEYS=1 npx vitest run test/tui/readme-keys.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/tui/keys/commands.js';
import { keyReferenceMarkdown } from '../../src/tui/keys/help.js';
import { buildKeymap } from '../../src/tui/keys/keymap.js';
import { ROOT } from '../cli/helpers.js';

describe('README key reference', () => {
  it('matches the command table', () => {
    const file = join(ROOT, 'README.md');
    const text = readFileSync(file, 'utf8');
    const m = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(text);
    expect(m, 'README.md needs <!-- keys:start --> … <!-- keys:end --> markers').toBeTruthy();
    const want = keyReferenceMarkdown(buildKeymap(COMMANDS, {}), COMMANDS).trim();
    if (process.env.UPDATE_README_KEYS && m![1] !== want) {
      writeFileSync(file, text.replace(m![0], `<!-- keys:start -->\n${want}\n<!-- keys:end -->`));
      return;
    }
    expect(m![1]).toBe(want);
  });
});
