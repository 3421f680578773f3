import { describe, expect, it } from 'vitest';
import { renderTable, sparkline, type UnitRow } from '../../src/cli/render-table.js';

function row(fields: Partial<UnitRow> = {}): UnitRow {
  return {
    unit: 'api', pid: 1234, processes: 1, up: true, cpuPercent: 12.5, rssBytes: 52_428_800, ioReadBytesPerSec: 1_024,
    ioWriteBytesPerSec: null, samples: 42, cpuHistory: [0, 50, 100], ...fields,
  };
}

const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('sparkline', () => {
  it('maps 0..100 % onto the eight block characters', () => {
    expect(sparkline([0, 14.3, 28.6, 42.9, 57.1, 71.4, 85.7, 100], 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('draws gaps as spaces, never as the lowest block', () => {
    expect(sparkline([100, null, null, 0], 4)).toBe('█  ▁');
  });

  it('keeps the newest values when there are more than fit', () => {
    expect(sparkline([100, 100, 0, 0], 2)).toBe('▁▁');
  });

  it('rescales when a unit uses more than one core', () => {
    expect(sparkline([100, 200], 2)).toBe('▅█');
  });
});

describe('renderTable', () => {
  it('shows every column on a wide terminal', () => {
    const text = renderTable([row()], { width: 120, color: false });
    const [header, line] = text.trimEnd().split('\n');
    expect(header).toMatch(/^UNIT\s+PIDS\s+STATE\s+CPU%\s+RSS\s+READ\/s\s+WRITE\/s\s+SAMPLES\s+TREND$/);
    expect(line).toMatch(/^api\s+1234\s+up\s+12\.5\s+50\.0 MiB\s+1\.0 KiB\/s\s+–\s+42\s+▁▅█$/);
  });

  it.each([120, 80, 60, 40, 32])('keeps every line within %i columns', (width) => {
    const rows = [row({ unit: 'a-very-long-unit-name-that-would-not-fit-anywhere', pid: 4_194_304, processes: 12_345 }), row({ up: false })];
    for (const line of renderTable(rows, { width, color: false }).trimEnd().split('\n')) {
      expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('shows the main pid and how many more processes the unit summed', () => {
    const lines = renderTable([row({ unit: 'web', pid: 4321, processes: 10 }), row({ unit: 'db', pid: 99, processes: 1 }), row({ unit: 'off', pid: null, processes: 0, up: false })], { width: 120, color: false }).split('\n');
    expect(lines[1]).toMatch(/^web\s+4321 \+9\s+up/);
    expect(lines[2]).toMatch(/^db\s+99\s+up/);
    expect(lines[3]).toMatch(/^off\s+–\s+down/);
  });

  it('drops optional columns from the right on a narrow terminal, keeping the essentials', () => {
    const header = renderTable([row()], { width: 40, color: false }).split('\n')[0] ?? '';
    expect(header).toMatch(/UNIT.*STATE.*CPU%.*RSS/);
    expect(header).not.toContain('WRITE/s');
    expect(header).not.toContain('READ/s');
  });

  it('truncates a long unit name with an ellipsis', () => {
    const text = renderTable([row({ unit: 'x'.repeat(200) })], { width: 80, color: false });
    expect(text.split('\n')[1]).toMatch(/^x+… /);
  });

  it('shows a down unit and its gaps', () => {
    const line = renderTable([row({ up: false, cpuPercent: null, cpuHistory: [50, null] })], { width: 120, color: false }).split('\n')[1];
    expect(line).toMatch(/ down +– /);
    expect(line).toMatch(/▅$/); // the trailing gap is a space, trimmed at the end of the line
  });

  it('colours state and header only when colour is on', () => {
    const plain = renderTable([row(), row({ up: false })], { width: 100, color: false });
    const coloured = renderTable([row(), row({ up: false })], { width: 100, color: true });
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[32mup');
    expect(coloured).toContain('\x1b[31mdown');
    expect(visible(coloured)).toBe(plain);
  });

  it('prints only the header when there are no units', () => {
    expect(renderTable([], { width: 80, color: false }).trimEnd().split('\n')).toHaveLength(1);
  });
});
