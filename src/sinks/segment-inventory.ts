/** One of our segments: its name, sequence number and bytes on disk. */
export interface Segment {
  name: string;
  seq: number;
  bytes: number;
  /** A bucket segment's last replaced sequence number (its range is `seq…toSeq`); absent for a raw segment. */
  toSeq?: number;
}

/**
 * Our segments, oldest first, with their total size: the in-memory picture of the spill directory that lets a
 * rotation cost O(1) however many segments there are. Adding the newest, growing one, and forgetting the oldest are
 * O(1); `replace` takes a fresh picture read from disk.
 */
export class SegmentInventory {
  private segments: Segment[] = [];
  private head = 0; // segments before `head` are forgotten; compacted now and then, so forgetting the oldest is O(1)
  private total = 0;

  /** Bytes of all segments. */
  get totalBytes(): number {
    return this.total;
  }

  /** How many segments there are. */
  get count(): number {
    return this.segments.length - this.head;
  }

  /** The oldest segment, or undefined when there is none. */
  get oldest(): Segment | undefined {
    return this.segments[this.head];
  }

  /** The highest sequence number (a bucket segment's `toSeq` included), or -1 when there is no segment. */
  get newestSeq(): number {
    const last = this.segments.at(-1);
    return last ? Math.max(last.seq, last.toSeq ?? last.seq) : -1;
  }

  /** The segments, oldest first (a copy). */
  list(): Segment[] {
    return this.segments.slice(this.head);
  }

  /** Takes `found` (any order) as the whole inventory. */
  replace(found: Segment[]): void {
    this.segments = [...found].sort((a, b) => a.seq - b.seq);
    this.head = 0;
    this.total = found.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Adds a new segment, newer than every other. */
  add(seg: Segment): void {
    this.segments.push(seg);
    this.total += seg.bytes;
  }

  /** Adds a segment in sequence order (a bucket segment, which takes the place of the segments it replaces): O(n). */
  insert(seg: Segment): void {
    let i = this.segments.length;
    while (i > this.head && (this.segments[i - 1] as Segment).seq > seg.seq) i--;
    this.segments.splice(i, 0, seg);
    this.total += seg.bytes;
  }

  /** Records `bytes` more on disk in `seg`. */
  grow(seg: Segment, bytes: number): void {
    seg.bytes += bytes;
    this.total += bytes;
  }

  /** Drops a segment: O(1) for the oldest, which is what the budget deletes. */
  forget(seg: Segment): void {
    if (this.segments[this.head] === seg) this.head++;
    else {
      const i = this.segments.indexOf(seg, this.head);
      if (i < 0) return;
      this.segments.splice(i, 1);
    }
    this.total -= seg.bytes;
    if (this.head > 1024 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
  }
}
