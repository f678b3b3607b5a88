#!/usr/bin/env node
// The gt command. NODE_ENV must be set before anything imports React (STACK.md: the
// development build costs 3-8 ms a frame), so it is set here, before the CLI loads.
process.env.NODE_ENV ??= 'production';
const { runCli } = await import('../dist/cli/main.js');
process.exitCode = await runCli(process.argv.slice(2));
