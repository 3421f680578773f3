/**
 * Reading /proc text from bytes: the sampler reads every file into one reused Buffer, and parses numbers from it
 * without making strings. Strings are accepted too, for tests and callers off the hot path.
 */

/** Bytes of `text`: the buffer itself, or a copy of a string (off the hot path). */
export const asBytes = (text: string | Buffer): Buffer => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

export const SPACE = 32, NEWLINE = 10, MINUS = 45, ZERO = 48, NINE = 57;

/** Ends of the last {@link readUint}: the byte after its digits. */
export const uintEnd = { at: 0 };

/**
 * The decimal digits at `bytes[at]` up to `length`, or -1 when there are none or when the value is past 2^53 (it
 * could not be held exactly: a corrupt file, not a counter). Past 15 digits the value is taken from the text.
 */
export function readUint(bytes: Buffer, at: number, length: number): number {
  let value = 0;
  const first = at;
  for (let c = at < length ? (bytes[at] as number) : -1; c >= ZERO && c <= NINE; c = ++at < length ? (bytes[at] as number) : -1) {
    value = value * 10 + (c - ZERO);
  }
  uintEnd.at = at;
  if (at === first) return -1;
  if (at - first <= 15) return value;
  const long = Number(bytes.toString('latin1', first, at));
  return long > Number.MAX_SAFE_INTEGER ? -1 : long;
}
