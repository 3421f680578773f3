/** The built binary, run the way a user runs it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'dist/cli/bin.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Relative imports reachable from `file` through static `import … from` statements (not `import()`). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)) {
    if (!spec || seen.has(spec)) continue;
    seen.add(spec);
    if (spec.startsWith('.')) staticImports(resolve(dirname(file), spec), seen);
  }
  return seen;
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}, 120_000);

describe('procstream (built)', () => {
  it('prints the version of package.json and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(run(['-V']).stdout).toBe(`${version}\n`);
  });

  it('prints help with every command and exits 0', () => {
    const { code, stdout, stderr } = run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of ['watch', 'summarize', 'replay', 'inspect']) expect(stdout).toContain(command);
    expect(run(['inspect', '--help']).stdout).toContain('--window DUR');
  });

  it('exits 2 on a bad flag with one line and a hint, no stack', () => {
    const { code, stdout, stderr } = run(['watch', '--interval', 'fast']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      "procstream: --interval: 'fast' is not valid; use 500ms, 5s, 15m, 12h, 7d or combinations such as 1h30m",
      "Try 'procstream watch --help'.",
      '',
    ]);
  });

  it('exits 2 on an unknown option', () => {
    const { code, stderr } = run(['replay', 'dir', '--nope']);
    expect(code).toBe(2);
    expect(stderr).toBe("procstream: unknown option '--nope'\nTry 'procstream replay --help'.\n");
  });

  it('exits 1 with one line when the input cannot be read', () => {
    const { code, stderr } = run(['summarize', '/tmp/procstream-no-such-file.ndjson']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^procstream: \/tmp\/procstream-no-such-file\.ndjson: ENOENT[^\n]*\n$/);
  });

  it('loads nothing heavy on the --version path', () => {
    const reachable = [...staticImports(join(root, 'dist/cli/bin.js'))];
    expect(reachable.filter((s) => !s.startsWith('.') && !s.startsWith('node:'))).toEqual([]);
  });
});
