/** Checks of flag values that are not human units: counts, regexes, addresses, instants. Each throws E_USAGE. */
import { PipelineError } from '../errors.js';
import { parseDurationMs } from './units.js';

/** A whole number above 0, for `--pid` and `--count`. */
export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw new PipelineError('E_USAGE', `${flag}: '${text}' is not valid; use a whole number above 0`);
  }
  return n;
}

/** REGEX itself once `new RegExp` accepts it; E_USAGE naming `--match` otherwise. */
export function validRegex(text: string): string {
  try {
    new RegExp(text);
    return text;
  } catch (error) {
    throw new PipelineError('E_USAGE', `--match: '${text}' is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** An ISO timestamp (`2026-11-26T14:00:00Z`) or a duration ago (`15m`), as ms since the epoch. */
export function parseInstant(text: string, flag: string, now: () => number): number {
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const ts = Date.parse(text);
    if (Number.isFinite(ts)) return ts;
  } else {
    try {
      return now() - parseDurationMs(text, flag);
    } catch {
      // fall through to one message that names both forms
    }
  }
  throw new PipelineError('E_USAGE', `${flag}: '${text}' is not valid; use an ISO timestamp (2026-11-26T14:00:00Z) or a duration ago (15m, 1h30m)`);
}

/** A cgroup path for `--cgroup`: non-empty, and no `..` (it names a directory under the cgroup mounts only). */
export function cgroupPath(text: string): string {
  if (text === '' || text.split('/').includes('..')) {
    throw new PipelineError('E_USAGE', `--cgroup: '${text}' is not valid; give a cgroup path such as system.slice/nginx.service`);
  }
  return text;
}

/** A systemd unit name for `--systemd-unit` (`nginx`, `nginx.service`, `app@1.service`). */
export function systemdUnitName(text: string): string {
  if (!/^[\w:.@-]+$/.test(text)) {
    throw new PipelineError('E_USAGE', `--systemd-unit: '${text}' is not a unit name; use one such as nginx or nginx.service`);
  }
  return text;
}

/** Node's timers hold at most 2^31 - 1 ms (24d20h31m); a longer one fires at once, so the flags that set one stop here. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration that becomes a timer (`--interval`, `--duration`, `--summary-every`): at most {@link MAX_TIMER_MS}. */
export function timerDurationMs(text: string, flag: string): number {
  const ms = parseDurationMs(text, flag);
  if (ms > MAX_TIMER_MS) throw new PipelineError('E_USAGE', `${flag}: '${text}' is too long; at most 24d`);
  return ms;
}
