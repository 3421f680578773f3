#!/usr/bin/env node
import { main } from './main.js';

// process.exitCode rather than process.exit(), so buffered stdout still flushes.
main(process.argv.slice(2), process).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { console.error(error); process.exitCode = 1; },
);
