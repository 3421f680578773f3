import { describe, expect, it } from 'vitest';
import { SegmentInventory } from '../../src/sinks/segment-inventory.js';

const seg = (seq: number, bytes = 10) => ({ name: `s${seq}`, seq, bytes });

describe('SegmentInventory', () => {
  it('takes a picture from disk in sequence order, with its total', () => {
    const inv = new SegmentInventory();
    inv.replace([seg(12), seg(3, 5), seg(1_000_000_000_000, 7)]);
    expect([inv.oldest?.seq, inv.newestSeq, inv.count, inv.totalBytes]).toEqual([3, 1_000_000_000_000, 3, 22]);
  });

  it('adds, grows and forgets (oldest or any), keeping the total', () => {
    const inv = new SegmentInventory();
    const [a, b, c] = [seg(0), seg(1), seg(2)];
    for (const s of [a, b, c]) inv.add(s);
    inv.grow(c, 5);
    expect(inv.totalBytes).toBe(35);
    inv.forget(b);
    inv.forget(a);
    expect([inv.oldest, inv.count, inv.totalBytes]).toEqual([c, 1, 15]);
    inv.forget(a); // already gone: nothing changes
    expect(inv.totalBytes).toBe(15);
  });

  it('forgets the oldest of many in order, compacting as it goes', () => {
    const inv = new SegmentInventory();
    for (let i = 0; i < 5000; i++) inv.add(seg(i, 1));
    for (let i = 0; i < 4000; i++) inv.forget(inv.oldest!);
    expect([inv.oldest?.seq, inv.count, inv.totalBytes, inv.newestSeq]).toEqual([4000, 1000, 1000, 4999]);
  });
});
