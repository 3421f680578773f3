import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { fixedClock, linesIn, segmentText } from '../helpers/spill-dir.js';
import { bin, ensureBuilt } from '../helpers/bin.js';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { lastValueFrom, map, range, toArray } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import { SEGMENT_PATTERN, segmentName } from '../../src/formats/segment-names.js';
import { evicted, tempDir } from '../helpers/spill-dir.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const root = tempDir('procstream-security-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sourceFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
const spill = (dir: string, events: number, unit = 'api', budget = { segmentBytes: 2048, maxBytes: 4096 }) =>
  lastValueFrom(range(0, events).pipe(map((i) => evicted(i, unit)), spillover({ dir, ...budget }), toArray()));

describe('no shell and no command line', () => {
  it('src/ neither imports child_process nor evaluates strings as code', () => {
    const hits = sourceFiles(SRC).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [/['"](node:)?child_process['"]/, /\beval\s*\(/, /\bnew Function\s*\(/, /['"](node:)?vm['"]/, /['"](node:)?worker_threads['"]/]
        .filter((re) => re.test(text)).map((re) => `${relative(SRC, file)}: ${re.source}`);
    });
    expect(sourceFiles(SRC).length).toBeGreaterThan(20);
    expect(hits).toEqual([]);
  });

  it('calls systeminformation (which forks ps) with no argument, so no user string reaches its command lines', () => {
    const text = readFileSync(join(SRC, 'sources/si-sampler.ts'), 'utf8');
    const calls = [...text.matchAll(/\bsi\.(\w+)\(([^)]*)\)/g)].map((m) => `${m[1]}(${m[2]})`);
    expect(calls).toEqual(['processes()']);
  });
});

describe('spill files', () => {
  it('are 0600 in a directory created 0700, whatever the umask', async () => {
    const dir = join(root, 'perm', 'deep', 'spill');
    const umask = process.umask(0);
    try { await spill(dir, 20); await spill(dir, 20); } finally { process.umask(umask); } // a segment per run
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'perm')).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
  });

  it('never follows a symlink named like a segment: not counted, not appended to, not deleted, nor its target', async () => {
    const dir = join(root, 'links');
    mkdirSync(dir);
    const outside = join(root, 'precious.txt');
    writeFileSync(outside, 'x'.repeat(10_000));
    const outsideDir = join(root, 'precious-dir');
    mkdirSync(outsideDir);
    writeFileSync(join(outsideDir, segmentName(5, 0)), 'keep me\n');
    symlinkSync(outside, join(dir, segmentName(0, 0)));         // the oldest name: first to go under budget pressure
    symlinkSync(outsideDir, join(dir, segmentName(1, 0)));
    symlinkSync(outside, join(dir, segmentName(999_999_999, 0))); // the newest name
    linkSync(outside, join(dir, segmentName(2, 0)));              // a hard link: not ours (nlink 2), left alone
    for (let run = 0; run < 10; run++) await spill(dir, 200, 'api', { segmentBytes: 1024, maxBytes: 4096 }); // deletions
    expect(readFileSync(outside, 'utf8')).toBe('x'.repeat(10_000));
    expect(readFileSync(join(outsideDir, segmentName(5, 0)), 'utf8')).toBe('keep me\n');
    for (const seq of [0, 1, 999_999_999]) expect(lstatSync(join(dir, segmentName(seq, 0))).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, segmentName(2, 0))).nlink).toBe(2);
  });

  it('are named by sequence and time only: hostile unit names never become paths', async () => {
    const base = join(root, 'names');
    const dir = join(base, 'a', 'spill');
    for (const unit of ['../../escaped', '/etc/passwd', 'a\0b', '..', 'x/../../y']) await spill(dir, 3, unit);
    expect(readdirSync(dir).every((n) => SEGMENT_PATTERN.test(n))).toBe(true);
    expect(readdirSync(base, { recursive: true }).sort()).toEqual(['a', 'a/spill', ...readdirSync(dir).map((n) => `a/spill/${n}`)].sort());
  });
});

const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;
/** Runs the built CLI, as `nobody` when asked (su, as an administrator would run it). */
function cli(args: string[], user?: 'nobody') {
  const r = user
    ? spawnSync('su', [user, '-s', '/bin/sh', '-c', [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ')], { encoding: 'utf8' })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('a spill directory others could tamper with', () => {
  beforeAll(ensureBuilt, 120_000);
  const refused = (dir: string) => expect(spill(dir, 3)).rejects.toMatchObject({
    code: 'E_USAGE', message: expect.stringContaining(`refusing spill directory ${dir}`),
  });

  it('refuses one owned by another user, root included: exit 2, one line naming it', async (ctx) => {
    if (!asRoot) ctx.skip();
    const theirs = join(root, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, NOBODY, NOBODY);
    await refused(theirs);
    const r = cli(['watch', '--pid', '1', '--count', '1', '--spill', theirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`procstream: refusing spill directory ${theirs}: owned by uid ${NOBODY}, not by us (uid 0)\nTry 'procstream watch --help'.\n`);
    expect(readdirSync(theirs)).toEqual([]);
    // and the other way round: nobody is refused root's directory
    const roots = join(root, 'roots');
    mkdirSync(roots, { mode: 0o755 });
    chmodSync(root, 0o755);
    const asNobody = cli(['watch', '--pid', '1', '--count', '1', '--spill', roots], 'nobody');
    expect(asNobody.code).toBe(2);
    expect(asNobody.stderr).toContain(`refusing spill directory ${roots}: owned by uid 0, not by us (uid ${NOBODY})`);
  });

  it('refuses one writable by group or others without the sticky bit, accepts a sticky one we own', async () => {
    for (const mode of [0o777, 0o770, 0o722]) {
      const dir = join(root, `open-${mode.toString(8)}`);
      mkdirSync(dir);
      chmodSync(dir, mode);
      await refused(dir);
      expect(readdirSync(dir)).toEqual([]);
    }
    const sticky = join(root, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    await spill(sticky, 3);
    expect(linesIn(sticky)).toHaveLength(3);
    const link = join(root, 'link-to-sticky');
    symlinkSync(sticky, link);
    await refused(link);
  });

  it("never writes to a file someone else made at our next segment's name: a 0644 file, a symlink or a hard link", async (ctx) => {
    if (!asRoot) ctx.skip();
    const dir = join(root, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777); // like /var/tmp: others may add files
    const ms = 1_796_000_000_000;
    const next = (seq: number) => join(dir, segmentName(seq, ms, { compressed: true }));
    const outside = join(root, 'root-owned.txt');
    writeFileSync(outside, 'secret\n', { mode: 0o600 });
    writeFileSync(next(0), '', { mode: 0o644 }); // the attacker reads whatever we would append here
    chownSync(next(0), NOBODY, NOBODY);
    symlinkSync(outside, next(1)); // root appending to any file the link names
    linkSync(outside, next(2)); // our data appended to the link's outside target
    const clock = fixedClock({ ms });
    await lastValueFrom(range(0, 50).pipe(map((i) => evicted(i)), spillover({ dir, scheduler: clock }), toArray()));
    expect(statSync(next(0)).size).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('secret\n');
    expect(lstatSync(next(1)).isSymbolicLink()).toBe(true);
    expect(statSync(next(3))).toMatchObject({ uid: 0, nlink: 1, size: expect.any(Number) });
    expect(statSync(next(3)).mode & 0o777).toBe(0o600);
    expect(segmentText(next(3)).split('\n').filter(Boolean)).toHaveLength(50);
  });
});

describe('docs/security.md', () => {
  const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const tests = new URL('../', import.meta.url).pathname;

  it('names only test files that exist', () => {
    const named = [...new Set([...doc.matchAll(/`((?:test\/)?[\w/.-]+\.spec\.ts)`/g)].map((m) => m[1] as string))];
    const missing = named.filter((f) => !existsSync(f.startsWith('test/') ? join(tests, '..', f) : join(tests, 'hardening', f)));
    expect(named.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('quotes only test titles that exist', () => {
    const code = sourceFiles(tests).map((f) => readFileSync(f, 'utf8')).join('\n');
    const titles = [...doc.matchAll(/› \*([^*]+)\*/g)].map((m) => (m[1] as string).split('…').sort((a, b) => b.length - a.length)[0]!.trim());
    expect(titles.length).toBeGreaterThan(5);
    expect(titles.filter((t) => !code.includes(t))).toEqual([]);
  });
});
