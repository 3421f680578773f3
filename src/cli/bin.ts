#!/usr/bin/env node
import { packageVersion } from './help.js';

// The reader of stdout may leave at any time (`| head -1`); sinks see EPIPE and complete, and a late one is no failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
let finished = false;
// The first SIGINT, SIGTERM or SIGHUP (the terminal closed, or a supervisor's reload) asks the command to finish
// (flush the spill, print final summaries, exit 0); a second one ends the process at once with 128 + the signal
// number, and a command that has not finished within 2 s ends with 1 and says so on stderr.
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const stop = new Promise<void>((resolve) => {
  let asked = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (asked) process.exit(SIGNAL_EXIT[signal] ?? 1);
    asked = true;
    resolve();
    // Unref'd: a command that finishes in time lets the process exit on its own, with buffered output flushed.
    setTimeout(() => {
      if (!finished) process.stderr.write(`procstream: did not finish within 1.9 s of ${signal}; exiting\n`);
      process.exit(finished ? process.exitCode : 1);
    }, 1_900).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
});
const argv = process.argv.slice(2);
// A lone --version answers before main.js and its parsers load (8 modules): that keeps the cold start within 1.2× of
// `node -e 0` (bench/cold-start.mjs). main() answers it the same way for every other caller.
if (argv.length === 1 && (argv[0] === '-V' || argv[0] === '--version')) process.stdout.write(`${packageVersion()}\n`);
// process.exitCode rather than process.exit(), so buffered stdout still flushes. main() never rejects.
else void import('./main.js').then(({ main }) => main(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, stop })).then((code) => {
  finished = true;
  process.exitCode = code;
});
