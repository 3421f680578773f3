import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Observable, SchedulerLike } from 'rxjs';
import { systemgTargets, type SystemgStateTexts } from '../formats/systemg-targets.js';
import type { UnitTarget } from './sampler.js';
import { readCapped, watchTargetsFile } from './watch-targets-file.js';

/** Options of {@link systemgTargetsDir}. */
export interface SystemgTargetsDirOptions {
  /** How often the directory is re-read, ms (default 1000). */
  pollMs?: number;
  scheduler?: SchedulerLike;
  /** Services a systemg config names: listed as down (`not-started`) until systemg's files mention them. */
  services?: readonly string[];
  /** Called when a later read is bad (torn XML, files gone); the last good list stays in force. */
  onBadRead?: (message: string) => void;
}

const FILES = ['pid.xml', 'state.xml'] as const;

/** The state files of `dir` and of its per-project subdirectories, as one JSON text (compared to spot a change). */
function readStateDir(dir: string): string {
  if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  const read = (where: string, project: string | null): SystemgStateTexts | null => {
    const texts: SystemgStateTexts = { project };
    for (const name of FILES) {
      try {
        texts[name === 'pid.xml' ? 'pidXml' : 'stateXml'] = readCapped(join(where, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${join(where, name)}: ${(error as NodeJS.ErrnoException).code ?? error}`);
      }
    }
    return texts.pidXml === undefined && texts.stateXml === undefined ? null : texts;
  };
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const found = [read(dir, null), ...subdirs.map((p) => read(join(dir, p), p))].filter((t) => t !== null);
  if (found.length === 0) throw new Error('no pid.xml or state.xml here or in a project subdirectory (is it systemg\'s state directory?)');
  return JSON.stringify(found);
}

/**
 * The units of a systemg state directory (`~/.local/share/systemg`, or `/var/lib/systemg`), re-read every `pollMs`:
 * one unit per service, by pid; a stopped or failed service down with systemg's status as its reason. A rewrite with
 * a new pid makes the sampler see a new process identity, so the unit reports `unit-restarted`. A directory that is
 * missing or holds no state file at the start fails with `E_SOURCE`; a bad rewrite later keeps the last targets.
 */
export function systemgTargetsDir(dir: string, { services = [], ...options }: SystemgTargetsDirOptions = {}): Observable<UnitTarget[]> {
  return watchTargetsFile(dir, (json) => systemgTargets(json as SystemgStateTexts[], services), {
    ...options, readText: readStateDir, quote: false,
  });
}
