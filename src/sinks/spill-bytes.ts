import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLogSegmentName } from '../formats/log-segments.js';

/** Bytes of spill segments in `dir` (our names, raw and bucket segments, regular files only); 0 when the directory does not exist yet. */
export async function spillBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const sizes = await Promise.all(
    names.filter((n) => parseLogSegmentName(n) !== undefined).map((n) => lstat(join(dir, n)).then((s) => (s.isFile() ? s.size : 0), () => 0)),
  );
  return sizes.reduce((a, b) => a + b, 0);
}
