/** Single keypresses on a terminal, for the live table's `q` and `s`. */
import type { Readable } from 'node:stream';
import { NEVER, Observable } from 'rxjs';

/** A terminal's stdin: raw mode is what delivers keys one at a time, without Enter. */
type TtyInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * Each key typed on `stdin`, while subscribed, as the text it sends (`q`, `s`, `\x03` for Ctrl-C, which raw mode
 * no longer turns into SIGINT). Raw mode is entered only when stdin is a terminal, and left on unsubscribe; on a
 * pipe or a file this never emits and leaves stdin alone, so `watch` still runs under `< /dev/null` or in CI.
 */
export function keypresses(stdin: TtyInput): Observable<string> {
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') return NEVER;
  return new Observable<string>((subscriber) => {
    const onData = (chunk: Buffer | string) => {
      for (const key of String(chunk)) subscriber.next(key);
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
    return () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause(); // an unpaused stdin would keep the process alive after the table is done
    };
  });
}
