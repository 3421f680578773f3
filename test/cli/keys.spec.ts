import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keypresses } from '../../src/cli/keys.js';

/** A stdin that says it is a terminal and records its raw-mode switches. */
function ttyInput(isTTY: boolean) {
  const modes: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY, setRawMode: (raw: boolean) => { modes.push(raw); } });
  return { stdin, modes };
}

describe('keypresses', () => {
  it('enters raw mode on a terminal, emits each key, and leaves raw mode on unsubscribe', () => {
    const { stdin, modes } = ttyInput(true);
    const keys: string[] = [];
    const sub = keypresses(stdin).subscribe((k) => keys.push(k));
    expect(modes).toEqual([true]);
    stdin.emit('data', Buffer.from('sq'));
    expect(keys).toEqual(['s', 'q']);
    sub.unsubscribe();
    expect(modes).toEqual([true, false]);
    stdin.emit('data', Buffer.from('x'));
    expect(keys).toEqual(['s', 'q']); // no listener left behind
  });

  it('leaves a pipe or a file alone: no raw mode, no keys', () => {
    const { stdin, modes } = ttyInput(false);
    const keys: string[] = [];
    const sub = keypresses(stdin).subscribe((k) => keys.push(k));
    stdin.emit('data', Buffer.from('q'));
    sub.unsubscribe();
    expect({ modes, keys, listeners: stdin.listenerCount('data') }).toEqual({ modes: [], keys: [], listeners: 0 });
  });
});
