import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/main.js';

/** A CliIo over in-memory streams; `out()` and `err()` return what was written so far. */
export function fakeIo(options: { isTTY?: boolean; env?: Record<string, string> } = {}) {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.isTTY ?? false, columns: 80 });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  const io: CliIo = { stdout, stderr, stdin: Readable.from([]), env: options.env ?? {}, now: () => Date.parse('2026-11-26T15:00:00Z') };
  return { io, out: () => Buffer.concat(chunks.out).toString(), err: () => Buffer.concat(chunks.err).toString() };
}
