/**
 * Child process of the crash test: spills evicted events of unit `run-<id>` as fast as it can until killed.
 * Usage: node --import tsx test/helpers/spill-child.ts <dir> <id>
 */
import { interval, map, mergeMap, range } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import { EVENT_FORMAT_VERSION, type EvictedEvent } from '../../src/events.js';
import { sample } from '../../src/testing/index.js';

const [dir, id] = process.argv.slice(2) as [string, string];
let n = 0;
const next = (): EvictedEvent => {
  n += 1;
  return { type: 'evicted', v: EVENT_FORMAT_VERSION, unit: `run-${id}`, ts: n, reason: 'budget', event: sample(`run-${id}`, n) };
};
interval(0)
  .pipe(mergeMap(() => range(0, 200)), map(next), spillover({ dir, segmentBytes: 8 * 1024, maxBytes: 64 * 1024 }))
  .subscribe();
process.stdout.write('started\n');
