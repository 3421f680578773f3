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
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid)) return null;
  // Walk the spaces up to the start time rather than splitting all 50 fields: this runs per pid per tick.
  const rest: string[] = [];
  for (let at = close + 2; rest.length <= START;) {
    const end = text.indexOf(' ', at);
    if (end < 0) return null;
    rest.push(text.slice(at, end));
    at = end + 1;
  }
  const num = (i: number): number => Number(rest[i]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[STATE] ?? '',
    ppid: num(PPID),
    utimeTicks: num(UTIME),
    stimeTicks: num(STIME),
    cutimeTicks: num(CUTIME),
    cstimeTicks: num(CSTIME),
    threads: num(THREADS),
    startTicks: num(START),
  };
  const numbers = [stat.ppid, stat.utimeTicks, stat.stimeTicks, stat.cutimeTicks, stat.cstimeTicks, stat.threads, stat.startTicks];
  return stat.state.length === 1 && numbers.every(Number.isSafeInteger) ? stat : null;
}
