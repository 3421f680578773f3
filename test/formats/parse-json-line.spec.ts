import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastLineForm, lastLineVerbatim, parseJsonLine, UNSURE } from '../../src/formats/parse-json-line.js';
import type { EvictedEvent, SampleEvent } from '../../src/events.js';
import { down, sample } from '../../src/testing/index.js';

const unit = fc.stringMatching(/^[a-z][a-z0-9._-]{0,40}$/);
const ts = fc.integer({ min: 0, max: 4_102_444_800_000 });
const counter = fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }).map((n) => Math.floor(n / 1000)), { nil: null });
/** Sample events as the samplers make them: hundredths of a percent, clock-tick seconds, whole bytes. */
const sampleEvent: fc.Arbitrary<SampleEvent> = fc.record({
  unit, ts, pid: fc.integer({ min: 1, max: 4_194_304 }), startTimeMs: ts,
  cpuPercent: fc.option(fc.integer({ min: 0, max: 6_400_000 }).map((n) => n / 100), { nil: null }),
  cpuUserSeconds: fc.nat({ max: 1e12 }).map((n) => n / 100), cpuSystemSeconds: fc.nat({ max: 1e12 }).map((n) => n / 100),
  rssBytes: fc.nat({ max: 2 ** 40 }).map((n) => n * 4096), ioReadBytes: counter, ioWriteBytes: counter,
  extra: fc.constantFrom({}, { netRxBytes: null, netTxBytes: null, netScope: null }, { hostCpuPercent: 3.25, processes: 2, threads: 9 }),
  missing: fc.constantFrom({}, { net: 'no per-process counters on Linux' }, { io: 'EACCES', net: 'unsupported' }),
}).map(({ unit: u, ts: t, extra, ...f }) => ({ ...sample(u, t, f), ...extra }));
const evictedSample: fc.Arbitrary<EvictedEvent> = fc.record({
  event: fc.oneof(sampleEvent, fc.tuple(unit, ts).map(([u, t]) => down(u, t))),
  ts, reason: fc.constantFrom('retention', 'budget', 'out-of-order' as const),
}).map(({ event, ts: t, reason }) => ({ type: 'evicted', v: 1, unit: event.unit, ts: t, reason, event }));

/** parseJsonLine must give JSON.parse's value (key order, -0, prototype) or step aside: never a third answer. */
function expectLikeJsonParse(line: string): 'fast' | 'unsure' {
  const bytes = Buffer.from(`${line}\n`);
  const value = parseJsonLine(bytes, 0, bytes.length - 1);
  if (value === UNSURE) return 'unsure';
  const expected: unknown = JSON.parse(line);
  expect(value).toStrictEqual(expected);
  expect(JSON.stringify(value)).toBe(JSON.stringify(expected));
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  return 'fast';
}

/** A line with a few bytes replaced, inserted or deleted. */
const mutated = (line: fc.Arbitrary<string>) =>
  fc.tuple(line, fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'delete'),
    fc.constantFrom(...'{}[]":,.-+eE0123456789 \\ntrufalsé\u0000_'.split(''))), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce((s, [at, op, c]) => {
      const i = at % (s.length + 1);
      return op === 'insert' ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + (op === 'replace' ? c : '') + s.slice(i + 1);
    }, text));

describe('parseJsonLine', () => {
  it('reads JSON.stringify of generated sample events exactly as JSON.parse does', () => {
    fc.assert(fc.property(sampleEvent, (e) => { expect(expectLikeJsonParse(JSON.stringify(e))).toBe('fast'); }), { numRuns: 500 });
  });

  it('reads generated evicted lines exactly as JSON.parse does, whatever the line before them', () => {
    fc.assert(fc.property(fc.array(evictedSample, { minLength: 1, maxLength: 5 }), (events) => {
      for (const e of events) expect(expectLikeJsonParse(JSON.stringify(e))).toBe('fast');
    }), { numRuns: 300 });
  });

  it('agrees with JSON.parse on arbitrary JSON objects, or steps aside', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => { expectLikeJsonParse(JSON.stringify(o)); }), { numRuns: 1000 });
  });

  it('agrees with JSON.parse on numbers of every kind, or steps aside', () => {
    const numbers = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(-0),
      fc.integer({ min: 0, max: 99_999_999 }).map((n) => n / 100), fc.integer().map((n) => n / 1000));
    fc.assert(fc.property(numbers, (x) => { expectLikeJsonParse(`{"x":${JSON.stringify(x)}}`); }), { numRuns: 2000 });
    for (const text of ['0.1', '-0', '-0.0', '1.0', '123456789012345', '1234567890123456', '0.30000000000000004', '1e3', '9007199254740993']) {
      expectLikeJsonParse(`{"x":${text}}`);
    }
  });

  it('reads decimals of 16–17 digits on both sides of 2^53 exactly as JSON.parse does', () => {
    const decimal = fc.tuple(fc.stringMatching(/^[1-9][0-9]{15,16}$/), fc.nat({ max: 17 }), fc.boolean())
      .map(([digits, point, minus]) => `${minus ? '-' : ''}${point === 0 ? digits : `${digits.slice(0, -point) || '0'}.${digits.slice(-point)}`}`);
    fc.assert(fc.property(decimal, (text) => { expect(expectLikeJsonParse(`{"x":${text}}`)).toBe('fast'); }), { numRuns: 3000 });
    for (const text of ['9007199254740.991', '9007199254740.993', '0.9007199254740991', '0.9007199254740993', '1234567890.1234567']) {
      expect(expectLikeJsonParse(`{"x":${text}}`)).toBe('fast');
    }
  });

  it('never accepts a mutated line that JSON.parse rejects, and otherwise agrees with it', () => {
    const line = fc.oneof(sampleEvent.map((e) => JSON.stringify(e)), evictedSample.map((e) => JSON.stringify(e)));
    fc.assert(fc.property(mutated(line), (text) => { expectLikeJsonParse(text); }), { numRuns: 3000 });
  });

  it('reads every double JSON.stringify writes on its fast path: 16–17 digits and exponents included', () => {
    const doubles = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(doubles, (x) => { expect(expectLikeJsonParse(`{"x":${JSON.stringify(x)}}`)).toBe('fast'); }), { numRuns: 3000 });
    for (const text of ['2.0120724346076475', '0.30000000000000004', '9007199254740993', '1e3', '1E-7', '-1.5e+300', '5e-324', '1e400']) {
      expect(expectLikeJsonParse(`{"x":${text}}`)).toBe('fast');
    }
    for (const text of ['1e', '1e+', '1.e5', '.5', '1E--3']) expect(expectLikeJsonParse(`{"x":${text}}`)).toBe('unsure');
  });

  it('steps aside for what it does not handle: whitespace, escapes, non-ASCII, arrays, __proto__', () => {
    for (const text of ['{"a": 1}', '{"a":"\\n"}', '{"a":"é"}', '{"a":[1]}', '{"__proto__":{"x":1}}', '{"a":01}', '[1]', '{"a":1}\r']) {
      expect(expectLikeJsonParse(text)).toBe('unsure');
    }
  });

  it('reads only the range it is given', () => {
    const bytes = Buffer.from('{"a":1}{"b":2}\n');
    expect(parseJsonLine(bytes, 7, 14)).toStrictEqual({ b: 2 });
    expect(parseJsonLine(bytes, 0, 6)).toBe(UNSURE);
  });
});

/** Parses `line` and returns what the reader says of its form: verbatim or not, and the text under `event`. */
function formOf(line: string): { verbatim: boolean; event: string | undefined } | typeof UNSURE {
  const bytes = Buffer.from(`${line}\n`);
  const value = parseJsonLine(bytes, 0, bytes.length - 1);
  if (value === UNSURE) return UNSURE;
  const verbatim = lastLineVerbatim();
  const { eventFrom, eventTo } = lastLineForm();
  // The claim the write-through path rests on: when the reader says verbatim, serializing the value gives the line.
  if (verbatim) expect(JSON.stringify(value)).toBe(line);
  const inner = (value as { event?: unknown }).event;
  if (verbatim && typeof inner === 'object' && inner !== null) expect(line.slice(eventFrom, eventTo)).toBe(JSON.stringify(inner));
  return { verbatim, event: eventFrom < 0 ? undefined : line.slice(eventFrom, eventTo) };
}

describe('lastLineVerbatim', () => {
  it('vouches for every line JSON.stringify writes of our events, and gives an eviction\'s row as its own text', () => {
    fc.assert(fc.property(sampleEvent, (e) => { expect(formOf(JSON.stringify(e))).toEqual({ verbatim: true, event: undefined }); }), { numRuns: 500 });
    fc.assert(fc.property(evictedSample, (e) => {
      expect(formOf(JSON.stringify(e))).toEqual({ verbatim: true, event: JSON.stringify(e.event) });
    }), { numRuns: 500 });
  });

  it('vouches for every double as JSON.stringify writes it: 16–17 digits and exponents included', () => {
    const doubles = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(doubles, (x) => { expect(formOf(`{"x":${JSON.stringify(x)}}`)).toEqual({ verbatim: true, event: undefined }); }), { numRuns: 3000 });
  });

  it('refuses numbers JSON.stringify would write otherwise: trailing zeros, -0, exponents, digits past the shortest', () => {
    const other = ['1.0', '1.50', '-0', '-0.0', '0.0000001', '1e3', '1E5', '1e-07', '0.30000000000000005', '12345678901234567890', '2.01207243460764750'];
    for (const text of other) {
      const form = formOf(`{"a":1,"x":${text}}`);
      expect(form === UNSURE || !form.verbatim, text).toBe(true);
    }
  });

  it('refuses keys JSON.stringify would write otherwise: repeated, or integer-like (V8 moves them first)', () => {
    for (const line of ['{"a":1,"a":2}', '{"a":1,"1":2}', '{"event":{"x":1},"event":{"x":2}}', '{"a":{"b":1,"b":1}}', '{"a":{"0":1}}']) {
      const form = formOf(line);
      expect(form === UNSURE || !form.verbatim, line).toBe(true);
    }
  });

  it('never vouches for a line that is not its value\'s serialization: arbitrary objects, mutated event lines', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => { formOf(JSON.stringify(o)); }), { numRuns: 1000 });
    const line = fc.oneof(sampleEvent.map((e) => JSON.stringify(e)), evictedSample.map((e) => JSON.stringify(e)));
    fc.assert(fc.property(mutated(line), (text) => { formOf(text); }), { numRuns: 3000 });
  });
});
