import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { excerpt, PipelineError } from '../errors.js';
import { decodeMetricEvent, type LineDecoder } from '../formats/decode-event.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../formats/json-depth.js';
import { lastLineForm, lastLineVerbatim, parseJsonLine, UNSURE } from '../formats/parse-json-line.js';
import { countNewlines, selectLines } from '../formats/select-lines.js';
import type { Verbatim } from '../formats/verbatim.js';

/** A line that was skipped; `count` is the number of bad lines of this input so far, this one included. */
export interface BadLine {
  name: string;
  line: number;
  reason: string;
  excerpt: string;
  count: number;
}

export { decodeMetricEvent, decodeOpenEvent, type ForeignEvent, type LineDecoder } from '../formats/decode-event.js';

/** Options of `readNdjson`; every field is optional. */
export interface ReadNdjsonOptions<E extends object = MetricEvent> {
  /** Name of the input in messages (`stdin`, a file name). Default `input`. */
  name?: string;
  /** Error with `E_PARSE` on the first bad line instead of skipping it. Default false. */
  strict?: boolean;
  /** Longest accepted line in bytes, newline excluded; longer lines are skipped without being buffered. 1 MiB. */
  maxLineBytes?: number;
  /** Called for each skipped line in lenient mode. Default: nothing. */
  onBadLine?: (bad: BadLine) => void;
  /**
   * Maps parsed JSON to an event, or returns why not (a bad line); default `decodeMetricEvent`: `isMetricEvent` values no
   * newer than `EVENT_FORMAT_VERSION`, other types reported. `decodeOpenEvent` passes unknown types through instead. A
   * decoder that throws makes a bad line too (an E_PARSE error under `strict`).
   */
  decode?: LineDecoder<E>;
  /** While the last value is true, the input is paused (a writer's `onPressure`); reading resumes on false. */
  paused?: Observable<boolean>;
  /**
   * Literal JSON strings (e.g. `"api"`, quotes included) of which a wanted line holds at least one. A line with
   * none of them and no backslash (so no escaped spelling of them) is skipped unparsed, and is then neither emitted
   * nor reported when bad. Ignored under `strict`. Default: every line is parsed.
   */
  anyOf?: readonly string[];
  /**
   * A slot this reader fills, before emitting an event, with the line it was read from when that line is exactly
   * `JSON.stringify(event)` and the decoder returned the parsed value itself (so a decoder must not change a value in
   * place); a writer given the same slot writes the line instead of serializing again (formats/verbatim.ts). Default: none.
   */
  verbatim?: Verbatim;
}


const NL = 0x0a;

/** Fills the slot with the line `bytes[start, end)` (ASCII: the byte reader takes nothing else) and its row's place. */
function keep(slot: Verbatim, event: object, bytes: Buffer, start: number, end: number): void {
  const { eventFrom, eventTo } = lastLineForm();
  slot.event = event;
  slot.text = bytes.toString('latin1', start, end);
  slot.innerFrom = eventFrom < 0 ? -1 : eventFrom - start;
  slot.innerTo = eventFrom < 0 ? -1 : eventTo - start;
}

/**
 * Events from NDJSON on `input` (Buffer or string chunks): split on `\n` (a trailing `\r` is JSON whitespace), UTF-8
 * decoded across chunks, lines capped at `maxLineBytes`. Blank lines are ignored. A final line without `\n` is parsed
 * like any other, so a torn tail (always invalid JSON for an object line) is reported as a bad line, as is a line
 * nested deeper than `MAX_JSON_DEPTH` (64). Nothing thrown while reading escapes: it arrives on the error channel.
 */
export function readNdjson<E extends object = MetricEvent>(input: Readable, options: ReadNdjsonOptions<E> = {}): Observable<E> {
  const { name = 'input', strict = false, maxLineBytes = 1024 * 1024, onBadLine, paused, verbatim } = options;
  const decodeValue = (options.decode ?? decodeMetricEvent) as LineDecoder<E>;
  // A throwing decoder makes a bad line, never an exception.
  const decodeShallow = (value: unknown): E | string => {
    try {
      return decodeValue(value);
    } catch (error) {
      return `decoder failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  // JSON.parse takes any depth; the fast path below stops at 8 levels, so only its values skip this walk.
  const decode = (value: unknown): E | string =>
    nestsDeeperThan(value, MAX_JSON_DEPTH) ? `nested deeper than ${MAX_JSON_DEPTH} levels` : decodeShallow(value);
  const needles = strict || !options.anyOf ? undefined : [...options.anyOf.filter((n) => n !== ''), '\\'];
  return new Observable<E>((subscriber) => {
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let skipping = false; // inside an over-long line: discard bytes until its newline
    let lineNo = 0;
    let bad = 0;
    let stopped = false;

    const reject = (line: number, reason: string, text: string): void => {
      bad += 1;
      const shown = excerpt(text);
      if (strict) {
        stopped = true;
        subscriber.error(new PipelineError('E_PARSE', `${name}:${line}: ${reason}: ${shown}`));
      } else onBadLine?.({ name, line, reason, excerpt: shown, count: bad });
    };
    const parseLine = (text: string, line: number): void => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return reject(line, (error as Error).message.split('\n')[0] ?? 'invalid JSON', text);
      }
      const event = decode(value);
      if (typeof event === 'string') reject(line, event, text);
      else subscriber.next(event);
    };
    // Parsing a block of lines as one JSON array costs one call instead of one per line; any problem in the
    // block (bad line, blank line, over-long line) falls back to line-by-line parsing with exact line numbers.
    const parseBlock = (text: string, lineOf: (i: number) => number, lines: number, longest: boolean): void => {
      let values: unknown[] | undefined;
      if (!longest) {
        try {
          const body = text.charCodeAt(text.length - 1) === NL ? text.slice(0, -1) : text;
          // ',\n' rather than ',': a raw newline is invalid inside a JSON string, so no string can span two lines
          values = JSON.parse(`[${body.replaceAll('\n', ',\n')}]`) as unknown[];
          if (values.length !== lines) values = undefined;
        } catch {
          values = undefined;
        }
      }
      const events = values?.map(decode);
      if (events?.every((e): e is E => typeof e !== 'string')) {
        for (let i = 0; i < events.length && !subscriber.closed; i++) subscriber.next(events[i] as E);
        return;
      }
      let start = 0;
      for (let i = 0; start < text.length && !stopped && !subscriber.closed; i++) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        const line = text.slice(start, end);
        if (Buffer.byteLength(line) > maxLineBytes) reject(lineOf(i), `line longer than ${maxLineBytes} bytes`, line);
        else parseLine(line, lineOf(i));
        start = end + 1;
      }
    };
    const overLong = (): void => {
      const head = Buffer.concat(carry).toString('utf8', 0, 64);
      carry = [];
      carryBytes = 0;
      skipping = true;
      reject(lineNo + 1, `line longer than ${maxLineBytes} bytes`, head);
    };

    const onData = (data: Buffer | string): void => {
      if (stopped || subscriber.closed) return;
      // a string chunk comes from setEncoding(), whose decoder already joined characters split across chunks
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let from = 0;
      if (skipping) {
        const nl = chunk.indexOf(NL);
        if (nl < 0) return;
        skipping = false;
        lineNo += 1;
        from = nl + 1;
      }
      const last = chunk.lastIndexOf(NL);
      if (last < from) {
        carry.push(from === 0 ? chunk : chunk.subarray(from));
        carryBytes += chunk.length - from;
        if (carryBytes > maxLineBytes) overLong();
        return;
      }
      const firstNl = chunk.indexOf(NL, from);
      if (carryBytes + firstNl - from > maxLineBytes) {
        carry.push(chunk.subarray(from, Math.min(firstNl, from + 64)));
        overLong();
        skipping = false;
        lineNo += 1;
        from = firstNl + 1;
      }
      let lines = 0;
      let longest = 0;
      for (let prev = from - 1, i = chunk.indexOf(NL, from); i >= 0 && i <= last; prev = i, i = chunk.indexOf(NL, i + 1)) {
        lines++;
        if (i - prev - 1 > longest) longest = i - prev - 1;
      }
      const body = chunk.subarray(from, last + 1);
      const block = carry.length ? Buffer.concat([...carry, body]) : body;
      carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      carryBytes = chunk.length - last - 1;
      const firstLine = lineNo + 1;
      lineNo += lines;
      if (lines === 0) return;
      if (!needles) {
        // Lines as we write them are read straight from the bytes; from the first line the fast reader is unsure
        // of (or that the decoder refuses) on, the rest of the block takes the general path.
        let start = 0;
        let done = 0;
        for (let end = block.indexOf(NL); end >= 0 && end - start <= maxLineBytes; end = block.indexOf(NL, start)) {
          const value = parseJsonLine(block, start, end);
          const event = value === UNSURE ? undefined : decodeShallow(value);
          if (event === undefined || typeof event === 'string') break;
          if (subscriber.closed) return;
          if (verbatim !== undefined && event === value && lastLineVerbatim()) keep(verbatim, event, block, start, end);
          subscriber.next(event);
          done++;
          start = end + 1;
        }
        if (start < block.length) parseBlock(block.toString('utf8', start), (i) => firstLine + done + i, lines - done, longest > maxLineBytes);
        return;
      }
      const text = block.toString('utf8');
      const { kept, starts } = selectLines(text, needles);
      const lineOf = (i: number) => firstLine + countNewlines(text, starts[i] as number);
      if (kept.length > 0) parseBlock(kept.join('\n'), lineOf, kept.length, longest > maxLineBytes);
    };
    const onEnd = (): void => {
      if (stopped || subscriber.closed) return;
      if (carryBytes > maxLineBytes) overLong(); // a last line without newline is capped like any other
      else if (carryBytes > 0 && !skipping) parseLine(Buffer.concat(carry).toString('utf8'), lineNo + 1);
      if (!stopped) subscriber.complete();
    };
    const onError = (error: Error): void => {
      subscriber.error(new PipelineError('E_SOURCE', `${name}: ${error.message}`, { cause: error }));
    };
    // A throw of ours (or of a decoder's caller) inside a stream callback would be an uncaughtException.
    const guarded = <A extends unknown[]>(handler: (...args: A) => void) => (...args: A): void => {
      try {
        handler(...args);
      } catch (error) {
        stopped = true;
        subscriber.error(error instanceof PipelineError ? error : new PipelineError('E_SOURCE', `${name}: ${String(error)}`, { cause: error }));
      }
    };
    const onChunk = guarded(onData);
    const onFinish = guarded(onEnd);
    const pausing = paused?.subscribe((p) => (p ? input.pause() : input.resume()));
    input.on('data', onChunk);
    input.once('end', onFinish);
    input.once('error', onError);
    return () => {
      pausing?.unsubscribe();
      input.off('data', onChunk);
      input.off('end', onFinish);
      input.off('error', onError);
      if (stopped || !input.readableEnded) input.pause();
    };
  });
}
