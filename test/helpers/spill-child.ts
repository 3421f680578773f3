/**
 * Child process of the crash test: every 200 ms hands a batch of 200 samples of unit `run-<id>` (ts 1, 2, …) to a
 * spillover sink, then prints the batch number, until killed. The parent knows from the last number it read how many
 * samples the sink had accepted when the SIGKILL came.
 * Usage: node --import tsx test/helpers/spill-child.ts <dir> <id>
 */
import { Subject } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import type { MetricEvent } from '../../src/events.js';
import { sample } from '../../src/testing/index.js';

const [dir, id] = process.argv.slice(2) as [string, string];
const BATCH = 200;
const input = new Subject<MetricEvent>();
input.pipe(spillover({ dir, events: 'log', segmentBytes: 16 * 1024, maxBytes: 4 * 1024 * 1024 })).subscribe();
let n = 0;
let batch = 0;
setInterval(() => {
  for (let i = 0; i < BATCH; i++) input.next(sample(`run-${id}`, ++n, { pid: 1000 + (n % 5000) }));
  process.stdout.write(`${++batch}\n`);
}, 200);
