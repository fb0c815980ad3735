#!/usr/bin/env node
// The `hyperstream` binary: parse → dispatch → exit code. Everything else lives in cli.ts.
import { runCli } from './cli.js';

// A reader that goes away (`hyperstream online status | head -1`) ends the command quietly: no
// "write EPIPE" crash, exit 0 as for any consumer that has read all it wanted.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  self: { command: process.execPath, args: [...process.execArgv, process.argv[1]!] },
});
process.exitCode = code;
// A leaked handle (a driver's timer, a user tool's socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 500).unref();
