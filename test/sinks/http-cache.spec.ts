import { describe, expect, it } from 'vitest';
import { BodyCache } from '../../src/sinks/http-cache.js';

describe('BodyCache', () => {
  it('makes a value once per key until invalidated', () => {
    const cache = new BodyCache<number>();
    let made = 0;
    const make = () => ++made;
    expect([cache.get('a', make), cache.get('a', make), cache.get('b', make)]).toEqual([1, 1, 2]);
    cache.invalidate();
    expect([cache.get('a', make), cache.get('a', make)]).toEqual([3, 3]);
  });

  it('starts over past maxKeys, so distinct keys cannot grow it', () => {
    const cache = new BodyCache<string>(2);
    let made = 0;
    for (const k of ['a', 'b', 'c']) cache.get(k, () => `${k}${++made}`);
    expect(cache.get('a', () => 'again')).toBe('again'); // 'a' was dropped when 'c' came
    expect(cache.get('c', () => 'new')).toBe('c3');
  });
});
