import { createConnection } from 'node:net';
import { config, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { prometheus } from '../../src/sinks/prometheus.js';
import { sample } from '../../src/testing/index.js';
import { pulledUntilStopped } from '../helpers/pulled.js';

afterEach(() => { config.onUnhandledError = null; });

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
  socket.on('error', () => resolve(false));
});

// The operator anatomy of the prometheus sink (src/streams/operate.ts): handler throws and teardown.
describe('prometheus anatomy', () => {
  it('turns an event that throws while applied into the error notification, and closes the server', async () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    const input = new Subject<MetricEvent>();
    const sink = prometheus({ port: 0 });
    const errors: unknown[] = [];
    input.pipe(sink).subscribe({ error: (e: unknown) => errors.push(e) });
    const { port } = await sink.listening();
    input.next(sample('api', 1));
    input.next({ ...sample('api', 2), get rssBytes(): number { throw new Error('bad rssBytes'); } });
    // the error is delivered once the server has closed, so nothing is listening when the subscriber hears of it
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([new Error('bad rssBytes')]);
    expect(input.observed).toBe(false); // the source is unsubscribed
    expect(await accepts(port)).toBe(false);
    expect(unhandled).toEqual([]);
  });

  it('stops a synchronous source when unsubscribed', async () => {
    expect(await pulledUntilStopped((i) => sample('api', i), prometheus({ port: 0 }))).toBe(2);
  });
});
