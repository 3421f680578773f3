/**
 * Every input issue 15 found accepted silently (exit 0) now fails with one line naming the input and a documented
 * exit code; run on the built binary as a user would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, run } from '../helpers/bin.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'procstream-silent-'));
  mkdirSync(join(dir, 'empty'));
  // Bytes of a binary file: control characters, an escape sequence that would retitle a terminal, invalid UTF-8.
  writeFileSync(join(dir, 'binary.bin'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x0a]), Buffer.from('\x1b]0;TITLE\x07junk\n'), Buffer.from([0xff, 0xfe, 0x00, 0x0a])]));
  writeFileSync(join(dir, 'systemg-pid.json'), '{"services":{"web":' + process.pid + '}}');
  writeFileSync(join(dir, 'odd-state.json'), '{"web":{"port":8080}}');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One line on stderr, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('inputs once accepted silently', () => {
  it('--state FILE that is missing, or a directory', () => {
    const missing = run(['watch', '--state', join(dir, 'nope.json'), '--count', '1']);
    expect(missing).toMatchObject({ code: 1, stderr: `procstream: --state: cannot read ${join(dir, 'nope.json')}: no such file or directory (ENOENT)\n` });
    const directory = run(['watch', '--state', dir, '--count', '1']);
    expect(directory).toMatchObject({ code: 1, stderr: `procstream: --state: ${dir} is a directory, not a file\n` });
  });

  it('a systemg-shaped JSON state file names units by service, and an entry without a pid is an error', () => {
    const r = run(['watch', '--state', join(dir, 'systemg-pid.json'), '--count', '1', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"type":"sample","v":1,"unit":"web"`);
    expect(r.stdout).not.toContain('"unit":"services"');
    const odd = run(['watch', '--state', join(dir, 'odd-state.json'), '--count', '1']);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toContain('unit "web": expected a pid, {"pid": …} or null');
    oneLine(odd.stderr);
  });

  it('summarize and replay of a directory without segments', () => {
    for (const args of [['summarize', join(dir, 'empty')], ['replay', join(dir, 'empty')]]) {
      const r = run(args);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toBe(`procstream: ${join(dir, 'empty')}: no spill segments in it (procstream-*.ndjson or systemg's metrics-*.jsonl)\n`);
    }
  });

  it('summarize of a binary file: escaped bad-line reports, then a failure naming the file', () => {
    const r = run(['summarize', join(dir, 'binary.bin')]);
    expect(r.code).toBe(65);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/); // no raw control byte reaches the terminal
    expect(r.stderr).toContain('\\x1b]0;TITLE\\x07');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`procstream: ${join(dir, 'binary.bin')}: no event could be read (3 bad lines); is it NDJSON?`);
  });

  it('replay --unit that is not in the directory', () => {
    const r = run(['replay', join(root, 'test/fixtures/systemg-spill'), '--unit', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`procstream: no events of unit 'nosuch' in ${join(root, 'test/fixtures/systemg-spill')}`);
  });

  it('--pid -5 says what is wrong with it', () => {
    const r = run(['watch', '--pid', '-5']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("procstream: --pid: '-5' is not valid; use a whole number above 0");
  });

  it('durations past what a timer holds (2^31 ms) are refused, not run as 1 ms', () => {
    for (const flag of ['--duration', '--summary-every', '--interval']) {
      const r = run(['watch', flag, '25d', '--count', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(`procstream: ${flag}: '25d' is too long; at most 24d`);
    }
    expect(run(['watch', '--pid', String(process.pid), '--duration', '24d', '--count', '1', '--format', 'ndjson']).code).toBe(0);
  });
});
