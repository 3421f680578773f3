import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/color.js';

describe('colorEnabled', () => {
  it('colours a terminal', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
  });

  it('respects NO_COLOR with any non-empty value', () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('never colours a pipe or a file', () => {
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
});
