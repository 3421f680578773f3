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
  /** Closes the kept fds of every pid `isLive` rejects: processes that exited since, which nothing reads again. */
  retain(isLive: (pid: number) => boolean): void;
  openFds(): number;
  close(): void;
}

/**
 * Reads `<procRoot>/<pid>/<name>` with `readSync` at position 0 on an fd kept open across ticks, within `fdBudget`.
 * A kept fd of an exited process fails with ESRCH, so it can never read whoever gets the pid next.
 */
export function procFiles({ procRoot, fdBudget, fs = nodeFs }: ProcFilesOptions): ProcFiles {
  // pid → file name → fd; keyed by number so that the hot path builds no strings.
  const fds = new Map<number, Map<string, number>>();
  let open = 0;
  let buf = Buffer.allocUnsafe(4096);
  // Only stat can hold non-ASCII (the comm); latin1 decodes the rest faster.
  const readAll = (fd: number, name: string): string => {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      if (n < buf.length) return buf.toString(name === 'stat' ? 'utf8' : 'latin1', 0, n);
      buf = Buffer.allocUnsafe(buf.length * 2);
    }
  };
  const drop = (pid: number, name: string): void => {
    const files = fds.get(pid);
    const fd = files?.get(name);
    if (fd === undefined) return;
    files!.delete(name);
    if (files!.size === 0) fds.delete(pid);
    open -= 1;
    try { fs.closeSync(fd); } catch { /* already unusable */ }
  };
  return {
    read(pid, name, keep = true) {
      let fd = fds.get(pid)?.get(name);
      try {
        if (fd !== undefined) return readAll(fd, name);
        fd = fs.openSync(`${procRoot}/${pid}/${name}`, 'r');
        if (keep && open < fdBudget) {
          let files = fds.get(pid);
          if (!files) fds.set(pid, (files = new Map()));
          files.set(name, fd);
          open += 1;
          return readAll(fd, name);
        }
        try { return readAll(fd, name); } finally { fs.closeSync(fd); }
      } catch (error) {
        drop(pid, name);
        return { code: String((error as NodeJS.ErrnoException).code ?? 'EIO') };
      }
    },
    forget(pid) { for (const name of [...(fds.get(pid)?.keys() ?? [])]) drop(pid, name); },
    retain(isLive) { for (const [pid, files] of [...fds]) if (!isLive(pid)) for (const name of [...files.keys()]) drop(pid, name); },
    openFds: () => open,
    close() { for (const [pid, files] of [...fds]) for (const name of [...files.keys()]) drop(pid, name); },
  };
}
