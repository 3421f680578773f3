import { dirname } from 'node:path';
import { type Observable, type SchedulerLike, distinctUntilChanged, isObservable, map, of } from 'rxjs';
import { PipelineError } from '../errors.js';
import { parseStateFile } from '../formats/parse-state-file.js';
import { parseUnitsFile } from '../formats/parse-units-file.js';
import { unitOfPidFile } from '../formats/unit-names.js';
import type { UnitTarget } from './sampler.js';
import { systemgTargetsDir } from './systemg-targets-dir.js';
import { watchTargetsFile } from './watch-targets-file.js';

/** Where targets come from: code, a units file, a supervisor's state file, systemg's state directory, or one pid file. See docs/targets.md. */
export type UnitTargetsSpec =
  | readonly UnitTarget[]
  | Observable<readonly UnitTarget[]>
  | { unitsFile: string }
  | { stateFile: string }
  /** systemg's state directory; `services` are a config's service names (see {@link systemgTargetsDir}). */
  | { systemgDir: string; services?: readonly string[] }
  | { pidFile: string; unit?: string };

/** Options of {@link unitTargets}. */
export interface UnitTargetsOptions {
  /** How often files are re-read, ms (default 1000). */
  pollMs?: number;
  scheduler?: SchedulerLike;
  /** Called when a units or state file read after a good one is bad; the last good list stays in force. */
  onBadRead?: (message: string) => void;
}

/**
 * The current target list, re-emitted whenever it changes. Files are re-read every `pollMs`; a pid file's contents
 * are read by the sampler on every tick. Invalid targets from code fail with `E_USAGE`.
 */
export function unitTargets(spec: UnitTargetsSpec, { pollMs, scheduler, onBadRead }: UnitTargetsOptions = {}): Observable<UnitTarget[]> {
  const watch = { ...(pollMs === undefined ? {} : { pollMs }), ...(scheduler ? { scheduler } : {}), ...(onBadRead ? { onBadRead } : {}) };
  let targets$: Observable<UnitTarget[]>;
  if (Array.isArray(spec) || isObservable(spec)) {
    const list$ = isObservable(spec) ? spec : of(spec as readonly UnitTarget[]);
    targets$ = list$.pipe(map((list) => {
      try { return parseUnitsFile(list); } catch (error) {
        throw new PipelineError('E_USAGE', `unit targets: ${(error as Error).message}`, { cause: error });
      }
    }));
  } else if ('unitsFile' in spec) {
    const dir = dirname(spec.unitsFile);
    targets$ = watchTargetsFile(spec.unitsFile, (json) => parseUnitsFile(json, dir), watch);
  } else if ('stateFile' in spec) {
    targets$ = watchTargetsFile(spec.stateFile, parseStateFile, { ...watch, whenMissing: 'empty' });
  } else if ('systemgDir' in spec) {
    targets$ = systemgTargetsDir(spec.systemgDir, { ...watch, ...(spec.services ? { services: spec.services } : {}) });
  } else {
    const { pidFile, unit = unitOfPidFile(pidFile) } = spec as { pidFile: string; unit?: string };
    targets$ = of([{ unit, pidFile }]);
  }
  return targets$.pipe(distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)));
}
