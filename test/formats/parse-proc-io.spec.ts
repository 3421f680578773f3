import { describe, expect, it } from 'vitest';
import { parseProcIo } from '../../src/formats/parse-proc-io.js';
import { parseProcStatm } from '../../src/formats/parse-proc-statm.js';
import { percentOfCore } from '../../src/formats/percent-of-core.js';

const io = 'rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n';

describe('parseProcIo', () => {
  it('reads storage bytes, not rchar/wchar', () => {
    expect(parseProcIo(io)).toEqual({ readBytes: 4096, writeBytes: 8192 });
  });
  it('returns null when write_bytes is missing', () => {
    expect(parseProcIo('read_bytes: 1\n')).toBeNull();
  });
  it('reads only the first `length` bytes of a reused buffer', () => {
    const buf = Buffer.from(io);
    const n = buf.write('rchar: 1\nread_bytes: 7\nwrite_bytes: 9\n');
    expect(parseProcIo(buf, n)).toEqual({ readBytes: 7, writeBytes: 9 });
    expect(parseProcIo(buf, n - 4)).toBeNull(); // write_bytes cut: no newline, not the old value behind
    expect(parseProcStatm(Buffer.from('1000 250 30 1 0 100 0\n'), 8)).toBeNull();
  });
});

describe('parseProcStatm', () => {
  it('returns the resident pages, the second field', () => {
    expect(parseProcStatm('1000 250 30 1 0 100 0\n')).toBe(250);
  });
  it('returns null for a truncated statm', () => {
    expect(parseProcStatm('1000')).toBeNull();
  });
});

describe('percentOfCore', () => {
  it('gives 100 for one CPU second per wall second', () => {
    expect(percentOfCore(1, 3, 2000)).toBe(100);
  });
  it('gives null without a wall interval, and never a negative share', () => {
    expect(percentOfCore(1, 2, 0)).toBeNull();
    expect(percentOfCore(5, 2, 1000)).toBe(0);
  });
});
