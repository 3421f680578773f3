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
const STATE = 0, PPID = 1, UTIME = 11, STIME = 12, CUTIME = 13, CSTIME = 14, THREADS = 17, START = 19;

/**
 * Parses one `/proc/<pid>/stat` line, or returns null when it is truncated or malformed. The comm is everything
 * between the first `(` and the *last* `)`, because a process may name itself `a) (b`.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 2 || close < open || text.charCodeAt(close + 1) !== SPACE || text.charCodeAt(close + 3) !== SPACE) return null;
  const pid = Number(text.slice(0, open - 1));
  if (!Number.isSafeInteger(pid)) return null;
  // Read the integers up to the start time in place, without splitting: this runs for every pid on every tick.
  const fields: number[] = [];
  for (let at = close + 4; fields.length < START;) {
    const negative = text.charCodeAt(at) === MINUS;
    if (negative) at += 1;
    let value = 0;
    const first = at;
    for (let c = text.charCodeAt(at); c >= ZERO && c <= NINE; c = text.charCodeAt(++at)) value = value * 10 + (c - ZERO);
    if (at === first || text.charCodeAt(at) !== SPACE || value > Number.MAX_SAFE_INTEGER) return null; // truncated, not a number, or inexact
    fields.push(negative ? -value : value);
    at += 1;
  }
  const num = (i: number): number => fields[i - 1]!;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: text.charAt(close + 2),
    ppid: num(PPID),
    utimeTicks: num(UTIME),
    stimeTicks: num(STIME),
    cutimeTicks: num(CUTIME),
    cstimeTicks: num(CSTIME),
    threads: num(THREADS),
    startTicks: num(START),
  };
}

const SPACE = 32, MINUS = 45, ZERO = 48, NINE = 57;
