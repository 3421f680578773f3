import * as nodeFs from 'node:fs';
import { asyncScheduler, distinctUntilChanged, map, type Observable, type SchedulerLike, timer } from 'rxjs';
import { parseProcStat } from '../formats/parse-proc-stat.js';
import { isKernelThread } from './proc-table.js';
import type { UnitTarget } from './sampler.js';

/** Options of {@link processGroups}. */
export interface ProcessGroupsOptions {
  /** Where /proc is (default `/proc`). */
  procRoot?: string;
  /** How often the process list is read again, ms (default 5000). */
  pollMs?: number;
  scheduler?: SchedulerLike;
  fs?: Pick<typeof nodeFs, 'readdirSync' | 'readFileSync'>;
}

/** The distinct command names of the machine's user-space processes, sorted. Vanished processes are skipped. */
export function listCommands(procRoot: string, fs: ProcessGroupsOptions['fs'] = nodeFs): string[] {
  const comms = new Set<string>();
  for (const name of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try { text = fs.readFileSync(`${procRoot}/${name}/stat`, 'latin1'); } catch { continue; }
    const stat = parseProcStat(text);
    if (stat && stat.state !== 'Z' && !isKernelThread(stat)) comms.add(stat.comm);
  }
  return [...comms].sort();
}

/**
 * Every process on the machine, grouped into one unit per command name (a `comm` target each): what `procstream watch`
 * samples when it is given no target. The list is read at once and every `pollMs`, and re-emitted when it changes.
 */
export function processGroups(options: ProcessGroupsOptions = {}): Observable<UnitTarget[]> {
  const { procRoot = '/proc', pollMs = 5_000, scheduler = asyncScheduler, fs = nodeFs } = options;
  return timer(0, pollMs, scheduler).pipe(
    map(() => listCommands(procRoot, fs)),
    distinctUntilChanged((a, b) => a.length === b.length && a.every((comm, i) => comm === b[i])),
    map((comms) => comms.map((comm): UnitTarget => ({ unit: comm, comm }))),
  );
}
