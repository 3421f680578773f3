import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { liveSegments, parseLogSegmentName, type LogSegmentName } from '../formats/log-segments.js';

/** One of our segments on disk: what its name says, its size and inode as `lstat` saw them. */
export type OurSegment = LogSegmentName & { size: number; ino: number };

/**
 * The live segments of our log in `dir`, in log order: files with our names that are regular (never a symlink) and
 * owned by the directory's owner (the writer), less those a bucket segment replaces (a compaction interrupted before
 * its deletes). Ownership is checked before shadowing, so that in a shared sticky directory someone else's file named
 * like a bucket segment hides none of ours. `names`: the directory's entries, when the caller has read them already.
 */
export async function ourLiveSegments(dir: string, names?: readonly string[]): Promise<OurSegment[]> {
  const owner = (await lstat(dir)).uid;
  const ours: OurSegment[] = [];
  for (const seg of (names ?? (await readdir(dir))).map(parseLogSegmentName)) {
    const st = seg && (await lstat(join(dir, seg.name)).catch(() => undefined));
    if (seg && st?.isFile() && st.uid === owner) ours.push({ ...seg, size: st.size, ino: st.ino });
  }
  return liveSegments(ours).live;
}
