/**
 * Generators and a reference reader for the fuzz suites: NDJSON files made of valid event lines and hostile lines,
 * and what `readNdjson` must make of them, computed line by line the simple way.
 */
import fc from 'fast-check';
import { EVENT_FORMAT_VERSION, MAX_TS_MS, type MetricEvent } from '../../src/events.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/formats/json-depth.js';
import type { LineDecoder } from '../../src/sources/read-ndjson.js';
import { down, sample } from '../../src/testing/index.js';

/** Non-negative finite doubles of every magnitude, subnormals included: amounts (bytes, seconds, percent). */
const amount = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });
/** Timestamps as isMetricEvent takes them: integer ms from 1970 to 9999, the ends included. */
const ts = fc.oneof(fc.integer({ min: 0, max: MAX_TS_MS }), fc.constantFrom(0, MAX_TS_MS));
/** Process ids: non-negative integers. */
const pid = fc.integer({ min: 0, max: 2 ** 31 });
/** Unit names: any UTF-16, lone surrogates, quotes, backslashes and path separators included. */
export const unitName = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('../../etc/passwd', '*', '"', '\\', 'café'));

/** Events that `isMetricEvent` accepts, with extreme but finite numbers. */
export const validEvent: fc.Arbitrary<MetricEvent> = fc.oneof(
  fc.record({ unit: unitName, ts, pid, cpu: fc.option(amount), rss: amount, io: fc.option(amount) })
    .map(({ unit, ts, pid, cpu, rss, io }) => sample(unit, ts, { pid, cpuPercent: cpu, rssBytes: rss, ioReadBytes: io, ioWriteBytes: io })),
  fc.record({ unit: unitName, ts, reason: fc.string({ maxLength: 8 }) }).map(({ unit, ts, reason }) => down(unit, ts, reason)),
  fc.record({ unit: unitName, ts, inner: ts }).map(({ unit, ts, inner }): MetricEvent => ({
    type: 'evicted', v: EVENT_FORMAT_VERSION, unit, ts, reason: 'retention', event: sample(unit, inner) })),
);

const json = (e: unknown): string => JSON.stringify(e);
/** `e` as JSON with `field` set to the raw JSON text `raw` (which may be invalid JSON, like `NaN`). */
const withRaw = (e: MetricEvent, field: string, raw: string): string => json({ ...e, [field]: '\u0000RAW' }).replace('"\\u0000RAW"', raw);

/** One hostile line (no `\n` inside), as bytes. */
export const hostileLine: fc.Arbitrary<Buffer> = fc.oneof(
  // random bytes, invalid UTF-8 included
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b.map((x) => (x === 0x0a ? 0x20 : x)))),
  // a valid line cut anywhere, in the middle of a multi-byte character too
  fc.tuple(validEvent, fc.nat()).map(([e, at]) => { const b = Buffer.from(json({ ...e, unit: `ü€𝄞${e.unit}` })); return b.subarray(0, at % b.length); }),
  // wrong types in a known field
  fc.tuple(validEvent, fc.constantFrom('ts', 'unit', 'type', 'pid', 'rssBytes', 'event'), fc.constantFrom('"1"', '[]', '{}', 'null', 'true', '"NaN"'))
    .map(([e, f, raw]) => Buffer.from(withRaw(e, f, raw))),
  // prototype pollution attempts
  fc.tuple(validEvent, fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([e, key]) =>
    Buffer.from(`{"${key}":{"polluted":"yes","prototype":{"polluted":"yes"}},${json(e).slice(1)}`)),
  // duplicated keys: JSON.parse keeps the last one
  fc.tuple(validEvent, fc.constantFrom('"type":"nope"', '"ts":"x"', '"unit":1', '"type":"sample"')).map(([e, dup]) =>
    Buffer.from(`{${dup},${json(e).slice(1, -1)},${dup}}`)),
  // extreme numbers in place of ts
  fc.tuple(validEvent, fc.constantFrom('1e309', '-1e309', '-0', '1e-400', '9007199254740993', '"NaN"', 'NaN', 'Infinity', '0x10', '1_000',
    '1e300', '-1', '1.5', '253402300800000', '1e3', '1E3', '1.0e2'))
    .map(([e, raw]) => Buffer.from(withRaw(e, 'ts', raw))),
  // out-of-range amounts, and 16–17-digit numbers (as JSON.stringify writes doubles) everywhere
  fc.tuple(validEvent, fc.constantFrom('rssBytes', 'cpuPercent', 'cpuUserSeconds', 'ioReadBytes'), fc.constantFrom('-5', '-0.001', '-1e-300'))
    .map(([e, f, raw]) => Buffer.from(withRaw(e, f, raw))),
  fc.tuple(validEvent, fc.constantFrom('rssBytes', 'cpuPercent', 'cpuUserSeconds', 'extra'), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }))
    .map(([e, f, x]) => Buffer.from(withRaw(e, f, JSON.stringify(x)))),
  // nested just around the depth limit
  fc.integer({ min: MAX_JSON_DEPTH - 3, max: MAX_JSON_DEPTH + 2 }).map((k) =>
    Buffer.from(json(sample('deep', 1)).replace('"missing":{}', `"missing":${'{"a":'.repeat(k - 1)}1${'}'.repeat(k - 1)}`))),
  // nesting and sizes
  fc.integer({ min: 1, max: 3000 }).map((k) => Buffer.from('['.repeat(k) + ']'.repeat(k))),
  fc.integer({ min: 1, max: 3000 }).map((k) => Buffer.from('{"a":'.repeat(k) + '1' + '}'.repeat(k))),
  fc.integer({ min: 1, max: 20_000 }).map((n) => Buffer.from(json(sample('x'.repeat(n), 1)))),
  fc.constantFrom('', ' ', '\r', '\t \r', 'null', '1', '"s"', '[]', '{}', '{"v":2}').map((s) => Buffer.from(s)),
  fc.constantFrom(json({ ...sample('newer', 1), v: 2 }), json({ ...sample('v', 1), v: 1e309 })).map((s) => Buffer.from(s)),
);

/** A file: lines (valid or hostile) joined by `\n`, maybe without the last one, cut into chunks at random places. */
export const ndjsonFile = fc.record({
  lines: fc.array(fc.oneof(validEvent.map((e) => Buffer.from(json(e))), hostileLine), { maxLength: 24 }),
  finalNewline: fc.boolean(),
  crlf: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
}).map(({ lines, finalNewline, crlf, cuts }) => {
  const nl = Buffer.from(crlf ? '\r\n' : '\n');
  const parts = lines.flatMap((l, i) => (i < lines.length - 1 || finalNewline ? [l, nl] : [l]));
  const bytes = Buffer.concat(parts);
  const at = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
  const chunks = [...at, bytes.length].map((end, i, all) => bytes.subarray(i === 0 ? 0 : (all[i - 1] as number), end)).filter((c) => c.length);
  return { bytes, chunks };
});

/** What a correct reader yields for `bytes`: events in order, and the numbers of the bad lines with their reasons. */
export function expectedRead(bytes: Buffer, decode: LineDecoder, maxLineBytes: number): { events: unknown[]; bad: number[] } {
  const events: unknown[] = [];
  const bad: number[] = [];
  let start = 0;
  for (let n = 1; start < bytes.length; n++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (raw.length > maxLineBytes) { bad.push(n); continue; }
    const text = raw.toString('utf8');
    if (text.trim() === '') continue;
    let value: unknown;
    try { value = JSON.parse(text); } catch { bad.push(n); continue; }
    if (nestsDeeperThan(value, MAX_JSON_DEPTH)) { bad.push(n); continue; }
    const event = decode(value);
    if (typeof event === 'string') bad.push(n);
    else events.push(event);
  }
  return { events, bad };
}
