import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseProcStat } from '../../src/formats/parse-proc-stat.js';
import { parseProcStatm } from '../../src/formats/parse-proc-statm.js';
import { parseProcIo } from '../../src/formats/parse-proc-io.js';

// Real files of this process and of pid 1, mutated: what a racing exit, a hostile comm or a kernel change could hand us.
const real = {
  stat: [readFileSync('/proc/self/stat', 'utf8'), readFileSync('/proc/1/stat', 'utf8')],
  statm: [readFileSync('/proc/self/statm', 'utf8'), readFileSync('/proc/1/statm', 'utf8')],
  io: [readFileSync('/proc/self/io', 'utf8')],
};

/** One mutation of `text`: cut it, flip a byte, insert hostile text, or blow a number up. */
const mutation = fc.oneof(
  fc.nat().map((at) => (t: string) => t.slice(0, at % (t.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xffff })).map(([at, c]) => (t: string) => {
    const i = at % t.length;
    return t.slice(0, i) + String.fromCharCode(c) + t.slice(i + 1);
  }),
  fc.tuple(fc.nat(), fc.constantFrom(')', ') ', ' ) (', '((', ') R 1 ', '\n', ' ', '-', '--1', '\0', 'read_bytes: 1\n'))
    .map(([at, s]) => (t: string) => { const i = at % (t.length + 1); return t.slice(0, i) + s + t.slice(i); }),
  // inside the comm, where a process chooses the bytes
  fc.constantFrom(') (', ') 0 0 0', 'a) R 1 2', '))))', ' ', '\n').map((s) => (t: string) => t.replace('(', `(${s}`)),
  fc.tuple(fc.nat(), fc.constantFrom('9'.repeat(17), '9'.repeat(25), '9'.repeat(400), '18446744073709551615'))
    .map(([n, big]) => (t: string) => { let k = 0; return t.replace(/\d+/g, (d) => (k++ === n % 40 ? big : d)); }),
);
const mutated = (texts: string[]) => fc.tuple(fc.constantFrom(...texts), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([text, ms]) => ms.reduce((t, m) => m(t), text));

const finiteInts = (o: object) => Object.entries(o).filter(([, v]) => typeof v === 'number').every(([, v]) => Number.isSafeInteger(v));

describe('the /proc parsers on mutated real files', () => {
  it('parse the real files unchanged', () => {
    expect(parseProcStat(real.stat[0] as string)).toMatchObject({ pid: process.pid, state: 'R' });
    expect(parseProcStat(real.stat[1] as string)).toMatchObject({ pid: 1 });
    expect(parseProcStatm(real.statm[0] as string)).toBeGreaterThan(0);
    expect(parseProcIo(real.io[0] as string)).toEqual({ readBytes: expect.any(Number), writeBytes: expect.any(Number) });
  });

  it('parseProcStat returns null or whole numbers that fit a double exactly, and never throws', () => {
    fc.assert(fc.property(mutated(real.stat), (text) => {
      const stat = parseProcStat(text);
      if (stat !== null) {
        expect(finiteInts(stat), JSON.stringify(stat)).toBe(true);
        expect(stat.state).toHaveLength(1);
      }
    }), { numRuns: 2000 });
  });

  it('parseProcStatm returns null or a safe non-negative integer', () => {
    fc.assert(fc.property(mutated(real.statm), (text) => {
      const pages = parseProcStatm(text);
      if (pages !== null) expect(Number.isSafeInteger(pages) && pages >= 0).toBe(true);
    }), { numRuns: 1000 });
  });

  it('parseProcIo returns null or safe non-negative integers', () => {
    fc.assert(fc.property(mutated(real.io), (text) => {
      const io = parseProcIo(text);
      if (io !== null) expect(finiteInts(io) && io.readBytes >= 0 && io.writeBytes >= 0, JSON.stringify(io)).toBe(true);
    }), { numRuns: 1000 });
  });

  it('read a comm full of parentheses and spaces as the kernel wrote it', () => {
    const text = (real.stat[0] as string).replace(/\(.*\)/s, '(a) (b) R 1 2)');
    expect(parseProcStat(text)).toMatchObject({ pid: process.pid, comm: 'a) (b) R 1 2' });
  });
});
