/**
 * The text an event was read from, handed from a reader to a writer so that a line needs no second serialization.
 * A reader (readNdjson, replay) sets it just before emitting an event whose line is exactly `JSON.stringify(event)`
 * (the byte reader proves it while parsing: see `lastLineVerbatim`); a writer (toNdjson) that receives that same
 * object writes `text` instead of stringifying it. Every other value, a copy, or an event the reader could not vouch
 * for, is stringified as before, so the output is the same bytes either way.
 *
 * One slot, not a map: between a reader's `next` and the writer there is only synchronous work in the commands that
 * use it, so the event being written is the last one read. The one promise a caller makes by wiring both ends to the
 * same slot: nothing in between changes an event in place (operators that make new objects are fine).
 */
export interface Verbatim {
  /** The event last read whose line is its own serialization; undefined before the first. */
  event: object | undefined;
  /** That line, without its newline. */
  text: string;
  /** Offsets in `text` of the object under the key `event` (an eviction's row), or -1 when there is none. */
  innerFrom: number;
  innerTo: number;
}

/** An empty slot, to pass to a reader and a writer. */
export const verbatimSlot = (): Verbatim => ({ event: undefined, text: '', innerFrom: -1, innerTo: -1 });

/**
 * When `outer` is the slot's event, moves the slot to `inner`, the row an eviction carries, whose text is the part of
 * the line under `event` (a reader unwrapping evictions calls this); else leaves the slot alone.
 */
export function unwrapVerbatim(slot: Verbatim | undefined, outer: object, inner: object): void {
  if (slot === undefined || slot.event !== outer) return;
  if (slot.innerFrom < 0) {
    slot.event = undefined;
    return;
  }
  slot.event = inner;
  slot.text = slot.text.slice(slot.innerFrom, slot.innerTo);
  slot.innerFrom = -1;
  slot.innerTo = -1;
}

/** The line of `value`: the slot's text when it is the slot's event, else `JSON.stringify(value)`. */
export const lineOf = (value: unknown, slot: Verbatim | undefined): string =>
  slot !== undefined && value === slot.event ? slot.text : (JSON.stringify(value) as string);
