import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

describe('main', () => {
  it('prints the package version and exits 0', async () => {
    const { io, out, err } = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(out()).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(err()).toBe('');
  });

  it('prints command help on stdout and exits 0', async () => {
    const { io, out } = fakeIo();
    expect(await main(['replay', '--help'], io)).toBe(0);
    expect(out()).toContain('Usage: procstream replay DIR');
  });

  it('reports a usage error in one line plus a hint, exit 2, no stack', async () => {
    const { io, out, err } = fakeIo();
    expect(await main(['watch', '--interval', 'soon'], io)).toBe(2);
    expect(out()).toBe('');
    const lines = err().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^procstream: --interval: 'soon' is not valid/);
    expect(lines[1]).toBe("Try 'procstream watch --help'.");
    expect(err()).not.toMatch(/\n\s+at /);
  });

  it('names the flag, not the library option, when the library refuses a value', async () => {
    const { io, err } = fakeIo();
    expect(await main(['watch', '--memory', '1', '--count', '1'], io)).toBe(2);
    expect(err().split('\n')[0]).toBe('procstream: --memory must be at least 952 (one chunk), got 1');
  });

  it('hints at the overview for an unknown command', async () => {
    const { io, err } = fakeIo();
    expect(await main(['frob'], io)).toBe(2);
    expect(err()).toBe("procstream: unknown command 'frob'; commands: watch, summarize, replay, inspect\nTry 'procstream --help'.\n");
  });

  it('rejects an unknown config key by name through main', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-cli-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, '{"colour": true}');
    const { io, err } = fakeIo();
    expect(await main(['--config', file, 'watch'], io)).toBe(2);
    expect(err()).toContain(`unknown key 'colour'`);
  });

  it('fails with exit 1 and one line (the cause said once) when a source fails', async () => {
    const { io, err } = fakeIo();
    expect(await main(['replay', '/tmp/procstream-nowhere'], io)).toBe(1);
    expect(err()).toBe('procstream: cannot read /tmp/procstream-nowhere: no such file or directory (ENOENT)\n');
  });

  it('names --prometheus and the accepted forms for a bad address, as a usage error', async () => {
    const { io, err } = fakeIo();
    expect(await main(['watch', '--prometheus', 'a:b:c'], io)).toBe(2);
    expect(err()).toContain('--prometheus: expected PORT, HOST, HOST:PORT or [IPV6]:PORT, got "a:b:c"');
  });

  it('prints a stack for an unexpected error and exits 1', async () => {
    const { io, err } = fakeIo();
    io.stdout.write = () => {
      throw new TypeError('stdout exploded');
    };
    expect(await main(['--version'], io)).toBe(1);
    expect(err()).toMatch(/^procstream: unexpected error\nTypeError: stdout exploded\n\s+at /);
  });

  it('exits 0 quietly when the reader of stdout has left', async () => {
    const { io, out, err } = fakeIo();
    io.stdout.write = () => {
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    };
    expect(await main(['--help'], io)).toBe(0);
    expect(out() + err()).toBe('');
  });
});
