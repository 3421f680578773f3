import { rmSync } from 'node:fs';
import { config, lastValueFrom, of, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { spillover } from '../../src/sinks/spillover.js';
import { pulledUntilStopped } from '../helpers/pulled.js';
import { evicted, linesIn, tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir(); dirs.push(d); return d; };
afterEach(() => {
  config.onUnhandledError = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The operator anatomy of spillover (src/streams/operate.ts): its handlers' throws and its teardown.
describe('spillover anatomy', () => {
  it('turns an event that cannot be serialized into the error notification, not an unhandled error', async () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    const dir = fresh();
    const bad = { ...evicted(2), toJSON: () => { throw new Error('cannot serialize'); } } as unknown as MetricEvent;
    await expect(lastValueFrom(of(evicted(1), bad, evicted(3)).pipe(spillover({ dir }), toArray()))).rejects.toThrow('cannot serialize');
    expect(unhandled).toEqual([]);
  });

  it('stops a synchronous source when unsubscribed', async () => {
    const dir = fresh();
    const pulled = await pulledUntilStopped((i) => evicted(i), spillover({ dir }), 2);
    expect(pulled).toBe(2); // a source subscribed before the teardown is linked would have emitted all 100
    expect(linesIn(dir).length).toBeLessThanOrEqual(1); // only the first event reached the operator
  });
});
