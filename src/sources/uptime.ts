import type { ProcFs } from './proc-files.js';

/** The boot clock in clock ticks, read on demand; `undefined` when `<procRoot>/uptime` is unreadable. */
export interface UptimeTicks {
  (): number | undefined;
  close(): void;
}

/**
 * Reads `<procRoot>/uptime` on a kept fd. Its first field is CLOCK_BOOTTIME in seconds with centisecond digits, the
 * clock of a process's start time (stat field 22), so "started after the previous tick" needs no wall-clock guess:
 * `btime` has whole seconds only.
 */
export function uptimeTicks(procRoot: string, clockTicksPerSec: number, fs: ProcFs): UptimeTicks {
  let fd: number | undefined;
  const buf = Buffer.allocUnsafe(64);
  const read = (): number | undefined => {
    try {
      fd ??= fs.openSync(`${procRoot}/uptime`, 'r');
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      const seconds = Number.parseFloat(buf.toString('latin1', 0, n));
      return Number.isFinite(seconds) ? Math.floor(seconds * clockTicksPerSec + 1e-6) : undefined;
    } catch {
      return undefined;
    }
  };
  return Object.assign(read, {
    close() {
      if (fd !== undefined) { try { fs.closeSync(fd); } catch { /* already unusable */ } }
      fd = undefined;
    },
  });
}
