import { describe, expect, it } from 'vitest';
import { parseInstant, positiveInt, validRegex } from '../../src/cli/flag-values.js';

const NOW = Date.parse('2026-11-26T15:00:00Z');

describe('flag values', () => {
  it('reads whole numbers above zero only', () => {
    expect(positiveInt('42', '--count')).toBe(42);
    for (const bad of ['0', '-1', '1.5', '1e3', ' 4', 'x']) expect(() => positiveInt(bad, '--count')).toThrow(/^--count: /);
  });

  it('accepts a valid regex as is and names --match for a bad one', () => {
    expect(validRegex('^node (api|worker)$')).toBe('^node (api|worker)$');
    expect(() => validRegex('[a-')).toThrow(/^--match: '\[a-' is not a valid regular expression/);
  });

  it('reads an instant as an ISO timestamp or a duration ago', () => {
    expect(parseInstant('2026-11-26T14:00:00Z', '--since', () => NOW)).toBe(NOW - 3_600_000);
    expect(parseInstant('1h30m', '--since', () => NOW)).toBe(NOW - 5_400_000);
    expect(() => parseInstant('2026-13-45', '--until', () => NOW)).toThrow(/^--until: .*ISO timestamp/);
    expect(() => parseInstant('soon', '--until', () => NOW)).toThrow(/^--until: 'soon'/);
  });
});
