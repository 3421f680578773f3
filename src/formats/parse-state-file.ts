import type { UnitTarget } from '../events.js';

/**
 * Reads a supervisor's state file: an object mapping unit → pid, either at the top level or under `units` (or `services`, systemg's pid.json). A value
 * is a pid, `{ "pid": … }`, or null / 0 / a missing pid for a stopped unit (sampled as `unit-down`, reason
 * `stopped`). Throws an Error naming the first bad entry.
 */
export function parseStateFile(json: unknown): UnitTarget[] {
  const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isMap(json)) throw new Error('expected an object mapping unit names to pids');
  // `services` is systemg's pid.json shape (`{"services": {"web": 123}}`); its XML files are read by systemgTargets.
  const map = isMap(json.units) ? json.units : isMap(json.services) ? json.services : json;
  return Object.entries(map).map(([unit, value]): UnitTarget => {
    if (isMap(value) && !Object.hasOwn(value, 'pid')) throw new Error(`unit "${unit.slice(0, 40)}": expected a pid, {"pid": …} or null`);
    const pid = isMap(value) ? value.pid ?? null : value;
    if (pid === null) return { unit, pid: 0 };
    if (!Number.isSafeInteger(pid) || (pid as number) < 0) throw new Error(`unit "${unit.slice(0, 40)}": pid must be an integer ≥ 0 or null`);
    return { unit, pid: pid as number };
  });
}
