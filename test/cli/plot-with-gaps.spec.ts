import { describe, expect, it } from 'vitest';
import { plotWithGaps } from '../../src/cli/plot-with-gaps.js';

const format = (v: number) => v.toFixed(0).padStart(3); // labels are 3 wide: data of point x at column 5 + x
const opts = { height: 4, min: 0, max: 4, format };
const column = (lines: string[], x: number) => lines.map((l) => l[5 + x] ?? ' ').join('');

describe('plotWithGaps', () => {
  it('draws the same chart as asciichart when there is no gap', () => {
    const lines = plotWithGaps([0, 1, 2, 3, 4], opts);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('  0 ┼╯');
    expect(lines[0]).toBe('  4 ┼   ╭'); // asciichart's own axis mark on its first row
  });

  it('leaves the columns of a gap blank instead of dropping to zero', () => {
    const lines = plotWithGaps([4, 4, null, null, 4, 4], opts);
    expect(column(lines, 0)).toBe('─    ');
    expect(column(lines, 1)).toBe('     '); // 1 → 2 enters the gap
    expect(column(lines, 2)).toBe('     ');
    expect(column(lines, 3)).toBe('     '); // 3 → 4 leaves it
    expect(column(lines, 4)).toBe('─    ');
    expect(lines[4]).toBe('  0 ┤'); // nothing drawn on the zero line
  });

  it('marks a point between two gaps with a dot at its value', () => {
    const lines = plotWithGaps([null, 2, null], opts);
    expect(column(lines, 1)).toBe('  •  ');
    expect(lines.join('\n')).not.toMatch(/[─╭╮╯╰]/);
  });

  it('does not mark a leading gap on the axis', () => {
    const lines = plotWithGaps([null, null, 3, 3], opts);
    expect(lines[1]).toBe('  3 ┤  ─');
  });

  it('shades the rows between a point\'s min and max where the line leaves them blank, and nothing for a flat band', () => {
    const lines = plotWithGaps([2, 2, 2], { ...opts, bands: [{ min: 2, max: 2 }, { min: 0, max: 4 }, { min: 2, max: 2 }] });
    expect(column(lines, 1)).toBe('┊┊─┊┊'); // rows 4..0: the band around the line at 2
    expect(column(lines, 0)).toBe('  ─  ');
    expect(column(lines, 2)).toBe('     '); // the last point has no segment to draw, and a band within one row adds none
  });

  it('returns no lines when every point is a gap', () => {
    expect(plotWithGaps([null, null], opts)).toEqual([]);
  });
});
