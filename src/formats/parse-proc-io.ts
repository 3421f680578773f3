import { asBytes, NEWLINE, readUint, uintEnd } from './proc-bytes.js';

/** Storage bytes from `/proc/<pid>/io`. */
export interface ProcIo {
  readBytes: number;
  writeBytes: number;
}

const READ = Buffer.from('read_bytes: ');
const WRITE = Buffer.from('write_bytes: ');

/**
 * Parses `read_bytes` and `write_bytes` (bytes that reached the storage layer, not `rchar`/`wchar`, which count
 * cache hits and pipes). Returns null when either line is absent. Takes the text, or a buffer and how many of its
 * bytes were read.
 */
export function parseProcIo(text: string | Buffer, length?: number): ProcIo | null {
  const bytes = asBytes(text);
  const n = length ?? bytes.length;
  const readBytes = field(bytes, n, READ, 0);
  // write_bytes follows read_bytes in every kernel's layout; look from there first, then from the top
  const writeBytes = readBytes === null ? null : field(bytes, n, WRITE, fieldEnd) ?? field(bytes, n, WRITE, 0);
  return readBytes === null || writeBytes === null ? null : { readBytes, writeBytes };
}

let fieldEnd = 0;

/**
 * The number on a line (not the first) that starts with `label`, looking at the lines after offset `from`; sets
 * `fieldEnd` to the end of its digits. A loop over line starts beats Buffer.indexOf's binding call.
 */
function field(bytes: Buffer, length: number, label: Buffer, from: number): number | null {
  const size = label.length;
  let at = from;
  while (at < length && bytes[at] !== NEWLINE) at++;
  for (at++; at + size <= length;) {
    let i = 0;
    while (i < size && bytes[at + i] === label[i]) i++;
    if (i === size) {
      const value = readUint(bytes, at + size, length);
      fieldEnd = uintEnd.at;
      return value >= 0 && (uintEnd.at === length || bytes[uintEnd.at] === NEWLINE) ? value : null;
    }
    while (at < length && bytes[at] !== NEWLINE) at++;
    at++;
  }
  return null;
}
