import { describe, expect, it } from 'vitest';
import { bySeq, isCompressedSegment, segmentName, segmentOpenedMs, segmentSeq, SEGMENT_PATTERN } from '../../src/formats/segment-names.js';

describe('segment names', () => {
  it('pads the sequence so name order is sequence order, whatever the clock says', () => {
    const names = [segmentName(10, 5), segmentName(9, 9_999_999_999_999), segmentName(100, 0)];
    expect([...names].sort()).toEqual([segmentName(9, 9_999_999_999_999), segmentName(10, 5), segmentName(100, 0)]);
    expect(segmentName(7, 1234.9)).toBe('procstream-000000000007-1234.ndjson');
  });

  it('reads the sequence back, and nothing from foreign names', () => {
    expect(segmentSeq(segmentName(42, 1))).toBe(42);
    for (const name of ['procstream-1.ndjson', 'procstream-000000000042-1.ndjson.tmp', 'notes.txt', 'metrics-1.jsonl']) {
      expect(segmentSeq(name)).toBeUndefined();
      expect(SEGMENT_PATTERN.test(name)).toBe(false);
    }
  });

  it('widens the sequence past 12 digits instead of overflowing, and orders by sequence', () => {
    const last12 = segmentName(999_999_999_999, 1, { compressed: true });
    const first13 = segmentName(1_000_000_000_000, 2, { compressed: true });
    expect(first13).toBe('procstream-1000000000000-2.ndjson.gz');
    expect(segmentSeq(first13)).toBe(1_000_000_000_000);
    expect([first13, last12].sort(bySeq)).toEqual([last12, first13]); // name order would put the 13 digits first
    expect([segmentOpenedMs(first13), isCompressedSegment(first13), isCompressedSegment(segmentName(1, 1))]).toEqual([2, true, false]);
  });
});
