import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One fake process of a fixture /proc tree; times in clock ticks, memory in pages. */
export interface FakeProc {
  pid: number;
  comm?: string;
  state?: string;
  ppid?: number;
  utime?: number;
  stime?: number;
  cutime?: number;
  cstime?: number;
  threads?: number;
  start?: number;
  rssPages?: number;
  readBytes?: number;
  writeBytes?: number;
  cmdline?: string[];
}

/** A temporary directory laid out like /proc, for the sampler's `procRoot`. */
export class ProcFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'procstream-proc-'));
  constructor(bootTimeSec = 1_000) {
    writeFileSync(join(this.root, 'stat'), `cpu  1 2 3 4\nbtime ${bootTimeSec}\nprocesses 9\n`);
  }
  write(p: FakeProc): void {
    const { pid, comm = 'node', state = 'S', ppid = 1, utime = 0, stime = 0, cutime = 0, cstime = 0, threads = 1,
      start = 500, rssPages = 256, readBytes = 0, writeBytes = 0, cmdline = [comm] } = p;
    const dir = join(this.root, String(pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 0 0 0 0 ${utime} ${stime} ` +
      `${cutime} ${cstime} 20 0 ${threads} 0 ${start} 1000000 ${rssPages} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`);
    writeFileSync(join(dir, 'statm'), `1000 ${rssPages} 10 1 0 100 0\n`);
    writeFileSync(join(dir, 'io'), `rchar: 1\nwchar: 2\nsyscr: 0\nsyscw: 0\nread_bytes: ${readBytes}\nwrite_bytes: ${writeBytes}\ncancelled_write_bytes: 0\n`);
    writeFileSync(join(dir, 'cmdline'), cmdline.join('\0') + '\0');
  }
  /** Writes `uptime`: the boot clock, seconds, which tells the sampler which processes started since its last tick. */
  uptime(seconds: number): void {
    writeFileSync(join(this.root, 'uptime'), `${seconds.toFixed(2)} 0.00\n`);
  }
  writeRaw(pid: number, file: string, text: string): void {
    writeFileSync(join(this.root, String(pid), file), text);
  }
  remove(pid: number): void {
    rmSync(join(this.root, String(pid)), { recursive: true, force: true });
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
