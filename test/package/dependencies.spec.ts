/** Every declared dependency is loaded by src/, and src/ loads no package it does not declare. */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/bin.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as
  { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };

/** Package names that src/ loads at run time: static imports and re-exports, `import()` and `require()`. */
function packagesLoadedBySrc(): Set<string> {
  const names = new Set<string>();
  const files = (readdirSync(join(root, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(root, 'src', file), 'utf8');
    const specifiers = [
      // `import type` and `export type` load nothing at run time.
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
      // a package whose files are served rather than run (uplot's script, for the dashboard page)
      ...[...text.matchAll(/\.resolve\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specifiers) {
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return names;
}

describe('declared dependencies', () => {
  const loaded = packagesLoadedBySrc();
  const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];

  for (const name of declared) {
    it(`${name} is loaded somewhere in src/`, () => {
      expect(loaded).toContain(name);
    });
  }

  it('src/ loads no package that package.json does not declare', () => {
    expect([...loaded].filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('sees the packages it must (the scan itself works)', () => {
    expect(loaded).toContain('rxjs');
    expect(loaded).toContain('systeminformation'); // through import(), since it loads lazily
    expect(loaded).toContain('prom-client'); // through require(), likewise
  });
});
