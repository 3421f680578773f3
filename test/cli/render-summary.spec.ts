import { describe, expect, it } from 'vitest';
import { EVENT_FORMAT_VERSION, type SummaryEvent } from '../../src/events.js';
import { renderSummary } from '../../src/cli/render-summary.js';

function summary(unit: string, fields: Partial<SummaryEvent> = {}): SummaryEvent {
  return {
    type: 'summary', v: EVENT_FORMAT_VERSION, unit, ts: 1_000_000, windowMs: 900_000, firstTs: 100_000, lastTs: 1_000_000,
    samples: 10, upSamples: 9, up: true, stale: false,
    cpuPercent: { latest: 3, mean: 12.25, min: 0, max: 80, p95: 60 },
    rssBytes: { latest: 52_428_800, mean: 50_000_000, min: 20_000_000, max: 104_857_600, p95: 104_857_600 },
    ioReadBytesPerSec: 2_048, ioWriteBytesPerSec: null, ...fields,
  };
}

describe('renderSummary', () => {
  it('shows the statistics of each unit, in name order', () => {
    const lines = renderSummary([summary('worker'), summary('api')], { width: 140, color: false }).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^UNIT\s+STATE\s+SAMPLES\s+CPU% MEAN\s+P95\s+MAX\s+RSS\s+RSS MAX\s+READ\/s\s+WRITE\/s\s+WINDOW$/);
    expect(lines[1]).toMatch(/^api\s+up\s+9\/10\s+12\.3\s+60\.0\s+80\.0\s+50\.0 MiB\s+100\.0 MiB\s+2\.0 KiB\/s\s+–\s+15m$/);
    expect(lines[2]).toMatch(/^worker /);
  });

  it('tells down and stale units apart', () => {
    const text = renderSummary([summary('a', { up: false }), summary('b', { stale: true }), summary('c')], { width: 140, color: false });
    expect(text).toMatch(/^a\s+down /m);
    expect(text).toMatch(/^b\s+stale /m);
    expect(text).toMatch(/^c\s+up /m);
  });

  it('shows a dash, not a zero, for statistics without values', () => {
    const empty = { latest: null, mean: null, min: null, max: null, p95: null };
    const line = renderSummary([summary('a', { cpuPercent: empty })], { width: 140, color: false }).split('\n')[1];
    expect(line).toMatch(/^a\s+up\s+9\/10\s+–\s+–\s+–\s+50\.0 MiB/);
  });

  it.each([140, 80, 60, 40])('keeps every line within %i columns', (width) => {
    for (const line of renderSummary([summary('a-rather-long-unit-name')], { width, color: false }).trimEnd().split('\n')) {
      expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('colours the state only when colour is on', () => {
    expect(renderSummary([summary('a', { stale: true })], { width: 140, color: false })).not.toContain('\x1b[');
    expect(renderSummary([summary('a', { stale: true })], { width: 140, color: true })).toContain('\x1b[33mstale');
  });
});
