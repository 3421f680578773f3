import * as nodeFs from 'node:fs';

/** The synchronous fs calls the /proc reader makes; tests inject faults (EACCES) where a real /proc cannot. */
export type ProcFs = Pick<typeof nodeFs, 'openSync' | 'readSync' | 'closeSync' | 'readdirSync'>;

/** Options of {@link procFiles}. */
export interface ProcFilesOptions {
  procRoot: string;
  /** Most fds kept open; reads beyond it open, read and close. */
  fdBudget: number;
  fs?: ProcFs;
}

/** Reads small /proc files; a failed read gives its errno code (`ENOENT`, `ESRCH`, `EACCES`) rather than throwing. */
export interface ProcFiles {
  read(pid: number, name: string, keep?: boolean): string | { code: string };
  /**
   * Reads into {@link ProcFiles.bytes} and returns how many bytes were read: no string, no allocation. The bytes
   * stay valid until the next read.
   */
  readBytes(pid: number, name: string, keep?: boolean): number | { code: string };
  /** The buffer of the last `readBytes`. */
  bytes(): Buffer;
  /** Closes the kept fds of a pid that is gone. */
  forget(pid: number): void;
  /** Closes the kept fds of every pid `isLive` rejects: processes that exited since, which nothing reads again. */
  retain(isLive: (pid: number) => boolean): void;
  openFds(): number;
  close(): void;
}

/** File names get a small number, so a kept fd is found by one Map lookup on a number (pid × SLOTS + name). */
const SLOTS = 8;

/**
 * Reads `<procRoot>/<pid>/<name>` with `readSync` at position 0 (a pread: no seek, no fstat) into one reused buffer,
 * on an fd kept open across ticks, within `fdBudget`. A kept fd of an exited process fails with ESRCH, so it can
 * never read whoever gets the pid next.
 */
export function procFiles({ procRoot, fdBudget, fs = nodeFs }: ProcFilesOptions): ProcFiles {
  const fds = new Map<number, number>();
  const names: string[] = ['stat', 'statm', 'io'];
  let buf = Buffer.allocUnsafe(4096);
  const slotOf = (name: string): number => {
    let slot = names.indexOf(name);
    if (slot < 0 && names.length < SLOTS) slot = names.push(name) - 1;
    return slot;
  };
  const readAll = (fd: number): number => {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      if (n < buf.length) return n;
      buf = Buffer.allocUnsafe(buf.length * 2);
    }
  };
  const drop = (key: number): void => {
    const fd = fds.get(key);
    if (fd === undefined) return;
    fds.delete(key);
    try { fs.closeSync(fd); } catch { /* already unusable */ }
  };
  const readBytes = (pid: number, name: string, keep = true): number | { code: string } => {
    const slot = slotOf(name);
    const key = pid * SLOTS + slot;
    let fd = slot < 0 ? undefined : fds.get(key);
    try {
      if (fd !== undefined) return readAll(fd);
      fd = fs.openSync(`${procRoot}/${pid}/${name}`, 'r');
      if (keep && slot >= 0 && fds.size < fdBudget) {
        fds.set(key, fd);
        return readAll(fd);
      }
      try { return readAll(fd); } finally { fs.closeSync(fd); }
    } catch (error) {
      if (slot >= 0) drop(key);
      return { code: String((error as NodeJS.ErrnoException).code ?? 'EIO') };
    }
  };
  return {
    readBytes,
    read(pid, name, keep) {
      const n = readBytes(pid, name, keep);
      // Only stat can hold non-ASCII (the comm); latin1 decodes the rest faster.
      return typeof n === 'number' ? buf.toString(name === 'stat' ? 'utf8' : 'latin1', 0, n) : n;
    },
    bytes: () => buf,
    forget(pid) { for (let slot = 0; slot < names.length; slot++) drop(pid * SLOTS + slot); },
    retain(isLive) { for (const key of [...fds.keys()]) if (!isLive(Math.floor(key / SLOTS))) drop(key); },
    openFds: () => fds.size,
    close() { for (const key of [...fds.keys()]) drop(key); },
  };
}
