/** `npm start` runs the built CLI and compiles only when a source is newer than dist/ (issue 15, item 5). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBuilt } from '../../scripts/build.mjs';
import { ensureBuilt, root } from '../helpers/bin.js';

describe('isBuilt (the check npm start makes)', () => {
  let dir: string;
  const file = (path: string, secondsAgo: number) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '');
    const when = Date.now() / 1000 - secondsAgo;
    utimesSync(join(dir, path), when, when);
    return join(dir, path);
  };
  const age = (path: string, secondsAgo: number) => {
    const when = Date.now() / 1000 - secondsAgo;
    utimesSync(join(dir, path), when, when);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procstream-build-'));
    file('src/index.ts', 100);
    file('src/cli/bin.ts', 100);
    file('tsconfig.json', 100);
    age('src/cli', 100);
    age('src', 100);
    file('dist/index.js', 50);
    file('dist/cli/bin.js', 50);
    age('dist/cli', 50);
    age('dist', 50);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is true when every output is newer than every source', () => {
    expect(isBuilt(dir)).toBe(true);
  });

  it('is false when a source was edited after the build', () => {
    age('src/cli/bin.ts', 10);
    expect(isBuilt(dir)).toBe(false);
  });

  it('is false when a source was deleted after the build (its folder changed)', () => {
    unlinkSync(join(dir, 'src/index.ts'));
    expect(isBuilt(dir)).toBe(false);
  });

  it('is false when a tsconfig changed after the build', () => {
    age('tsconfig.json', 10);
    expect(isBuilt(dir)).toBe(false);
  });

  it('is false without dist/cli/bin.js, or without dist/', () => {
    unlinkSync(join(dir, 'dist/cli/bin.js'));
    expect(isBuilt(dir)).toBe(false);
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(isBuilt(dir)).toBe(false);
  });
});

describe('npm start', () => {
  beforeAll(() => {
    // `npm test` has just built; a build older than a source (an edited checkout) is rebuilt here, as npm start would.
    ensureBuilt();
    if (!isBuilt(root)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  }, 120_000);

  it('runs the built CLI without compiling when nothing changed', () => {
    const bin = join(root, 'dist/cli/bin.js');
    const before = statSync(bin).mtimeMs;
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const out = execFileSync('npm', ['start', '--silent', '--', '-V'], { cwd: root, encoding: 'utf8' });
    expect(out).toBe(`${version}\n`);
    expect(statSync(bin).mtimeMs).toBe(before);
  });

  it('compiles first when a source is newer than the build, then runs it', () => {
    const bin = join(root, 'dist/cli/bin.js');
    const before = statSync(bin).mtimeMs;
    const source = join(root, 'src/index.ts');
    const now = new Date();
    utimesSync(source, now, now); // an edit, as far as mtimes go; the content stays
    const out = execFileSync('npm', ['start', '--silent', '--', '-V'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^\d+\.\d+\.\d+/);
    expect(statSync(bin).mtimeMs).toBeGreaterThan(before);
    expect(isBuilt(root)).toBe(true);
  }, 120_000);
});
