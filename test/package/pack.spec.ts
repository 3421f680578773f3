/**
 * The packed package, installed as a user installs it: `npm pack`, then `npm install` of the tarball into a fresh
 * folder, used from ESM, CommonJS and TypeScript (NodeNext and bundler resolution), and its binary run.
 *
 * Offline and robust on a clean clone after `npm ci`: the consumer gets a lockfile whose entries (version, integrity)
 * are copied from ours, so npm fetches every dependency's tarball from its cache by integrity and needs no registry
 * metadata (which `npm ci` does not reliably leave in the cache); `--offline` makes any miss fail instead of fetching.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../helpers/bin.js';

interface LockEntry { version?: string; integrity?: string; resolved?: string; dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>; dev?: boolean; devOptional?: boolean; peer?: boolean }
interface PackResult { filename: string; integrity: string; files: { path: string }[] }

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const ourLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
/** What the consumer asks for besides procstream: the peer dependency, and node's types for its TypeScript files. */
const EXTRA = ['rxjs', '@types/node'];

/** Lock entries for `names` and everything they need, resolved the way node resolves: nearest node_modules upward. */
function lockClosure(names: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, name: string): void => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      const entry = ourLock.packages[path];
      if (entry) {
        if (out[path]) return;
        const { dev, devOptional, peer, ...kept } = entry; // flags of our tree, not the consumer's
        void dev; void devOptional; void peer;
        const base = name.split('/').pop()!;
        out[path] = { ...kept, resolved: `https://registry.npmjs.org/${name}/-/${base}-${entry.version!}.tgz` };
        for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) visit(path, dep);
        return;
      }
      if (!dir) throw new Error(`${name} (needed by ${from || 'the consumer'}) is not in package-lock.json`);
    }
  };
  for (const name of names) visit('', name);
  return out;
}

let dir: string;
let packed: PackResult;
const run = (file: string, args: string[] = []) => execFileSync(file, args, { cwd: dir, encoding: 'utf8' });
const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'procstream-pack-')); // mode 0700, ours alone
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet; npm test has just built it.
  packed = (JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
    { cwd: root, encoding: 'utf8' })) as PackResult[])[0]!;
  const tarball = `file:${packed.filename}`;
  const closure = lockClosure([...Object.keys(pkg.dependencies), ...EXTRA]);
  const dependencies = { procstream: tarball, ...Object.fromEntries(EXTRA.map((n) => [n, closure[`node_modules/${n}`]!.version!])) };
  write('package.json', JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }));
  write('package-lock.json', JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    'node_modules/procstream': { version: pkg.version, resolved: tarball, integrity: packed.integrity,
      dependencies: pkg.dependencies, peerDependencies: { rxjs: '^7.8.2' }, bin: { procstream: 'dist/cli/bin.js' } },
    ...closure,
  } }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'pipe' });
}, 180_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const PIPELINE = `
  from([sample('web', 1000, { rssBytes: 5 }), down('web', 2000)])
    .pipe(ofType('unit-down'), toArray())
    .subscribe((events) => console.log(JSON.stringify(events.map((e) => [e.type, e.unit]))));`;

describe('the packed package, installed into a fresh folder', () => {
  it('holds the built code, docs, LICENSE, CHANGELOG and BENCHMARKS, and no sources, tests or source maps', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['LICENSE', 'CHANGELOG.md', 'BENCHMARKS.md', 'README.md', 'package.json', 'dist/index.js',
      'dist/index.d.ts', 'dist/testing/index.js', 'dist/cli/bin.js', 'docs/events.md']) expect(files).toContain(f);
    expect(files.filter((f) => /^(src|test|bench|scripts|api-reference)\/|\.map$/.test(f))).toEqual([]);
  });

  it('works from an ES module', () => {
    write('esm.mjs', `import { ofType } from 'procstream';\nimport { down, sample } from 'procstream/testing';
      import { from, toArray } from 'rxjs';${PIPELINE}`);
    expect(run(process.execPath, ['esm.mjs'])).toBe('[["unit-down","web"]]\n');
  });

  it('works from CommonJS (require)', () => {
    write('cjs.cjs', `const { ofType } = require('procstream');\nconst { down, sample } = require('procstream/testing');
      const { from, toArray } = require('rxjs');${PIPELINE}`);
    expect(run(process.execPath, ['cjs.cjs'])).toBe('[["unit-down","web"]]\n');
  });

  it('samples this process with watchUnits, its dependencies installed from the tarball', () => {
    write('watch.mjs', `import { ofType, watchUnits } from 'procstream';\nimport { toArray } from 'rxjs';
      watchUnits({ targets: [{ unit: 'me', pid: process.pid }], intervalMs: 100, count: 2 }).events$
        .pipe(ofType('sample'), toArray()).subscribe((s) => console.log(JSON.stringify(s.map((e) => [e.unit, e.pid]))));`);
    expect(JSON.parse(run(process.execPath, ['watch.mjs']))).toEqual([['me', expect.any(Number)], ['me', expect.any(Number)]]);
  });

  it('installs the procstream binary', () => {
    expect(run(join(dir, 'node_modules/.bin/procstream'), ['--version'])).toBe(`${pkg.version}\n`);
  });

  // The @ts-expect-error lines prove the types were really found: were they `any`, the line would have no error.
  const TS = `import { ofType, type EventOf, type MetricEvent } from 'procstream';
import { createTestScheduler, sample } from 'procstream/testing';
import { of } from 'rxjs';
const s: EventOf<'sample'> = sample('web', 1);
const rss: number = s.rssBytes;
// @ts-expect-error -- a sample has no field 'nope'
void s.nope;
of<MetricEvent>(s).pipe(ofType('sample')).subscribe((e) => {
  // @ts-expect-error -- ofType narrowed the stream to samples, which have no windowMs
  void e.windowMs;
});
of<MetricEvent>(s).pipe(ofType('sample')).subscribe((e) => console.log(e.unit.toUpperCase(), rss));
createTestScheduler();
`;
  const tsc = (config: object, file: string) => {
    write(file, TS);
    write(`tsconfig.${file}.json`, JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022',
      types: ['node'], ...config }, files: [file] }));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${file}.json`],
      { cwd: dir, encoding: 'utf8' });
    return { code: r.status, output: r.stdout + r.stderr };
  };

  it('type-checks a TypeScript consumer with moduleResolution NodeNext', () => {
    expect(tsc({ module: 'nodenext', moduleResolution: 'nodenext' }, 'nodenext.mts')).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('type-checks a TypeScript consumer with moduleResolution bundler', () => {
    // skipLibCheck here: the NodeNext run above already checks every declaration file, and tsc takes ~20 s per run.
    expect(tsc({ module: 'preserve', moduleResolution: 'bundler', skipLibCheck: true }, 'bundler.ts')).toEqual({ code: 0, output: '' });
  }, 60_000);
});
