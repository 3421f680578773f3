/**
 * A JSON reader for the lines we write ourselves (`JSON.stringify` of an event: no whitespace, ASCII, no escapes,
 * no arrays, plain decimal numbers), working on the bytes without decoding the line. Whenever it meets anything else
 * it gives up and returns {@link UNSURE}, and the caller uses `JSON.parse`: it never decides that a line is invalid.
 *
 * Why it beats `JSON.parse` on our lines: keys and unit names repeat on every line, so they are looked up by their
 * bytes instead of being decoded, and our own key sequences are built as object literals (event-shapes.ts), so V8
 * creates them with their final layout instead of adding properties one by one.
 */

import { shapeBuilder } from './event-shapes.js';

/** Returned when the line is not in the narrow form this reader handles; `JSON.parse` must decide. */
export const UNSURE: unique symbol = Symbol('unsure');

/** Where the last {@link parseJsonLine} call found the object under the top-level key `event` (an eviction's row). */
export interface LineForm {
  /** Byte offsets [eventFrom, eventTo) of that object in the buffer; -1 when the line has none. */
  eventFrom: number;
  eventTo: number;
}
// Reused from call to call (a call runs to its end synchronously): read it before the next call. `verbatim` holds
// the cheap checks; numbers of 16-17 digits are checked only when asked (lastLineVerbatim), so readers that never
// ask (summarize) do not pay for turning them back into text.
const form = { verbatim: false, eventFrom: -1, eventTo: -1, longNumbers: 0 };
let formBytes: Buffer = Buffer.alloc(0);
const longFrom: number[] = [];
const longTo: number[] = [];
const longValue: number[] = [];

/** The place of the `event` object in the line the last {@link parseJsonLine} call returned a value for. */
export const lastLineForm = (): Readonly<LineForm> => form;

/**
 * Whether `JSON.stringify` of the value the last {@link parseJsonLine} call returned writes exactly that line's
 * bytes, so a writer may copy the line instead: keys unique and not integer-like (V8 would move those first), and
 * every number in the text `String()` gives it (no trailing zero, exponent, -0, or digits past the shortest).
 */
export function lastLineVerbatim(): boolean {
  if (!form.verbatim) return false;
  for (let i = 0; i < form.longNumbers; i++) {
    const text = String(longValue[i]);
    const from = longFrom[i] as number;
    if (text.length !== (longTo[i] as number) - from) return false;
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) !== formBytes[from + k]) return false;
  }
  return true;
}

const QUOTE = 0x22, COMMA = 0x2c, MINUS = 0x2d, DOT = 0x2e, COLON = 0x3a, ZERO = 0x30, NINE = 0x39;
const OPEN = 0x7b, CLOSE = 0x7d, BACKSLASH = 0x5c;
const MAX_DEPTH = 8;
const MAX_KEYS = 64;
// While the mantissa is at most 2^53 it and 10^k (k ≤ 22) are exact doubles, so one division is correctly rounded, as
// JSON.parse's result is (Clinger's fast path); bigger mantissas and exponents go to Number(). Any decimal of up to
// 15 digits is the shortest text of its double (what String() writes); longer ones must be checked.
const MAX_DIGITS = 15;
/** Keys V8 orders before the others (array indexes), whatever their place in the text. */
const INDEX_LIKE = /^\d/;
// 10^22 is the largest power of ten that is an exact double.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

// State shared by every caller, which is safe because a call runs to its end synchronously: bounded caches of short
// strings and of shapes (a cached string is the same string whichever stream it came from), and the frames below.
const CACHE_SIZE = 1024;
const MAX_CACHED = 32;
const cachedText: string[] = new Array<string>(CACHE_SIZE).fill('');

/** Objects with these keys in this order are made by `make`; `keyBytes` holds each key as written: `"key":`. */
interface Shape {
  keys: string[];
  keyBytes: Uint8Array[];
  keyHashes: number[];
  /** A literal builder for this key sequence, when it is one of our own event shapes. */
  make: ((values: unknown[]) => Record<string, unknown>) | undefined;
  /** Keys unique and none integer-like, so JSON.stringify writes them once each, in this order. */
  ordered: boolean;
}
const SHAPE_SLOTS = 256;
// Past this many constructors (lines of ever new shapes), objects are built key by key instead.
/** Shapes by a hash of their keys; a colliding shape replaces the older one. */
const shapes: (Shape | undefined)[] = new Array<Shape | undefined>(SHAPE_SLOTS).fill(undefined);

// Per nesting depth, reused from line to line: keys and values read so far, their count, the hash of the keys, and
// the shape last built at this depth, which predicts the keys of the next object there (lines repeat their shape).
const frameKeys: string[][] = Array.from({ length: MAX_DEPTH + 1 }, () => []);
const frameValues: unknown[][] = Array.from({ length: MAX_DEPTH + 1 }, () => []);
const frameCount: number[] = new Array<number>(MAX_DEPTH + 1).fill(0);
const frameHash: number[] = new Array<number>(MAX_DEPTH + 1).fill(0);
const framePredicted: boolean[] = new Array<boolean>(MAX_DEPTH + 1).fill(false);
const lastShape: (Shape | undefined)[] = new Array<Shape | undefined>(MAX_DEPTH + 1).fill(undefined);

/**
 * The value of the JSON object in `bytes[start, end)`, equal to what `JSON.parse` gives for it, or {@link UNSURE}
 * when the bytes use anything outside the narrow form (then `JSON.parse` may still accept them, or reject them).
 */
export function parseJsonLine(bytes: Buffer, start: number, end: number): unknown {
  if (end > bytes.length || bytes[start] !== OPEN) return UNSURE;
  let at = start + 1;
  let depth = 0;
  let count = 0; // entries of the object being read
  let hash = 0;
  let predicted = true; // every key so far was the one lastShape[depth] has there
  form.verbatim = true;
  form.eventFrom = -1;
  form.eventTo = -1;
  form.longNumbers = 0;
  formBytes = bytes;
  if (bytes[at] === CLOSE) return at + 1 === end ? {} : UNSURE;
  for (;;) {
    // a key: first try the one the last object at this depth had in this place
    if (count >= MAX_KEYS) return UNSURE;
    let key: string | typeof UNSURE = UNSURE;
    let keyHash = 0;
    const shape = predicted ? lastShape[depth] : undefined;
    if (shape !== undefined && count < shape.keys.length) {
      const expect = shape.keyBytes[count] as Uint8Array;
      const n = expect.length;
      let i = 0;
      while (i < n && expect[i] === bytes[at + i]) i++;
      if (i === n && at + n < end) {
        key = shape.keys[count] as string;
        keyHash = shape.keyHashes[count] as number;
        at += n;
      }
    }
    if (key === UNSURE) {
      predicted = false;
      if (bytes[at] !== QUOTE) return UNSURE;
      key = readString(bytes, at + 1, end);
      if (key === UNSURE || key === '__proto__') return UNSURE; // '__proto__' would set the prototype
      keyHash = stringHash;
      at = stringEnd + 1;
      if (bytes[at] !== COLON) return UNSURE;
      at++;
    }
    hash = (hash * 33 + keyHash) | 0;
    (frameKeys[depth] as string[])[count] = key;
    // a value
    let value: unknown;
    const c = bytes[at] as number;
    if (c === QUOTE) {
      value = readString(bytes, at + 1, end);
      if (value === UNSURE) return UNSURE;
      at = stringEnd + 1;
    } else if ((c >= ZERO && c <= NINE) || c === MINUS) {
      value = readNumber(bytes, at, end);
      if (value === UNSURE) return UNSURE;
      at = numberEnd;
    } else if (c === OPEN && bytes[at + 1] === CLOSE) {
      if (depth === 0 && key === 'event') { form.eventFrom = at; form.eventTo = at + 2; }
      value = {};
      at += 2;
    } else if (c === OPEN) {
      if (depth === MAX_DEPTH) return UNSURE;
      if (depth === 0 && key === 'event') form.eventFrom = at;
      frameCount[depth] = count + 1;
      frameHash[depth] = hash;
      framePredicted[depth] = predicted;
      depth++;
      count = 0;
      hash = 0;
      predicted = true;
      at++;
      continue;
    } else if (c === 0x6e && bytes[at + 1] === 0x75 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x6c) {
      value = null;
      at += 4;
    } else if (c === 0x74 && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75 && bytes[at + 3] === 0x65) {
      value = true;
      at += 4;
    } else if (c === 0x66 && bytes[at + 1] === 0x61 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x73 && bytes[at + 4] === 0x65) {
      value = false;
      at += 5;
    } else return UNSURE; // arrays, whitespace, anything else
    (frameValues[depth] as unknown[])[count] = value;
    count++;
    // the end of one or more objects
    let next = bytes[at++];
    while (next === CLOSE) {
      const known = lastShape[depth];
      const object = predicted && known !== undefined && known.keys.length === count
        ? make(known, frameValues[depth] as unknown[], count)
        : build(depth, count, hash);
      if (depth === 0) return at === end ? object : UNSURE;
      depth--;
      if (depth === 0 && form.eventFrom >= 0 && form.eventTo < 0) form.eventTo = at;
      count = frameCount[depth] as number;
      hash = frameHash[depth] as number;
      predicted = framePredicted[depth] as boolean;
      (frameValues[depth] as unknown[])[count - 1] = object;
      next = bytes[at++];
    }
    if (next !== COMMA || at >= end) return UNSURE;
  }
}

/** Builds the object of one depth, and remembers its key sequence so the next line's keys are predicted. */
function build(depth: number, count: number, hash: number): Record<string, unknown> {
  const keys = frameKeys[depth] as string[];
  const values = frameValues[depth] as unknown[];
  const slot = (hash ^ count) & (SHAPE_SLOTS - 1);
  let shape = shapes[slot];
  if (shape === undefined || !sameKeys(shape.keys, keys, count)) {
    const own = keys.slice(0, count);
    const keyBytes = own.map((k) => Buffer.from(`"${k}":`, 'latin1'));
    shape = { keys: own, keyBytes, keyHashes: keyBytes.map((b) => hashOf(b, 1, b.length - 2)), make: shapeBuilder(own),
      ordered: new Set(own).size === own.length && !own.some((k) => INDEX_LIKE.test(k)) };
    shapes[slot] = shape;
  }
  lastShape[depth] = shape;
  return make(shape, values, count);
}

function make(shape: Shape, values: unknown[], count: number): Record<string, unknown> {
  if (!shape.ordered) form.verbatim = false;
  return shape.make === undefined ? assemble(shape.keys, values, count) : shape.make(values);
}

/** The object of `keys` and `values`. readString refuses `__proto__`, so assignment cannot reach the prototype. */
function assemble(keys: string[], values: unknown[], count: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) out[keys[i] as string] = values[i];
  return out;
}

/** The hash readString computes for the string in `bytes[from, to)`. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0;
  for (let i = from; i < to; i++) hash = (hash * 31 + (bytes[i] as number)) | 0;
  return hash;
}

function sameKeys(known: string[], keys: string[], count: number): boolean {
  if (known.length !== count) return false;
  for (let i = 0; i < count; i++) if (known[i] !== keys[i]) return false;
  return true;
}

let stringEnd = 0;
let stringHash = 0;

/** The string starting at `from` (after its quote); sets `stringEnd` to its closing quote. */
function readString(bytes: Buffer, from: number, end: number): string | typeof UNSURE {
  let at = from;
  let hash = 0;
  for (;;) {
    if (at >= end) return UNSURE;
    const c = bytes[at] as number;
    if (c === QUOTE) break;
    if (c < 0x20 || c >= 0x80 || c === BACKSLASH) return UNSURE;
    hash = (hash * 31 + c) | 0;
    at++;
  }
  stringEnd = at;
  stringHash = hash;
  const length = at - from;
  if (length > MAX_CACHED) return latin1(bytes, from, at);
  const slot = (hash ^ (length << 5)) & (CACHE_SIZE - 1);
  // Compared with the cached string itself (our strings are ASCII here: one byte, one char), so a miss costs no copy
  // of the bytes: lines full of unique strings (timestamps) stay as cheap as lines of repeated ones.
  const known = cachedText[slot] as string;
  if (known.length === length) {
    let i = 0;
    while (i < length && known.charCodeAt(i) === bytes[from + i]) i++;
    if (i === length) return known;
  }
  const text = latin1(bytes, from, at);
  cachedText[slot] = text;
  return text;
}

const latin1 = (bytes: Buffer, from: number, to: number): string => bytes.toString('latin1', from, to);

let numberEnd = 0;

/** The number starting at `from`; sets `numberEnd` to the byte after it. */
function readNumber(bytes: Buffer, from: number, end: number): number | typeof UNSURE {
  let at = from;
  const negative = bytes[at] === MINUS;
  if (negative) at++;
  let c = at < end ? (bytes[at] as number) : -1;
  if (c < ZERO || c > NINE) return UNSURE;
  if (c === ZERO && at + 1 < end && (bytes[at + 1] as number) >= ZERO && (bytes[at + 1] as number) <= NINE) return UNSURE;
  let mantissa = 0;
  let digits = 0;
  for (; c >= ZERO && c <= NINE; c = ++at < end ? (bytes[at] as number) : -1) { mantissa = mantissa * 10 + (c - ZERO); digits++; }
  let decimals = 0;
  if (c === DOT) {
    for (c = ++at < end ? (bytes[at] as number) : -1; c >= ZERO && c <= NINE; c = ++at < end ? (bytes[at] as number) : -1) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      decimals++;
    }
    if (decimals === 0) return UNSURE;
  }
  let exponent = false;
  if (c === 0x65 || c === 0x45) {
    exponent = true;
    c = ++at < end ? (bytes[at] as number) : -1;
    if (c === 0x2b || c === MINUS) c = ++at < end ? (bytes[at] as number) : -1;
    if (c < ZERO || c > NINE) return UNSURE;
    while (c >= ZERO && c <= NINE) c = ++at < end ? (bytes[at] as number) : -1;
  }
  numberEnd = at;
  // Digits accumulate exactly while below 2^53 (past it the sum rounds to 2^53 or more, so the test below is sound).
  // The rest (JSON.stringify writes doubles with up to 17 digits, and exponents) is checked JSON syntax by now, which
  // Number() rounds exactly as JSON.parse does: one short string, never the whole block through JSON.parse.
  if (exponent || mantissa > Number.MAX_SAFE_INTEGER || decimals >= POW10.length) return longNumber(Number(latin1(bytes, from, at)), from, at);
  const value = decimals === 0 ? mantissa : mantissa / (POW10[decimals] as number);
  if (decimals > 0 && digits > MAX_DIGITS) return longNumber(negative ? -value : value, from, at);
  // Up to 15 digits (leading zeros counted) a decimal is the shortest text of its double, which String() writes,
  // unless it ends in 0, is -0, or is below 1e-6 (written with an exponent).
  if (decimals > 0 && (bytes[at - 1] === ZERO || value < 1e-6)) form.verbatim = false;
  else if (negative && value === 0) form.verbatim = false;
  return negative ? -value : value;
}

/** A number whose text may not be the shortest (16-17 digits, an exponent): noted for lastLineVerbatim to check. */
function longNumber(value: number, from: number, to: number): number {
  const i = form.longNumbers++;
  longFrom[i] = from;
  longTo[i] = to;
  longValue[i] = value;
  return value;
}
