/**
 * Line selection for readNdjson's `anyOf`: pure string scanning, no parsing. A selected line holds one of the
 * needles; the caller adds a backslash to them, so a line spelling a needle with escapes is selected too.
 */

/** The lines of `text` holding one of `needles`, found by jumping between occurrences rather than line by line. */
export function selectLines(text: string, needles: readonly string[]): { kept: string[]; starts: number[] } {
  const next = needles.map((n) => text.indexOf(n));
  const kept: string[] = [];
  const starts: number[] = [];
  for (;;) {
    let at = -1;
    for (const pos of next) if (pos >= 0 && (at < 0 || pos < at)) at = pos;
    if (at < 0) return { kept, starts };
    const start = text.lastIndexOf('\n', at) + 1;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    kept.push(text.slice(start, end));
    starts.push(start);
    for (let k = 0; k < next.length; k++) {
      if ((next[k] as number) >= 0 && (next[k] as number) <= end) next[k] = text.indexOf(needles[k] as string, end + 1);
    }
  }
}

/** Newlines in `text` before offset `before`: the line number of a selected line, needed only for messages. */
export const countNewlines = (text: string, before: number): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < before; i = text.indexOf('\n', i + 1)) n++;
  return n;
};
