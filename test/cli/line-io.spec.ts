/** The line reader and writer as the built binary uses them: real pipes, real files, hostile lines. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { segmentName } from '../../src/formats/segment-names.js';
import { sample } from '../../src/testing/index.js';
import { ensureBuilt, procstream, run, shell } from '../helpers/bin.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `procstream-${name}-`));

/** A spill directory of `n` samples of two units, one segment. */
function spillDir(n: number): string {
  const dir = tmp('lineio');
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify(sample(i % 2 ? 'api' : 'db', 1_795_165_200_000 + i * 100, { cpuPercent: (i % 997) / 7 })));
  writeFileSync(join(dir, segmentName(1, 1_795_165_200_000)), `${lines.join('\n')}\n`);
  return dir;
}

const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepLine = JSON.stringify(sample('u', 1_795_165_200_000)).replace('"missing":{}', `"missing":${nest(5000)}`);

beforeAll(ensureBuilt, 120_000);

describe('line I/O of the built binary', () => {
  it('replay exits 0 and says nothing when the reader leaves (| head -1)', () => {
    const dir = spillDir(50_000); // ~11 MB: far more than the pipe holds, so the writer meets EPIPE
    const r = shell(`set -o pipefail; ${procstream} replay ${dir} | head -1`);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'sample', unit: 'db' });
  });

  it('replay through a reader that starts late loses no line and drops nothing', () => {
    const dir = spillDir(50_000);
    const r = shell(`set -o pipefail; ${procstream} replay ${dir} | (sleep 2; wc -l)`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('50000');
    expect(r.stderr).toBe('');
  });

  it('replay\'s progress bar counts bytes read: a filter that keeps half the lines still ends at 100 %', () => {
    const dir = spillDir(10_000); // 2.3 MB: big enough for a bar
    const tty = shell(`script -qfec ${JSON.stringify(`${procstream} replay ${dir} --unit db > /dev/null`)} /dev/null`);
    const frames = tty.stdout.split('\r').filter((f) => f.includes('%'));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatch(/\]\s+100%/);
    const piped = shell(`${procstream} replay ${dir} --unit db | wc -l`); // spawnSync's 1 MiB maxBuffer would cut stdout
    expect(piped.stderr).toBe(''); // no terminal, no bar
    expect(piped.stdout.trim()).toBe('5000');
  });

  it.each([
    ['summarize', (f: string) => ['summarize', f]],
    ['inspect', (f: string) => ['inspect', 'u', '--from', f]],
    ['replay', (f: string) => ['replay', join(f, '..')]],
  ])('%s reports a 10 KB line nested 5,000 deep as one bad line, no stack, and exits 65 under --strict', (_, args) => {
    const dir = tmp('deep');
    const file = join(dir, segmentName(1, 1_795_165_200_000));
    writeFileSync(file, `${deepLine}\n${JSON.stringify(sample('u', 1_795_165_201_000))}\n`);
    const lenient = run(args(file));
    expect(lenient.stderr).toMatch(/:1: nested deeper than 64 levels: /);
    expect(lenient.stderr).not.toMatch(/RangeError|\n\s+at /);
    expect(lenient.code).toBe(0);
    const strict = run([...args(file), '--strict']);
    expect(strict.code).toBe(65);
    expect(strict.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('escapes control characters of file names and excerpts on stderr', () => {
    const dir = tmp('esc');
    const file = join(dir, 'in\x1b]0;TITLE\x07.ndjson');
    writeFileSync(file, '{"type":"x\x1b]0;TITLE\x07",\n');
    const r = run(['summarize', file]);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain('in\\x1b]0;TITLE\\x07.ndjson:1: ');
    expect(r.stderr).toContain('{"type":"x\\x1b]0;TITLE\\x07",');
    const strict = run(['summarize', '--strict', file]);
    expect(strict.code).toBe(65);
    expect(strict.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it.each(['null', '{"constructor":{}}', '["a"]'])('refuses a --systemg-units file holding %s with one line, exit 2', (content) => {
    const dir = tmp('names');
    writeFileSync(join(dir, 'names.json'), content);
    writeFileSync(join(dir, 'in.ndjson'), `${JSON.stringify(sample('u', 1_795_165_200_000))}\n`);
    const r = run(['summarize', '--systemg-units', join(dir, 'names.json'), join(dir, 'in.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^procstream: --systemg-units: .*expected a JSON object of unit_hash → name strings\nTry/);
  });
});
