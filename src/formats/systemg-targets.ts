/**
 * Unit targets from systemg's state files: one unit per service, named by the service. Pure: the file texts come in.
 */
import type { UnitTarget } from '../events.js';
import { parseSystemgPidFile, parseSystemgStateFile, type SystemgService } from './systemg-state.js';

/** The texts of one state directory (the top one, or a per-project subdirectory); a missing file is undefined. */
export interface SystemgStateTexts {
  /** The subdirectory's name, or null for the top directory. */
  project: string | null;
  pidXml?: string;
  stateXml?: string;
}

/** Statuses under which systemg's pid is a live service; any other status is the down reason. */
const LIVE = new Set(['running', 'starting', 'restarting', 'healthy']);

/** Merges one directory's pid.xml and state.xml: by service name, or, for a v0.33 hash key, by the pid both record. */
function merge({ project, pidXml, stateXml }: SystemgStateTexts): SystemgService[] {
  const named = (what: string, parse: () => SystemgService[]) => {
    try { return parse(); } catch (error) { throw new Error(`${project === null ? '' : `${project}/`}${what}: ${(error as Error).message}`); }
  };
  const pids = pidXml === undefined ? [] : named('pid.xml', () => parseSystemgPidFile(pidXml));
  const states = stateXml === undefined ? [] : named('state.xml', () => parseSystemgStateFile(stateXml));
  const byName = new Map(pids.map((p) => [p.service, { ...p, project }]));
  for (const s of states) {
    const owner = byName.get(s.service) ?? pids.find((p) => s.pid !== null && p.pid === s.pid);
    const key = owner?.service ?? s.service; // an unmatched v0.33 hash stays the unit's name: nothing else names it
    const before = byName.get(key);
    byName.set(key, { service: key, project: s.project ?? project, pid: before?.pid ?? s.pid, status: s.status ?? before?.status ?? null });
  }
  return [...byName.values()];
}

/**
 * The targets of a systemg state directory. A service with a pid and a live status (or no status) is watched by pid;
 * any other is a pid-0 target whose `downReason` is systemg's status (`stopped`, `failed`, …; `no-pid` when a live
 * status has no pid). Services of `alsoNamed` (a config file's) that no file mentions are down with `not-started`.
 * A service name used by two projects becomes `project:service` for both. Throws an Error naming file and line.
 */
export function systemgTargets(dirs: readonly SystemgStateTexts[], alsoNamed: readonly string[] = []): UnitTarget[] {
  const services = dirs.flatMap(merge);
  const projectsOf = new Map<string, Set<string | null>>();
  for (const s of services) projectsOf.set(s.service, (projectsOf.get(s.service) ?? new Set()).add(s.project));
  const out = new Map<string, UnitTarget>();
  for (const s of services) {
    const unit = (projectsOf.get(s.service)?.size ?? 0) > 1 && s.project !== null ? `${s.project}:${s.service}` : s.service;
    const live = s.status === null || LIVE.has(s.status);
    out.set(unit, live && s.pid !== null
      ? { unit, pid: s.pid }
      : { unit, pid: 0, downReason: live ? 'no-pid' : (s.status as string) });
  }
  for (const service of alsoNamed) {
    if (!projectsOf.has(service)) out.set(service, { unit: service, pid: 0, downReason: 'not-started' });
  }
  return [...out.values()];
}
