#!/usr/bin/env node
import { main } from './main.js';

// The reader of stdout may leave at any time (`| head -1`); sinks see EPIPE and complete, and a late one is no failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
// process.exitCode rather than process.exit(), so buffered stdout still flushes. main() never rejects.
void main(process.argv.slice(2), process).then((code) => {
  process.exitCode = code;
});
