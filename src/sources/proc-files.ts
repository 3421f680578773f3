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
  /** Closes the kept fds of a pid that is gone. */
  forget(pid: number): void;
  openFds(): number;
  close(): void;
}

const KEPT = ['stat', 'statm', 'io'];

/**
 * Reads `<procRoot>/<pid>/<name>` with `readSync` at position 0 on an fd kept open across ticks, within `fdBudget`.
 * A kept fd of an exited process fails with ESRCH, so it can never read whoever gets the pid next.
 */
export function procFiles({ procRoot, fdBudget, fs = nodeFs }: ProcFilesOptions): ProcFiles {
  const fds = new Map<string, number>();
  let buf = Buffer.allocUnsafe(4096);
  const readAll = (fd: number): string => {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      if (n < buf.length) return buf.toString('utf8', 0, n);
      buf = Buffer.allocUnsafe(buf.length * 2);
    }
  };
  const drop = (key: string): void => {
    const fd = fds.get(key);
    if (fd === undefined) return;
    fds.delete(key);
    try { fs.closeSync(fd); } catch { /* already unusable */ }
  };
  return {
    read(pid, name, keep = true) {
      const key = `${pid}/${name}`;
      let fd = fds.get(key);
      try {
        if (fd !== undefined) return readAll(fd);
        fd = fs.openSync(`${procRoot}/${key}`, 'r');
        if (keep && fds.size < fdBudget) {
          fds.set(key, fd);
          return readAll(fd);
        }
        try { return readAll(fd); } finally { fs.closeSync(fd); }
      } catch (error) {
        drop(key);
        return { code: String((error as NodeJS.ErrnoException).code ?? 'EIO') };
      }
    },
    forget(pid) { for (const name of KEPT) drop(`${pid}/${name}`); },
    openFds: () => fds.size,
    close() { for (const key of [...fds.keys()]) drop(key); },
  };
}
