import asciichart from 'asciichart';

export interface PlotWithGapsOptions {
  /** Rows of the chart area, not counting the top row asciichart adds. */
  height: number;
  /** Value range of the y axis; must include every value. */
  min: number;
  max: number;
  /** Y-axis label of a value; every label must have the same length. */
  format: (value: number) => string;
  /**
   * Per point, the min and max its value is the mean of (a column that spans a bucket, or many samples): the rows
   * between them are shaded `┊` where the line leaves them blank, so a spike inside a bucket stays visible.
   */
  bands?: readonly ({ min: number; max: number } | null)[];
}

/**
 * A line chart of `values` drawn with asciichart, where null points are gaps, not zeros. asciichart's JavaScript
 * version has no gap support (a NaN breaks its scaling), so gaps are filled with a neighbour's value for plotting and
 * their columns blanked afterwards; a point with gaps on both sides is drawn as `•`. Returns the chart's lines, or
 * none when every value is null. The data of point x sits at column `format(min).length + 2 + x`.
 */
export function plotWithGaps(values: readonly (number | null)[], { height, min, max, format, bands = [] }: PlotWithGapsOptions): string[] {
  const firstReal = values.findIndex((v) => v !== null);
  if (firstReal < 0) return [];
  let carry = values[firstReal] as number;
  const filled = values.map((v) => (carry = v ?? carry));
  const lines = asciichart.plot(filled, { height, min, max, offset: 3, format }).split('\n').map((l) => [...l]);
  const dataStart = format(min).length + 2;
  // asciichart's own scaling, repeated to find the row of a value.
  const ratio = max - min !== 0 ? height / (max - min) : 1;
  const min2 = Math.round(min * ratio);
  const rows = Math.abs(Math.round(max * ratio) - min2);
  const rowOf = (v: number) => rows - (Math.round(v * ratio) - min2);
  const gap = (x: number) => x < 0 || x >= values.length || values[x] === null;
  for (let x = 0; x < values.length; x += 1) {
    // Column x draws the line from point x to point x + 1.
    if (gap(x) || gap(x + 1)) for (const line of lines) line[dataStart + x] = ' ';
    if (!gap(x) && gap(x - 1) && gap(x + 1)) (lines[rowOf(values[x] as number)] as string[])[dataStart + x] = '•';
  }
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  bands.forEach((band, x) => {
    if (band === null || gap(x)) return;
    const top = rowOf(clamp(band.max));
    const bottom = rowOf(clamp(band.min));
    if (top === bottom) return; // within one row the line says it all
    for (let row = top; row <= bottom; row += 1) {
      const line = lines[row] as string[];
      if ((line[dataStart + x] ?? ' ') === ' ') line[dataStart + x] = '┊';
    }
  });
  if (values[0] === null) {
    // asciichart marks the first value on the axis; here it was only a filler.
    const row = rowOf(filled[0] as number);
    (lines[row] as string[])[dataStart - 1] = row + min2 === 0 ? '┼' : '┤';
  }
  return lines.map((l) => l.join('').trimEnd());
}
