import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lastValueFrom, toArray } from 'rxjs';
import { decodeMetricEvent, readNdjson, type BadLine, type ReadNdjsonOptions } from '../../src/sources/read-ndjson.js';
import { PipelineError } from '../../src/errors.js';
import { isMetricEvent, type MetricEvent } from '../../src/events.js';
import { expectedRead, ndjsonFile } from '../helpers/fuzz-lines.js';
import { MAX_JSON_DEPTH } from '../../src/formats/json-depth.js';

const read = async (chunks: Buffer[], options: ReadNdjsonOptions = {}) => {
  const bad: BadLine[] = [];
  const events = await lastValueFrom(readNdjson(Readable.from(chunks), { ...options, onBadLine: (b) => bad.push(b) }).pipe(toArray()));
  return { events, bad };
};
const lineOf = (bytes: Buffer, n: number): string => bytes.toString('latin1').split('\n')[n - 1] ?? '';
const prototypeIsClean = (): void => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
};
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

describe('readNdjson under fuzzed input', () => {
  it('yields exactly the valid lines and reports every other line by number, however the bytes are chunked', async () => {
    await fc.assert(fc.asyncProperty(ndjsonFile, fc.constantFrom(64, 512, 1024 * 1024), async ({ bytes, chunks }, maxLineBytes) => {
      const want = expectedRead(bytes, decodeMetricEvent, maxLineBytes);
      const got = await read(chunks, { maxLineBytes, name: 'fuzz' });
      expect(got.events).toEqual(want.events);
      expect(got.bad.map((b) => b.line), `bad lines of ${JSON.stringify(want.bad.map((n) => lineOf(bytes, n).slice(0, 60)))}`).toEqual(want.bad);
      expect(got.bad.map((b) => b.count)).toEqual(want.bad.map((_, i) => i + 1));
      for (const b of got.bad) expect(b.excerpt.length).toBeLessThanOrEqual(41);
      for (const e of got.events) expect(isMetricEvent(e)).toBe(true);
      prototypeIsClean();
    }), { numRuns: 150 });
  });

  it('reads string chunks (setEncoding) exactly as it reads the same bytes as Buffers', async () => {
    await fc.assert(fc.asyncProperty(ndjsonFile, async ({ chunks }) => {
      const asBuffers = await read(chunks);
      const input = Readable.from(chunks, { objectMode: false });
      input.setEncoding('utf8'); // a StringDecoder joins characters cut between chunks
      const bad: BadLine[] = [];
      const events = await lastValueFrom(readNdjson(input, { onBadLine: (b) => bad.push(b) }).pipe(toArray()));
      expect(events).toEqual(asBuffers.events);
      expect(bad.map((b) => b.line)).toEqual(asBuffers.bad.map((b) => b.line));
    }), { numRuns: 150 });
  });

  it('takes a line nested up to MAX_JSON_DEPTH and reports a deeper one, objects or arrays, up to 20,000 deep', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 20_000 }), fc.boolean(), async (depth, arrays) => {
      // `extra` holds depth - 1 levels, under the event's own level
      const inner = arrays ? `${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}` : `${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}`;
      const text = depth === 1 ? '{"type":"unit-down","v":1,"unit":"u","ts":1,"reason":"x","extra":1}' : `{"type":"unit-down","v":1,"unit":"u","ts":1,"reason":"x","extra":${inner}}`;
      const got = await read([Buffer.from(`${text}\n`)]);
      expect(got.events.length + got.bad.length).toBe(1);
      expect(got.events.length === 1).toBe(depth <= MAX_JSON_DEPTH);
    }), { numRuns: 120, examples: [[MAX_JSON_DEPTH, false], [MAX_JSON_DEPTH + 1, false], [MAX_JSON_DEPTH, true], [MAX_JSON_DEPTH + 1, true]] });
  });

  it('under strict, fails with E_PARSE naming the first bad line, after emitting only the lines before it', async () => {
    await fc.assert(fc.asyncProperty(ndjsonFile, async ({ bytes, chunks }) => {
      const want = expectedRead(bytes, decodeMetricEvent, 512);
      const seen: MetricEvent[] = [];
      const outcome = await new Promise<unknown>((resolve) => {
        readNdjson(Readable.from(chunks), { strict: true, maxLineBytes: 512, name: 'in' })
          .subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve('complete') });
      });
      const first = want.bad[0];
      if (first === undefined) {
        expect(outcome).toBe('complete');
        expect(seen).toEqual(want.events);
      } else {
        expect(outcome).toBeInstanceOf(PipelineError);
        expect((outcome as PipelineError).code).toBe('E_PARSE');
        expect((outcome as PipelineError).message).toMatch(new RegExp(`^in:${first}: `));
        const before = expectedRead(Buffer.from(bytes.toString('latin1').split('\n').slice(0, first - 1).join('\n'), 'latin1'), decodeMetricEvent, 512);
        expect(seen).toEqual(before.events);
      }
    }), { numRuns: 100 });
  });

  it('with anyOf, yields the same events of the wanted units as a full read', async () => {
    await fc.assert(fc.asyncProperty(ndjsonFile, fc.constantFrom('api', '', '"', '\\', 'café', '../../etc/passwd'), async ({ chunks }, unit) => {
      const all = await read(chunks);
      const some = await read(chunks, { anyOf: [JSON.stringify(unit)] });
      const wanted = (e: MetricEvent) => e.unit === unit;
      expect(some.events.filter(wanted)).toEqual(all.events.filter(wanted));
    }), { numRuns: 60 });
  });

  it('survives deep nesting at the line cap: 100k-deep arrays and objects, and evictions nested 15k deep', async () => {
    const evictedHead = '{"type":"evicted","v":1,"unit":"u","ts":1,"reason":"r","event":';
    const lines = [
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      evictedHead.repeat(15_000) + '{"type":"unit-down","v":1,"unit":"u","ts":1,"reason":"x"}' + '}'.repeat(15_000),
      '{"type":"sample","v":1,"unit":"u","ts":1,"pid":1,"missing":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}',
      '{"type":"unit-down","v":1,"unit":"ok","ts":2,"reason":"x"}',
    ];
    for (const line of lines.slice(0, 4)) expect(Buffer.byteLength(line)).toBeLessThan(1024 * 1024);
    const got = await read([Buffer.from(lines.join('\n'))]);
    expect(got.events.map((e) => e.unit)).toEqual(['ok']);
    expect(got.bad.map((b) => b.line)).toEqual([1, 2, 3, 4]);
  });

  it('keeps memory bounded on a 64 MiB line without a newline, skipping it as over-long', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let sent = 0;
    let peak = 0;
    const input = new Readable({
      read() {
        if (sent === 1024) { this.push(Buffer.from('\n{"type":"unit-down","v":1,"unit":"after","ts":1,"reason":"x"}\n')); this.push(null); return; }
        if (++sent % 128 === 0) { gc(); peak = Math.max(peak, process.memoryUsage().arrayBuffers - base); }
        this.push(Buffer.alloc(64 * 1024, 0x61)); // a fresh buffer each time, so keeping them would show
      },
    });
    const bad: BadLine[] = [];
    const events = await lastValueFrom(readNdjson(input, { maxLineBytes: 1024 * 1024, onBadLine: (b) => bad.push(b) }).pipe(toArray()));
    expect(events.map((e) => e.unit)).toEqual(['after']);
    expect(bad).toEqual([expect.objectContaining({ line: 1, reason: 'line longer than 1048576 bytes' })]);
    expect(peak).toBeLessThan(16 * 1024 * 1024); // the whole line would be 64 MiB
  });

  it('cannot pollute Object.prototype through __proto__, constructor or prototype keys, even when the events are spread', async () => {
    const line = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"type":"unit-down","v":1,"unit":"u","ts":1,"reason":"x","missing":{"__proto__":{"polluted":"yes"}}}';
    const got = await read([Buffer.from(`${line}\n${line}\n`)]);
    expect(got.events).toHaveLength(2);
    const copies = got.events.map((e) => ({ ...e, ...Object.assign({}, e) }));
    expect(copies).toHaveLength(2);
    prototypeIsClean();
  });
});
