import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar, renderProgress } from '../../src/cli/progress.js';

function stderr(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, chunks };
}

describe('renderProgress', () => {
  it('shows a bar, the percentage and bytes of the total', () => {
    expect(renderProgress('spill', 5 * 1_048_576, 10 * 1_048_576, 80)).toBe(
      `spill [${'█'.repeat(20)}${'░'.repeat(20)}]  50%  5.0 MiB / 10.0 MiB`,
    );
  });

  it('shows only the bytes read when the total is unknown', () => {
    expect(renderProgress('stdin', 2_048, undefined, 80)).toBe('stdin 2.0 KiB');
  });

  it('fits a narrow terminal and clamps past the total', () => {
    const text = renderProgress('a-long-label', 20, 10, 30);
    expect(text.length).toBeLessThanOrEqual(29);
    expect(text).toContain('100%');
  });
});

describe('progressBar', () => {
  it('is silent when stderr is not a terminal', () => {
    const { out, chunks } = stderr(false);
    const bar = progressBar(out, { label: 'x', totalBytes: 100 });
    bar.update(50);
    bar.done();
    expect(chunks).toEqual([]);
  });

  it('redraws in place only when the text changes, and erases itself when done', () => {
    const { out, chunks } = stderr(true);
    const bar = progressBar(out, { label: 'x', totalBytes: 10_000_000 });
    bar.update(5_000_000);
    bar.update(5_000_100); // same percentage, same bytes shown: no redraw
    bar.update(10_000_000);
    bar.done();
    expect(chunks).toHaveLength(3);
    expect(chunks[0]).toMatch(/^\rx \[█+░+\]  50%.*\x1b\[K$/);
    expect(chunks[1]).toContain('100%');
    expect(chunks[2]).toBe('\r\x1b[K');
  });
});
