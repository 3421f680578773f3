import { isAbsolute, resolve } from 'node:path';
import type { UnitTarget } from '../events.js';

/**
 * Validates unit targets: a non-empty, unique `unit` and exactly one of `pid` (integer ≥ 0), `pidFile`, `match`
 * (a valid regular expression), `comm` (an exact command name), `cgroup` (a cgroup path) or `systemdUnit` (a systemd
 * unit name), plus an optional boolean `children` (and, with `pid`, a `downReason` string for pid 0). Relative pid
 * files resolve against `baseDir`.
 * Throws an Error naming the first bad entry.
 */
export function parseUnitsFile(json: unknown, baseDir = '.'): UnitTarget[] {
  const list = Array.isArray(json) ? json : (json as { units?: unknown } | null)?.units;
  if (!Array.isArray(list)) throw new Error('expected an array of targets or {"units": [...]}');
  const seen = new Set<string>();
  return list.map((entry: unknown, i): UnitTarget => {
    const bad = (why: string) => new Error(`target ${i + 1}: ${why}`);
    if (typeof entry !== 'object' || entry === null) throw bad('not an object');
    const { unit, pid, pidFile, match, comm, cgroup, systemdUnit, children, downReason } = entry as Record<string, unknown>;
    if (typeof unit !== 'string' || unit === '') throw bad('"unit" must be a non-empty string');
    if (seen.has(unit)) throw bad(`duplicate unit "${unit.slice(0, 40)}"`);
    seen.add(unit);
    if (children !== undefined && typeof children !== 'boolean') throw bad('"children" must be true or false');
    const extra = children === undefined ? {} : { children };
    const given = [pid, pidFile, match, comm, cgroup, systemdUnit].filter((x) => x !== undefined).length;
    if (given !== 1) throw bad('give exactly one of "pid", "pidFile", "match", "comm", "cgroup" or "systemdUnit"');
    if (cgroup !== undefined) {
      if (typeof cgroup !== 'string' || cgroup === '' || cgroup.split('/').includes('..')) throw bad('"cgroup" must be a cgroup path without ".."');
      return { unit, cgroup, ...extra };
    }
    if (systemdUnit !== undefined) {
      if (typeof systemdUnit !== 'string' || !/^[\w:.@-]+$/.test(systemdUnit)) throw bad('"systemdUnit" must be a unit name like "nginx" or "nginx.service"');
      return { unit, systemdUnit, ...extra };
    }
    if (comm !== undefined) {
      if (typeof comm !== 'string' || comm === '') throw bad('"comm" must be a command name');
      return { unit, comm, ...extra };
    }
    if (pid !== undefined) {
      if (!Number.isSafeInteger(pid) || (pid as number) < 0) throw bad('"pid" must be an integer ≥ 0');
      if (downReason !== undefined && typeof downReason !== 'string') throw bad('"downReason" must be a string');
      return { unit, pid: pid as number, ...extra, ...(downReason === undefined ? {} : { downReason }) };
    }
    if (pidFile !== undefined) {
      if (typeof pidFile !== 'string' || pidFile === '') throw bad('"pidFile" must be a path');
      return { unit, pidFile: isAbsolute(pidFile) ? pidFile : resolve(baseDir, pidFile), ...extra };
    }
    if (typeof match !== 'string' || match === '') throw bad('"match" must be a regular expression');
    try { new RegExp(match); } catch { throw bad(`"match" is not a valid regular expression`); }
    return { unit, match, ...extra };
  });
}
