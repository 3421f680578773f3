import { asBytes, MINUS, readUint, SPACE, uintEnd } from './proc-bytes.js';

/** The fields of `/proc/<pid>/stat` that sampling uses; times are in clock ticks. */
export interface ProcStat {
  pid: number;
  /** The command name as the kernel keeps it (up to 15 bytes); may hold spaces and parentheses. */
  comm: string;
  /** One-letter state: R, S, D, Z, T, X, … */
  state: string;
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
  /** CPU of reaped children (and their reaped children), user mode. */
  cutimeTicks: number;
  cstimeTicks: number;
  threads: number;
  /** Start time after boot, clock ticks. With the pid it forms the process identity. */
  startTicks: number;
}

// Fields after the comm, counted from `state` (field 3 in proc(5)).
const PPID = 1, UTIME = 11, STIME = 12, CUTIME = 13, CSTIME = 14, THREADS = 17, START = 19;

/**
 * Parses one `/proc/<pid>/stat` line, or returns null when it is truncated or malformed. The comm is everything
 * between the first `(` and the *last* `)`, because a process may name itself `a) (b`. Takes the text, or a buffer
 * and how many of its bytes were read.
 */
export function parseProcStat(text: string | Buffer, length?: number): ProcStat | null {
  const bytes = asBytes(text);
  const n = length ?? bytes.length;
  // V8's own typed-array searches: Buffer's indexOf/lastIndexOf go through a Node binding that costs more here.
  const open = byteIndexOf.call(bytes, OPEN);
  const close = n > 0 ? byteLastIndexOf.call(bytes, CLOSE, n - 1) : -1;
  if (open < 2 || open >= n || close <= open || bytes[close + 1] !== SPACE || bytes[close + 3] !== SPACE || close + 3 >= n) return null;
  const pid = readUint(bytes, 0, open - 1);
  if (pid < 0 || uintEnd.at !== open - 1 || !Number.isSafeInteger(pid)) return null;
  // Read the integers up to the start time in place, without splitting: this runs for every pid on every tick.
  const fields = FIELDS;
  let count = 0;
  for (let at = close + 4; count < START;) {
    const negative = bytes[at] === MINUS;
    if (negative) at += 1;
    const value = readUint(bytes, at, n);
    at = uintEnd.at;
    if (value < 0 || at >= n || bytes[at] !== SPACE) return null; // truncated or not a number
    fields[count++] = negative ? -value : value;
    at += 1;
  }
  return {
    pid,
    comm: commOf(bytes, open + 1, close),
    state: String.fromCharCode(bytes[close + 2] as number),
    ppid: fields[PPID - 1]!,
    utimeTicks: fields[UTIME - 1]!,
    stimeTicks: fields[STIME - 1]!,
    cutimeTicks: fields[CUTIME - 1]!,
    cstimeTicks: fields[CSTIME - 1]!,
    threads: fields[THREADS - 1]!,
    startTicks: fields[START - 1]!,
  };
}

const OPEN = 0x28, CLOSE = 0x29;
const byteIndexOf = Uint8Array.prototype.indexOf;
const byteLastIndexOf = Uint8Array.prototype.lastIndexOf;
const FIELDS: number[] = new Array<number>(START).fill(0);

// A comm is decoded on every tick for every pid, and rarely changes: keep the last string per slot of its bytes.
const COMM_SLOTS = 1024;
const commBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(COMM_SLOTS).fill(undefined);
const commText: string[] = new Array<string>(COMM_SLOTS).fill('');

function commOf(bytes: Buffer, from: number, to: number): string {
  let hash = to - from;
  let ascii = true;
  for (let i = from; i < to; i++) {
    const c = bytes[i] as number;
    hash = (hash * 31 + c) | 0;
    if (c >= 0x80) ascii = false;
  }
  if (!ascii) return bytes.toString('utf8', from, to);
  const slot = hash & (COMM_SLOTS - 1);
  const known = commBytes[slot];
  if (known !== undefined && known.length === to - from) {
    let i = 0;
    while (i < known.length && known[i] === bytes[from + i]) i++;
    if (i === known.length) return commText[slot] as string;
  }
  const text = bytes.toString('latin1', from, to);
  commBytes[slot] = Buffer.from(bytes.subarray(from, to));
  commText[slot] = text;
  return text;
}

/**
 * Whether a stat line is a thread's rather than a process's: `exit_signal` (field 38) is -1 only for a thread. A
 * thread's id is not listed in /proc but can be opened there (`/proc/<tid>/stat`), so a probe by pid must tell.
 */
export function isThreadStat(text: string | Buffer, length?: number): boolean {
  const bytes = asBytes(text);
  const n = length ?? bytes.length;
  let at = byteLastIndexOf.call(bytes, CLOSE, Math.max(0, n - 1)) + 2; // field 3, the state
  for (let field = 3; field < EXIT_SIGNAL && at > 1 && at < n; field++) at = byteIndexOf.call(bytes, SPACE, at) + 1;
  return at > 1 && bytes[at] === MINUS;
}

const EXIT_SIGNAL = 38;
