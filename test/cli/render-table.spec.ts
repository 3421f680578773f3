import { describe, expect, it } from 'vitest';
import { renderTable, sparkline, type UnitRow } from '../../src/cli/render-table.js';

function row(fields: Partial<UnitRow> = {}): UnitRow {
  return {
    unit: 'api', pid: 1234, processes: 1, up: true, cpuPercent: 12.5, rssBytes: 52_428_800, ioReadBytesPerSec: 1_024,
    ioWriteBytesPerSec: null, samples: 42, cpuHistory: [0, 50, 100], restarts: 0, uptimeMs: 90_000, downReason: null, ...fields,
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
    expect(header).toMatch(/^UNIT\s+PIDS\s+STATE\s+REASON\s+CPU%\s+RSS\s+UPTIME\s+RESTARTS\s+READ\/s\s+WRITE\/s\s+SAMPLES\s+TREND$/);
    expect(line).toMatch(/^api\s+1234\s+up\s+12\.5\s+50\.0 MiB\s+1m30s\s+0\s+1\.0 KiB\/s\s+–\s+42\s+▁▅█$/);
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

  it('shows the down reason, restarts and uptime', () => {
    const lines = renderTable([row({ unit: 'web', restarts: 3, uptimeMs: 7_200_000 }), row({ unit: 'db', up: false, pid: null, uptimeMs: null, downReason: 'failed' })], { width: 120, color: false }).split('\n');
    expect(lines[1]).toMatch(/^web\s+1234\s+up\s+12\.5\s+50\.0 MiB\s+2h\s+3\s/);
    expect(lines[2]).toMatch(/^db\s+–\s+down\s+failed\s+12\.5\s+50\.0 MiB\s+–\s+0\s/);
  });

  it('fits a height: header kept, the units that do not fit counted on a last line', () => {
    const rows = Array.from({ length: 40 }, (_, i) => row({ unit: `u${String(i).padStart(2, '0')}` }));
    const lines = renderTable(rows, { width: 80, color: false, height: 24, sortKey: 'cpu' }).trimEnd().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/^UNIT/);
    expect(lines[22]).toMatch(/^u21 /);
    expect(lines[23]).toBe('+18 more (sorted by cpu)');
    expect(renderTable(rows.slice(0, 23), { width: 80, color: false, height: 24 }).trimEnd().split('\n')).toHaveLength(24); // all fit: no line lost
  });

  it('explains a column of dashes when no unit has CPU % yet', () => {
    const text = renderTable([row({ cpuPercent: null }), row({ unit: 'b', cpuPercent: null })], { width: 80, color: false });
    expect(text.trimEnd().split('\n').at(-1)).toBe('CPU % needs two readings, one interval apart: – until then (--count 2 or more)');
    expect(renderTable([row()], { width: 80, color: false })).not.toContain('CPU % needs');
  });

  it('keeps column widths across frames when a long name leaves', () => {
    const widths = new Map<string, number>();
    const first = renderTable([row({ unit: 'a-long-unit-name' }), row()], { width: 120, color: false, widths }).split('\n')[0];
    const second = renderTable([row()], { width: 120, color: false, widths }).split('\n')[0];
    expect(second).toBe(first);
    expect(renderTable([row()], { width: 120, color: false }).split('\n')[0]).not.toBe(first); // without memory it narrows
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
