/** Storage bytes from `/proc/<pid>/io`. */
export interface ProcIo {
  readBytes: number;
  writeBytes: number;
}

/**
 * Parses `read_bytes` and `write_bytes` (bytes that reached the storage layer, not `rchar`/`wchar`, which count
 * cache hits and pipes). Returns null when either line is absent.
 */
export function parseProcIo(text: string): ProcIo | null {
  const read = /^read_bytes:\s*(\d+)$/m.exec(text);
  const write = /^write_bytes:\s*(\d+)$/m.exec(text);
  if (!read?.[1] || !write?.[1]) return null;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}
