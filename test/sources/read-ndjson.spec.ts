import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BehaviorSubject, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { decodeOpenEvent, readNdjson, type BadLine } from '../../src/sources/read-ndjson.js';
import { MAX_TS_MS } from '../../src/events.js';
import { PipelineError } from '../../src/errors.js';
import { down, evicted, sample } from '../../src/testing/index.js';
import { verbatimSlot } from '../../src/formats/verbatim.js';

const line = (e: unknown) => `${JSON.stringify(e)}\n`;
const chunks = (...parts: (string | Buffer)[]) => Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
const read = (input: Readable, opts = {}) => lastValueFrom(readNdjson(input, opts).pipe(toArray()));

describe('readNdjson', () => {
  const a = sample('api', 1000);
  const b = down('db', 2000);

  it('fills a verbatim slot with each line that is its event\'s serialization, as the event is emitted', async () => {
    const slot = verbatimSlot();
    const seen: [unknown, string, string][] = [];
    const e = evicted('retention', 5000, sample('db', 1500));
    const text = `${JSON.stringify(a)}\n${JSON.stringify(e)}\n${JSON.stringify(b).replace('"v":1', '"v":1.0')}\n${JSON.stringify(a)}\r\n`;
    const slots = readNdjson(chunks(text), { verbatim: slot });
    await new Promise<void>((done) => slots.subscribe({
      next: (ev) => seen.push([slot.event === ev, slot.text, slot.innerFrom < 0 ? '' : slot.text.slice(slot.innerFrom, slot.innerTo)]),
      complete: done,
    }));
    expect(seen.map(([same, t, inner]) => [same, same ? t : '', same ? inner : ''])).toEqual([
      [true, JSON.stringify(a), ''],
      [true, JSON.stringify(e), JSON.stringify(e.event)],
      [false, '', ''], // "v":1.0 is written 1: not its own serialization
      [false, '', ''], // CRLF: the byte reader steps aside, so nobody vouches for the line
    ]);
  });

  it('reads one event per line, tolerating CRLF and a blank line', async () => {
    const text = `${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}\r\n`;
    expect(await read(chunks(text))).toEqual([a, b]);
  });

  it('joins a line split across chunks, even inside a multi-byte UTF-8 character', async () => {
    const u = sample('café-ünit', 1000);
    const bytes = Buffer.from(line(u) + line(b));
    const at = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
    expect(await read(chunks(bytes.subarray(0, at), bytes.subarray(at, at + 3), bytes.subarray(at + 3)))).toEqual([u, b]);
  });

  it('reads a final line without newline', async () => {
    expect(await read(chunks(line(a) + JSON.stringify(b)))).toEqual([a, b]);
  });

  it('rejects a line longer than maxLineBytes spread over many chunks, and keeps reading', async () => {
    const long = JSON.stringify(sample('x'.repeat(5000), 1));
    const parts = [line(a), ...long.match(/.{1,100}/gs)!, '\n', line(b)];
    const bad: BadLine[] = [];
    expect(await read(chunks(...parts), { maxLineBytes: 1000, onBadLine: (x: BadLine) => bad.push(x) })).toEqual([a, b]);
    expect(bad).toEqual([expect.objectContaining({ line: 2, reason: 'line longer than 1000 bytes', count: 1 })]);
  });

  it('rejects an over-long line inside one chunk', async () => {
    const long = JSON.stringify(sample('x'.repeat(5000), 1));
    const bad: BadLine[] = [];
    const out = await read(chunks(line(a) + long + '\n' + line(b)), { maxLineBytes: 1000, onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual([a, b]);
    expect(bad.map((x) => x.line)).toEqual([2]);
  });

  it('in lenient mode reports bad lines with their numbers and continues', async () => {
    const bad: BadLine[] = [];
    const text = line(a) + '{"type":"sam\n' + line({ type: 'nope', unit: 'u', ts: 1 }) + line({ ...b, v: 2 }) + line(b);
    const out = await read(chunks(text), { name: 'in.ndjson', onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual([a, b]);
    expect(bad.map((x) => [x.name, x.line, x.reason.slice(0, 20), x.count])).toEqual([
      ['in.ndjson', 2, expect.any(String), 1],
      ['in.ndjson', 3, 'unknown event type "', 2],
      ['in.ndjson', 4, 'format version 2 is ', 3],
    ]);
    expect(bad[0]!.excerpt).toBe('{"type":"sam');
  });

  it('gives the same events and line numbers whether a line is read from its bytes or by JSON.parse', async () => {
    const bad: BadLine[] = [];
    const spaced = JSON.stringify(a, null, 0).replace('"unit":', '"unit": '); // whitespace: JSON.parse reads it
    const text = line(a) + line(b) + `${spaced}\n` + line(a) + '{"type":1}\n' + line(b);
    const out = await read(chunks(text), { onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual([a, b, a, a, b]);
    expect(bad.map((x) => [x.line, x.reason])).toEqual([[5, 'not an event']]);
  });

  it('never lets two broken lines join into one event when a chunk is parsed as a block', async () => {
    const bad: BadLine[] = [];
    const two = `${JSON.stringify(b)},${JSON.stringify(b)}`; // one line, two values: keeps the value count equal
    const text = '{"type":"unit-down","v":1,"unit":"a\n' + 'b","ts":1,"reason":"x"}\n' + two + '\n';
    expect(await read(chunks(text), { onBadLine: (x: BadLine) => bad.push(x) })).toEqual([]);
    expect(bad.map((x) => x.line)).toEqual([1, 2, 3]);
  });

  it('in strict mode errors with E_PARSE naming input and line, with a truncated excerpt', async () => {
    const text = line(a) + line(a) + `{"broken": "${'y'.repeat(200)}\n` + line(b);
    const err = await read(chunks(text), { name: 'stdin', strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).code).toBe('E_PARSE');
    expect((err as PipelineError).message).toMatch(/^stdin:3: .+: \{"broken": "y+…$/);
    expect((err as PipelineError).message.length).toBeLessThan(150);
  });

  it('a torn final line is a bad line', async () => {
    const bad: BadLine[] = [];
    const out = await read(chunks(line(a) + JSON.stringify(b).slice(0, 20)), { onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual([a]);
    expect(bad.map((x) => x.line)).toEqual([2]);
  });

  it('with anyOf, parses only lines holding one of the strings or a backslash, with exact line numbers', async () => {
    const escaped = JSON.stringify(sample('db', 3)).replace('"db"', '"\\u0064b"'); // "db" spelled with an escape
    const text = line(a) + line(sample('db', 2)) + '{"unit":"db", torn\n' + escaped + '\n' + '{"torn":"api\n' + line(b);
    const bad: BadLine[] = [];
    const out = await read(chunks(text), { anyOf: ['"db"'], onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual([sample('db', 2), sample('db', 3), b]);
    expect(bad.map((x) => x.line)).toEqual([3]); // line 5 holds neither "db" nor a backslash: skipped unread
  });

  it('under strict, anyOf is ignored and every line is checked', async () => {
    const text = line(a) + '{"torn":"api\n';
    await expect(read(chunks(text), { anyOf: ['"db"'], strict: true })).rejects.toMatchObject({ code: 'E_PARSE' });
  });

  it('turns a stream error into E_SOURCE', async () => {
    const input = new Readable({ read() { this.destroy(new Error('boom')); } });
    await expect(read(input, { name: 'f' })).rejects.toMatchObject({ code: 'E_SOURCE', message: 'f: boom' });
  });

  it('take(1) unsubscribes and stops emitting', async () => {
    const input = chunks(line(a) + line(b) + line(a));
    expect(await firstValueFrom(readNdjson(input).pipe(take(1), toArray()))).toEqual([a]);
    expect(input.listenerCount('data')).toBe(0);
  });
  it('takes string chunks, from Readable.from(strings) and from setEncoding, split inside a character', async () => {
    const u = sample('café', 1000);
    const text = line(u) + line(b);
    const at = text.indexOf('é');
    expect(await read(Readable.from([text.slice(0, at), text.slice(at, at + 1), text.slice(at + 1)]))).toEqual([u, b]);
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const decoded = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)], { objectMode: false });
    decoded.setEncoding('utf8');
    expect(await read(decoded)).toEqual([u, b]);
  });

  it('a throwing decoder makes a bad line in lenient mode, an E_PARSE error under strict, never an exception', async () => {
    const decode = (v: unknown) => { if ((v as { unit?: string }).unit === 'db') throw new Error('no db here'); return v as object; };
    const bad: BadLine[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const text = line(a) + line(b) + line(a);
      expect(await read(chunks(text), { decode, onBadLine: (x: BadLine) => bad.push(x) })).toEqual([a, a]);
      expect(bad.map((x) => [x.line, x.reason])).toEqual([[2, 'decoder failed: no db here']]);
      await expect(read(chunks(text), { decode, strict: true, name: 'in' })).rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringMatching(/^in:2: decoder failed: no db here: /) });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('rejects a 10 KB line nested 5,000 deep as a bad line, and one nested 64 deep is still read', async () => {
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const deep = JSON.stringify(sample('deep', 1000)).replace('"missing":{}', `"missing":${nest(5000)}`);
    const ok = JSON.stringify(sample('ok', 1000)).replace('"missing":{}', `"missing":${nest(62)}`); // 64 with the event
    expect(Buffer.byteLength(deep)).toBeGreaterThan(10_000);
    const bad: BadLine[] = [];
    const out = await read(chunks(`${deep}
${ok}
${line(b)}`), { onBadLine: (x: BadLine) => bad.push(x) });
    expect(out.map((e) => e.unit)).toEqual(['ok', 'db']);
    expect(bad.map((x) => [x.line, x.reason])).toEqual([[1, 'nested deeper than 64 levels']]);
  });

  it('refuses numbers out of range: ts not an integer ms in 1970…9999, negative amounts, as bad lines', async () => {
    const lines = [
      { ...a, ts: 1e300 }, { ...a, ts: -1 }, { ...a, ts: 1000.5 }, { ...a, ts: MAX_TS_MS + 1 }, { ...a, rssBytes: -5 },
      { ...a, cpuUserSeconds: -0.1 }, { ...a, cpuPercent: -1 }, { ...a, ioReadBytes: -1 }, { ...a, pid: 1.5 },
      { ...b, ts: MAX_TS_MS }, { ...a, ts: 0, cpuPercent: null, ioReadBytes: null },
    ];
    const bad: BadLine[] = [];
    const out = await read(chunks(lines.map(line).join('')), { onBadLine: (x: BadLine) => bad.push(x) });
    expect(out).toEqual(lines.slice(9));
    expect(bad.map((x) => x.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reports an unknown type by name, or passes it through with decodeOpenEvent', async () => {
    const custom = { type: 'deploy', v: 1, unit: 'api', ts: 1500, sha: 'abc' };
    const bad: BadLine[] = [];
    expect(await read(chunks(line(a) + line(custom)), { onBadLine: (x: BadLine) => bad.push(x) })).toEqual([a]);
    expect(bad.map((x) => x.reason)).toEqual(['unknown event type "deploy"']);
    const open = await lastValueFrom(readNdjson(chunks(line(a) + line(custom) + line({ ...custom, ts: -1 })), { decode: decodeOpenEvent }).pipe(toArray()));
    expect(open).toEqual([a, custom]);
  });

  it('pauses its input while `paused` says so', async () => {
    const paused = new BehaviorSubject(true);
    const input = chunks(line(a), line(b));
    const seen: unknown[] = [];
    const sub = readNdjson(input, { paused }).subscribe((e) => seen.push(e));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    expect(input.isPaused()).toBe(true);
    paused.next(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([a, b]);
    sub.unsubscribe();
  });
});
