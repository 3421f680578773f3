import { afterAll, describe, expect, it } from 'vitest';
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
    try { await spill(dir, 20); } finally { process.umask(umask); }
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
    symlinkSync(outside, join(dir, segmentName(999_999_999, 0))); // the newest name: the one a restart appends to
    linkSync(outside, join(dir, segmentName(2, 0)));              // a hard link: deleting it removes the name only
    await spill(dir, 200); // about 55 KB through a 4 KiB budget: many deletions
    expect(readFileSync(outside, 'utf8')).toBe('x'.repeat(10_000));
    expect(readFileSync(join(outsideDir, segmentName(5, 0)), 'utf8')).toBe('keep me\n');
    for (const seq of [0, 1, 999_999_999]) expect(lstatSync(join(dir, segmentName(seq, 0))).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).some((n) => n === segmentName(2, 0))).toBe(false); // ours by name and kind: deleted
  });

  it('are named by sequence and time only: hostile unit names never become paths', async () => {
    const base = join(root, 'names');
    const dir = join(base, 'a', 'spill');
    for (const unit of ['../../escaped', '/etc/passwd', 'a\0b', '..', 'x/../../y']) await spill(dir, 3, unit);
    expect(readdirSync(dir).every((n) => SEGMENT_PATTERN.test(n))).toBe(true);
    expect(readdirSync(base, { recursive: true }).sort()).toEqual(['a', 'a/spill', ...readdirSync(dir).map((n) => `a/spill/${n}`)].sort());
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
