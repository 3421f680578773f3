import { describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/printable.js';
import { renderTable, type UnitRow } from '../../src/cli/render-table.js';

describe('printable', () => {
  it('escapes control characters so a process name cannot drive the terminal', () => {
    expect(printable('evil\x1b]0;owned\x07name')).toBe('evil\\x1b]0;owned\\x07name');
    expect(printable('a\nb\x7f\x9b')).toBe('a\\x0ab\\x7f\\x9b');
    expect(printable('nginx: worker (a) (b)')).toBe('nginx: worker (a) (b)');
  });

  it('keeps escape sequences in unit names out of the watch table', () => {
    const row: UnitRow = { unit: 'x\x1b[2Jy', pid: 1, processes: 1, up: true, cpuPercent: 1, rssBytes: 1024, ioReadBytesPerSec: 0,
      ioWriteBytesPerSec: 0, samples: 1, cpuHistory: [1], restarts: 0, uptimeMs: null, downReason: null };
    const out = renderTable([row], { width: 120, color: false });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('x\\x1b[2Jy');
  });
});
