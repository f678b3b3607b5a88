#!/usr/bin/env node
// The bd command: the same beads command set as `gt bd`, so an agent trained on beads works
// unchanged (`bd ready --json` = `gt bd ready --json`).
process.env.NODE_ENV ??= 'production';
const { runCli } = await import('../dist/cli/main.js');
process.exitCode = await runCli(process.argv.slice(2), { asBd: true });
