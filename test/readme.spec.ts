/** The README's code is true: its TypeScript blocks type-check and run against the built package, its jq recipes run. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, procstream, root } from './helpers/bin.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = (lang: string, text = readme) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
// Inside the package, so `import … from 'procstream'` resolves to dist/ through package.json's exports, as for a user.
let dir: string;
const write = (name: string, code: string) => { writeFileSync(join(dir, name), code); return join(dir, name); };
const runTs = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 20_000 });

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(root, '.readme-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README', () => {
  const [pipeline, marbles] = blocks('ts');

  it('starts with the two setup commands', () => {
    expect(blocks('sh')[0]!.split('\n').slice(0, 2).map((l) => l.split('#')[0]!.trim())).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(readme).toContain('(docs/events.md)');
    // npm start is `procstream watch` with no flag: the whole machine, the embedded defaults
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe('node scripts/start.mjs'); // builds only when src/ changed, then runs dist/cli/bin.js
  });

  it('has a pipeline of at most 15 lines and a marble test, both type-checking under strict', () => {
    expect(pipeline!.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    const files = [write('pipeline.ts', pipeline!), write('marbles.ts', marbles!)];
    const tsc = join(root, 'node_modules/.bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node'];
    expect(() => execFileSync(tsc, [...flags, ...files], { cwd: root, encoding: 'utf8' })).not.toThrow();
  }, 60_000);

  it('runs the pipeline: three lines about this process', () => {
    const r = runTs(write('pipeline-run.ts', pipeline!));
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^me: cpu (–|\d+(\.\d+)?) %, rss \d+\.\d MiB$/);
  });

  it('runs the marble test, which fails when its expectation is wrong', () => {
    expect(runTs(write('marbles-run.ts', marbles!)).status).toBe(0);
    const wrong = marbles!.replace("toBe('a---c|'", "toBe('a-b-c|'");
    expect(wrong).not.toBe(marbles);
    expect(runTs(write('marbles-wrong.ts', wrong)).status).not.toBe(0);
  });

  it('runs the store example: a summary of the three samples, then what the store holds', () => {
    const store = blocks('ts')[2]!;
    expect(store).toContain('createWindowStore');
    const r = runTs(write('store-run.ts', store));
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toEqual(['api: mean cpu 10 %', '3 rows, newest at 2000']);
  });

  it('has jq recipes that run against a spill directory', () => {
    const section = readme.slice(readme.indexOf('## jq recipes'));
    const recipes = blocks('sh', section)[0]!.split('\n').filter((l) => l.startsWith('procstream '));
    expect(recipes.length).toBeGreaterThanOrEqual(4);
    for (const recipe of recipes) {
      const line = recipe.replaceAll('procstream ', `${procstream} `).replaceAll('spill/', join(root, 'test/fixtures/systemg-spill'));
      const r = spawnSync('bash', ['-c', `set -o pipefail; ${line}`], { cwd: root, encoding: 'utf8', timeout: 20_000 });
      expect({ recipe, status: r.status }).toEqual({ recipe, status: 0 });
      if (!recipe.includes('unit-down')) expect(r.stdout.trim()).not.toBe('');
    }
  });
});
