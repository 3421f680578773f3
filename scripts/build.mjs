// `npm run build`: empties dist/ and compiles src/ into it, so no output of a deleted or renamed source survives
// (a stale dist/foo.js would still be importable and shipped). `isBuilt()` is what `npm start` asks first.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** Modification times (ms) of `path` and, for a directory, of everything below it (a deletion touches its folder). */
function mtimes(path, out = []) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return out;
  out.push(stat.mtimeMs);
  if (stat.isDirectory()) for (const name of readdirSync(path)) mtimes(join(path, name), out);
  return out;
}

/** True when `root`/dist/ holds a build newer than every source, folder and tsconfig it was made from. */
export function isBuilt(root = ROOT) {
  const dist = join(root, 'dist');
  const outputs = mtimes(dist);
  if (outputs.length <= 1 || !statSync(join(dist, 'cli', 'bin.js'), { throwIfNoEntry: false })) return false;
  return Math.max(...INPUTS.flatMap((p) => mtimes(join(root, p)))) <= Math.min(...outputs);
}

/** Cleans dist/ and runs tsc over tsconfig.build.json; returns tsc's exit status. */
export function build(root = ROOT) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' }).status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = build();
