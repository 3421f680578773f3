import { lstat, mkdir } from 'node:fs/promises';
import { PipelineError } from '../errors.js';

/** The effective uid, or undefined where there is none (Windows): the only owner we write for. */
export const effectiveUid = (): number | undefined => process.geteuid?.();

const refuse = (dir: string, why: string): PipelineError =>
  new PipelineError('E_USAGE', `refusing spill directory ${dir}: ${why}`);

/**
 * Creates `dir` (mode 0700, parents too) when missing and refuses, with `E_USAGE`, one that another user could
 * tamper with: a symlink, not a directory, owned by another uid than ours (root included: root writing into a
 * user's directory is the attack), or writable by group or others without the sticky bit (anyone could then rename
 * or delete our segments). A sticky world-writable directory we own, like root's own `/var/tmp`, is accepted: there
 * others may add files but not touch ours, and `SegmentDir` ignores files it did not create.
 */
export async function guardSpillDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (st.isSymbolicLink()) throw refuse(dir, 'it is a symlink; name the real directory');
  if (!st.isDirectory()) throw refuse(dir, 'not a directory');
  const uid = effectiveUid();
  if (uid !== undefined && st.uid !== uid) throw refuse(dir, `owned by uid ${st.uid}, not by us (uid ${uid})`);
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    throw refuse(dir, `mode ${(st.mode & 0o7777).toString(8)} lets group or others write without the sticky bit`);
  }
}
