/**
 * Where the pinned agent CLIs are installed: outside the source tree, in the project's own
 * `node_modules/.cache/gastown-agent-clis` (ensure.mjs copies this folder's package.json and
 * lockfile there and runs `npm ci`), so no third-party code sits under test/. ensure.mjs
 * computes the same path.
 */
import { join, resolve } from 'node:path';

/** The install folder (holds package.json, package-lock.json and node_modules/). */
export const AGENT_CLIS_DIR = join(resolve(import.meta.dirname, '..', '..'), 'node_modules', '.cache', 'gastown-agent-clis');

/** The folder with the `claude`, `codex` and `gemini` bins. */
export const AGENT_CLIS_BIN = join(AGENT_CLIS_DIR, 'node_modules', '.bin');
