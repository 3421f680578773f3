import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcStat } from '../../src/formats/parse-proc-stat.js';

/** A stat line as the kernel writes it: 52 fields, comm in parentheses. */
function statLine(pid: number, comm: string, over: { state?: string; utime?: number; start?: number } = {}): string {
  const { state = 'S', utime = 50, start = 98765 } = over;
  return `${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} 20 3 4 20 0 2 0 ${start} ` +
    '123456 789 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
}

describe('parseProcStat', () => {
  it('reads the times, threads and start ticks by position after the comm', () => {
    expect(parseProcStat(statLine(1234, 'node'))).toEqual({
      pid: 1234, comm: 'node', state: 'S', ppid: 1, utimeTicks: 50, stimeTicks: 20,
      cutimeTicks: 3, cstimeTicks: 4, threads: 2, startTicks: 98765,
    });
  });

  it('keeps a comm with spaces and parentheses such as `a) (b` whole', () => {
    const stat = parseProcStat(statLine(7, 'a) (b', { state: 'R', utime: 9 }));
    expect(stat?.comm).toBe('a) (b');
    expect(stat?.state).toBe('R');
    expect(stat?.utimeTicks).toBe(9);
  });

  it('keeps a comm that is only `) (`', () => {
    expect(parseProcStat(statLine(8, ') (', { start: 5 }))?.startTicks).toBe(5);
  });

  it('returns null for a stat line truncated before the start time', () => {
    const line = statLine(9, 'x');
    expect(parseProcStat(line.slice(0, line.indexOf(' 98765')))).toBeNull();
  });

  it('returns null for a line cut inside the comm, empty text or garbage', () => {
    expect(parseProcStat('12 (abc')).toBeNull();
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('hello world')).toBeNull();
  });

  it('reads only the first `length` bytes of a reused buffer, whatever an earlier read left after them', () => {
    const buf = Buffer.alloc(512, ' ');
    buf.write(statLine(4321, 'a much longer (comm)', { start: 11 }));
    const short = statLine(5, 'x', { start: 7 });
    const n = buf.write(short);
    expect(parseProcStat(buf, n)).toEqual(parseProcStat(short));
    expect(parseProcStat(buf, n)?.startTicks).toBe(7);
    expect(parseProcStat(buf, short.indexOf(' 7 '))).toBeNull(); // cut before the start time
  });

  it("parses this process's own stat", () => {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.threads).toBeGreaterThanOrEqual(1);
  });
});
