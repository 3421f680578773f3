import * as nodeFs from 'node:fs';

/** The fs calls a kept file makes; tests inject faults where the kernel cannot be made to fail. */
export type KeptFileFs = Pick<typeof nodeFs, 'openSync' | 'readSync' | 'closeSync'>;

/** A small kernel file (cgroup or /proc) read again every tick on one open descriptor. */
export interface KeptFile {
  /** The whole file now, or the errno code of a failed open or read. */
  read(): string | { code: string };
  /** Whether a descriptor is open now. */
  isOpen(): boolean;
  close(): void;
}

/**
 * Opens `path` on first read and keeps the descriptor: each read is one `pread` at offset 0, which makes the kernel
 * generate the file afresh (cgroupfs and /proc are seq_files). A failed read closes it, so the next read opens the
 * path again: a cgroup that was removed and created anew is read from its new directory.
 */
export function keptFile(path: string, fs: KeptFileFs = nodeFs): KeptFile {
  let fd: number | undefined;
  let buffer = Buffer.allocUnsafe(1024);
  const close = (): void => {
    if (fd === undefined) return;
    try { fs.closeSync(fd); } catch { /* already unusable */ }
    fd = undefined;
  };
  return {
    read() {
      try {
        fd ??= fs.openSync(path, 'r');
        for (;;) {
          const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
          if (n < buffer.length) return buffer.toString('latin1', 0, n);
          buffer = Buffer.allocUnsafe(buffer.length * 2);
        }
      } catch (error) {
        close();
        return { code: String((error as NodeJS.ErrnoException).code ?? 'EIO') };
      }
    },
    isOpen: () => fd !== undefined,
    close,
  };
}
