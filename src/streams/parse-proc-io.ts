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
  const readBytes = field(text, '\nread_bytes: ');
  const writeBytes = field(text, '\nwrite_bytes: ');
  return readBytes === null || writeBytes === null ? null : { readBytes, writeBytes };
}

function field(text: string, label: string): number | null {
  const at = text.indexOf(label);
  if (at < 0) return null;
  const end = text.indexOf('\n', at + label.length);
  const value = text.slice(at + label.length, end < 0 ? undefined : end);
  return /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : null;
}
