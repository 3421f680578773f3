/** A throw-away consumer of the built package: a private temp folder whose node_modules links to this checkout. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './bin.js';

/** Result of running one consumer file with node. */
export interface ConsumerRun { code: number | null; stdout: string; stderr: string }

/**
 * Writes `source` as `file` (its extension picks CommonJS or ESM) into a fresh folder whose `node_modules` holds only
 * `procstream` (this checkout, so `require('procstream')` goes through package.json's `exports`) and rxjs, the peer
 * dependency; runs it with node and removes the folder.
 */
export function runConsumer(file: string, source: string): ConsumerRun {
  const dir = mkdtempSync(join(tmpdir(), 'procstream-consumer-')); // mode 0700, ours alone
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'procstream'), 'dir');
    symlinkSync(join(root, 'node_modules', 'rxjs'), join(dir, 'node_modules', 'rxjs'), 'dir');
    writeFileSync(join(dir, file), source);
    const r = spawnSync(process.execPath, [join(dir, file)], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The libraries that must load lazily: importing the operators loads none of them. */
export const LAZY_LIBRARIES = ['asciichart', 'prom-client', 'systeminformation'] as const;

/**
 * Source of a function `loaded()`, for CommonJS and ESM consumers alike: which of {@link LAZY_LIBRARIES} the process
 * has loaded so far. All three are CommonJS, so even an ESM `import` of one puts its files in the CommonJS cache.
 */
export const LOADED_FN = `const loaded = () => [...new Set(Object.keys(process.getBuiltinModule('node:module')._cache)
  .map((file) => /node_modules\\/(${LAZY_LIBRARIES.join('|')})\\//.exec(file)?.[1]).filter(Boolean))].sort();`;
