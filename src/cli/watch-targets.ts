/** Turns `watch`'s target flags into the library's target spec: one list, combined from every flag given. */
import { combineLatest, map, of, type Observable } from 'rxjs';
import { unitTargets, type UnitTarget, type UnitTargetsSpec } from '../index.js';
import { unitOfCgroup, unitOfPid } from '../formats/unit-names.js';
import { requireFile } from './check-inputs.js';
import type { WatchTargets } from './options.js';

/**
 * `'all-processes'` when no target flag is given; otherwise one target list: `--pid N` is unit `pid-N`, `--match RE`
 * is unit `RE`, `--cgroup a/b.service` is unit `b.service`, `--systemd-unit nginx` is unit `nginx`, `--pidfile` is named
 * after the file (`web.pid` → `web`), `--units`/`--state` bring their own names, and `--systemg` names units by service.
 * Files are re-read every `pollMs`, and the list is re-emitted when any part changes.
 */
export function watchTargetsSpec(t: WatchTargets, pollMs: number): UnitTargetsSpec | 'all-processes' {
  if (t.stateFile !== undefined) requireFile(t.stateFile, '--state'); // the library reads a missing one as "no units yet"
  if (t.unitsFile !== undefined) requireFile(t.unitsFile, '--units');
  const fixed: UnitTarget[] = [
    ...t.pids.map((pid) => ({ unit: unitOfPid(pid), pid })),
    ...(t.cgroups ?? []).map((cgroup) => ({ unit: unitOfCgroup(cgroup), cgroup })),
    ...(t.systemdUnits ?? []).map((systemdUnit) => ({ unit: systemdUnit, systemdUnit })),
    ...(t.match === undefined ? [] : [{ unit: t.match, match: t.match }]),
  ];
  const files: UnitTargetsSpec[] = [
    ...(t.pidFile === undefined ? [] : [{ pidFile: t.pidFile }]),
    ...(t.unitsFile === undefined ? [] : [{ unitsFile: t.unitsFile }]),
    ...(t.stateFile === undefined ? [] : [{ stateFile: t.stateFile }]),
    ...(t.systemgDir === undefined ? [] : [{ systemgDir: t.systemgDir, ...(t.systemgServices ? { services: t.systemgServices } : {}) }]),
  ];
  if (fixed.length === 0 && files.length === 0) return 'all-processes';
  if (files.length === 0) return fixed;
  const parts: Observable<readonly UnitTarget[]>[] = [of(fixed), ...files.map((spec) => unitTargets(spec, { pollMs }))];
  return combineLatest(parts).pipe(map((lists) => lists.flat()));
}
