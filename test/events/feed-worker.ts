// Runs `gt <argv>` from the sources in a real process (for the `gt feed --follow` SIGINT test).
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
