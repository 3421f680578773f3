import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { formatBytes, formatDuration, formatRate, parseDurationMs, parseSizeBytes } from '../../src/cli/units.js';

function usageError(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('E_USAGE');
    return error as PipelineError;
  }
  throw new Error('expected a usage error');
}

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500], ['5s', 5_000], ['15m', 900_000], ['12h', 43_200_000], ['7d', 604_800_000],
    ['1h30m', 5_400_000], ['1m500ms', 60_500], ['1.5s', 1_500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDurationMs(text, '--interval')).toBe(ms);
  });

  it.each(['', '5', '5x', '-5s', '0s', 's', '30m1h', '5s5s', '1 h', '5S'])('rejects %j naming the flag and the forms', (text) => {
    const error = usageError(() => parseDurationMs(text, '--retention'));
    expect(error.message).toContain('--retention');
    expect(error.message).toContain('500ms, 5s, 15m, 12h, 7d');
  });
});

describe('parseSizeBytes', () => {
  it.each([
    ['512B', 512], ['1024', 1024], ['256KiB', 262_144], ['10MiB', 10_485_760], ['1GiB', 1_073_741_824],
    ['1KB', 1_000], ['1GB', 1_000_000_000], ['6mib', 6_291_456], ['1.5KiB', 1_536],
  ])('reads %s as %i bytes', (text, bytes) => {
    expect(parseSizeBytes(text, '--memory')).toBe(bytes);
  });

  it.each(['', 'MiB', '10XB', '-1KiB', '0', '0.5B', '1e3', '10 M i B'])('rejects %j naming the flag and the forms', (text) => {
    const error = usageError(() => parseSizeBytes(text, '--spill-max'));
    expect(error.message).toContain('--spill-max');
    expect(error.message).toContain('256KiB');
  });
});

describe('formatters', () => {
  it('formats bytes in powers of 1024', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_536)).toBe('1.5 KiB');
    expect(formatBytes(10_485_760)).toBe('10.0 MiB');
    expect(formatBytes(null)).toBe('–');
  });

  it('formats rates per second', () => {
    expect(formatRate(2_048)).toBe('2.0 KiB/s');
    expect(formatRate(null)).toBe('–');
  });

  it('formats durations with the two largest units', () => {
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(86_400_000 + 3_600_000 + 61_000)).toBe('1d1h');
    expect(formatDuration(43_200_000)).toBe('12h');
    expect(formatDuration(0)).toBe('0s');
  });

  it('round-trips formatted durations through the parser', () => {
    for (const ms of [500, 5_000, 900_000, 5_400_000, 604_800_000]) {
      expect(parseDurationMs(formatDuration(ms), '--x')).toBe(ms);
    }
  });
});
