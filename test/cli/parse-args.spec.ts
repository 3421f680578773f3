import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { commandOf, parseArgs, type ParseContext } from '../../src/cli/parse-args.js';
import { FLAGS, type CommandName, type ParserName } from '../../src/cli/flags.js';
import { readSystemgConfig } from '../../src/cli/read-systemg-config.js';

const NOW = Date.parse('2026-11-26T15:00:00Z');

function ctx(files: Record<string, string> = {}, isTTY = false): ParseContext {
  return {
    isTTY,
    now: () => NOW,
    readSystemgConfig,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
  };
}

function usage(argv: string[], c = ctx()): string {
  try {
    parseArgs(argv, c);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('E_USAGE');
    return (error as PipelineError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseArgs: watch', () => {
  it('defaults to watch with library defaults and ndjson off a terminal', () => {
    expect(parseArgs([], ctx())).toEqual({
      command: 'watch', strict: false, format: 'ndjson',
      targets: { pids: [], children: true },
      intervalMs: 1_000, retentionMs: 43_200_000, maxMemoryBytes: 10_485_760,
    });
  });

  it('counts trees unless --no-children, and refuses --children with --no-children', () => {
    expect(parseArgs(['--pid', '7', '--no-children'], ctx())).toMatchObject({ targets: { pids: [7], children: false } });
    expect(usage(['--children', '--no-children'], ctx())).toContain('contradict');
  });

  it('picks table output on a terminal', () => {
    expect(parseArgs(['watch'], ctx({}, true))).toMatchObject({ format: 'table' });
  });

  it('maps every watch flag to its library option', () => {
    const cmd = parseArgs([
      'watch', '--pid', '12', '--pid', '34', '--pidfile', '/run/x.pid', '--match', '^node ', '--units', 'u.json',
      '--state', 's.json', '--children', '--interval', '500ms', '--retention', '1h', '--memory', '1MiB', '--spill', '/tmp/sp',
      '--spill-max', '1GB', '--segment', '64KiB', '--rebuild-max', '32MiB', '--count', '3', '--duration', '1m', '--summary-every', '10s',
      '--prometheus', '--format', 'table', '--strict',
    ], ctx());
    expect(cmd).toEqual({
      command: 'watch', strict: true, format: 'table',
      targets: { pids: [12, 34], pidFile: '/run/x.pid', match: '^node ', unitsFile: 'u.json', stateFile: 's.json', children: true },
      intervalMs: 500, retentionMs: 3_600_000, maxMemoryBytes: 1_048_576,
      spill: { dir: '/tmp/sp', maxBytes: 1_000_000_000, segmentBytes: 65_536 }, rebuildMaxBytes: 33_554_432,
      count: 3, durationMs: 60_000, summaryEveryMs: 10_000, prometheus: { host: '127.0.0.1', port: 9465 },
    });
  });

  it('takes flags without naming the command', () => {
    expect(parseArgs(['--pid', '7'], ctx())).toMatchObject({ command: 'watch', targets: { pids: [7] } });
  });

  it('reads a Prometheus address', () => {
    expect(parseArgs(['watch', '--prometheus', '0.0.0.0:9100'], ctx())).toMatchObject({ prometheus: { host: '0.0.0.0', port: 9100 } });
    expect(parseArgs(['watch', '--prometheus=:9100'], ctx())).toMatchObject({ prometheus: { host: '127.0.0.1', port: 9100 } });
    expect(usage(['watch', '--prometheus', 'x:99999'])).toContain('--prometheus');
  });

  it('rejects a bad regex naming the flag', () => {
    expect(usage(['watch', '--match', '(unclosed'])).toMatch(/^--match: '\(unclosed' is not a valid regular expression/);
  });

  it.each([
    [['--pid', 'abc'], '--pid'], [['--pid', '0'], '--pid'], [['--count', '1.5'], '--count'], [['--interval', '5'], '--interval'],
    [['--memory', 'lots'], '--memory'], [['--format', 'xml'], '--format'], [['--spill-max', '1MiB'], '--spill DIR'], [['--rebuild-max', '1MiB'], '--spill DIR'],
    [['--spill', 'd', '--segment', '2MiB', '--spill-max', '1MiB'], '--segment'], [['--bogus'], "unknown option '--bogus'"],
    [['--window', '5m'], '--window does not apply to watch'], [['--interval'], '--interval needs a value'],
  ])('rejects %j naming %s', (args, named) => {
    expect(usage(['watch', ...args])).toContain(named);
  });
});

describe('parseArgs: summarize, replay, inspect', () => {
  it('summarizes stdin by default and a named file otherwise', () => {
    expect(parseArgs(['summarize'], ctx())).toEqual({ command: 'summarize', strict: false, format: 'ndjson', input: '-', maxLineBytes: 1_048_576 });
    expect(parseArgs(['summarize', 'x.ndjson', '--max-line', '4KiB', '--systemg-units', 'm.json'], ctx())).toMatchObject({
      input: 'x.ndjson', maxLineBytes: 4_096, systemgUnitsFile: 'm.json',
    });
  });

  it('replays a directory with unit and time filters', () => {
    expect(parseArgs(['replay', '/sp', '--unit', 'a', '--unit', 'b', '--since', '15m', '--until', '2026-11-26T14:59:00Z'], ctx())).toEqual({
      command: 'replay', strict: false, dir: '/sp', units: ['a', 'b'], sinceTs: NOW - 900_000,
      untilTs: Date.parse('2026-11-26T14:59:00Z'), maxLineBytes: 1_048_576,
    });
  });

  it('rejects replay without a directory, a bad time, and an empty time range', () => {
    expect(usage(['replay'])).toContain('DIR');
    expect(usage(['replay', 'd', '--since', 'yesterday'])).toMatch(/^--since: 'yesterday'.*ISO timestamp.*15m/);
    expect(usage(['replay', 'd', '--since', '5m', '--until', '10m'])).toContain('--since must be earlier');
    expect(usage(['replay', 'd', '--format', 'table'])).toContain('--format does not apply to replay');
  });

  it('inspects a unit live over 15 minutes by default, or from a path', () => {
    expect(parseArgs(['inspect', 'api'], ctx())).toEqual({
      command: 'inspect', strict: false, unit: 'api', from: { kind: 'live' }, windowMs: 900_000, maxLineBytes: 1_048_576,
      intervalMs: 1_000, stream: false, targets: { pids: [], children: true },
    });
    expect(parseArgs(['inspect', 'node', '--count', '5', '--interval', '200ms', '--duration', '1m'], ctx())).toMatchObject({
      count: 5, intervalMs: 200, durationMs: 60_000,
    });
    expect(parseArgs(['inspect', 'api', '--from', '/sp', '--window', '1h'], ctx())).toMatchObject({
      from: { kind: 'path', path: '/sp' }, windowMs: 3_600_000,
    });
    expect(usage(['inspect'])).toContain('UNIT');
    // Every target flag selects the unit, as for watch; a single --pid or --pidfile names it.
    expect(parseArgs(['inspect', '--pid', '42', '--stream'], ctx())).toMatchObject({ unit: 'pid-42', targets: { pids: [42] }, stream: true });
    expect(parseArgs(['inspect', '--pidfile', '/run/web.pid'], ctx())).toMatchObject({ unit: 'web', targets: { pidFile: '/run/web.pid' } });
    expect(parseArgs(['inspect', 'web', '--systemg', '/var/lib/systemg'], ctx())).toMatchObject({ unit: 'web', targets: { systemgDir: '/var/lib/systemg' } });
    expect(parseArgs(['inspect', 'api', '--units', 'u.json'], ctx())).toMatchObject({ unit: 'api', targets: { unitsFile: 'u.json' } });
    expect(usage(['inspect', '--systemg', '/var/lib/systemg'])).toContain('UNIT');
    expect(usage(['inspect', 'a', 'b'])).toContain("unexpected argument 'b'");
  });

  it('rejects an unknown command', () => {
    expect(usage(['frobnicate'])).toContain("unknown command 'frobnicate'");
  });
});

describe('parseArgs: help, version, config', () => {
  it('answers help and version before anything else', () => {
    expect(parseArgs(['--version'], ctx())).toEqual({ command: 'version' });
    expect(parseArgs(['-V'], ctx())).toEqual({ command: 'version' });
    expect(parseArgs(['--help'], ctx())).toEqual({ command: 'help' });
    expect(parseArgs(['watch', '--help'], ctx())).toEqual({ command: 'help', topic: 'watch' });
    expect(parseArgs(['replay', '-h'], ctx())).toEqual({ command: 'help', topic: 'replay' });
    expect(parseArgs(['help'], ctx())).toEqual({ command: 'help' });
    expect(parseArgs(['help', 'inspect'], ctx())).toEqual({ command: 'help', topic: 'inspect' });
  });

  it('takes options from a config file, with flags winning', () => {
    const files = { 'c.json': JSON.stringify({ interval: '5s', pid: [1, 2], children: true, window: '1h', strict: true }) };
    expect(parseArgs(['--config', 'c.json', 'watch', '--interval', '2s'], ctx(files))).toMatchObject({
      strict: true, intervalMs: 2_000, targets: { pids: [1, 2], children: true },
    });
  });

  it('rejects an unknown config key by name', () => {
    const files = { 'c.json': JSON.stringify({ interval: '5s', intervall: '5s' }) };
    expect(usage(['--config', 'c.json'], ctx(files))).toBe("--config: unknown key 'intervall' in c.json");
  });

  it('names the config file a bad value came from, and resolves its relative paths against its folder', () => {
    expect(usage(['--config', 'etc/c.json'], ctx({ 'etc/c.json': '{"memory":"lots"}' }))).toBe(
      "--memory: 'lots' is not valid; use 512B, 256KiB, 10MiB, 1GiB (powers of 1024), 1KB, 1MB, 1GB (powers of 1000) or a byte count (from etc/c.json)");
    expect(usage(['--config', 'etc/c.json', '--memory', 'lots'], ctx({ 'etc/c.json': '{}' }))).not.toContain('from');
    const cmd = parseArgs(['--config', '/etc/ps/c.json'], ctx({ '/etc/ps/c.json': '{"units":"u.json","spill":"/var/spill","pidfile":"../run/web.pid"}' }));
    expect(cmd).toMatchObject({ targets: { unitsFile: '/etc/ps/u.json', pidFile: '/etc/run/web.pid' }, spill: { dir: '/var/spill' } });
  });

  it('takes a systemg config\'s metrics: block as defaults that flags override, and warns about unknown keys', () => {
    const warnings: string[] = [];
    const yaml = 'services:\n  web:\n    command: x\nmetrics:\n  sample_interval_secs: 5\n  retention_minutes: 30\n  spillover_path: spill\n  max_memory_bytes: 2048\n  extra: 1\n';
    const c = { ...ctx({ '/srv/sg/systemg.yaml': yaml }), warn: (m: string) => warnings.push(m) };
    expect(parseArgs(['--systemg', '/srv/sg', '--systemg-config', '/srv/sg/systemg.yaml', '--interval', '2s'], c)).toMatchObject({
      intervalMs: 2_000, retentionMs: 1_800_000, maxMemoryBytes: 2048, spill: { dir: '/srv/sg/spill' },
      targets: { systemgDir: '/srv/sg', systemgServices: ['web'] },
    });
    expect(warnings).toEqual(["--systemg-config: /srv/sg/systemg.yaml:9: unknown key 'extra' in metrics: (ignored)"]);
    expect(usage(['--systemg-config', 's.yaml'], ctx({ 's.yaml': 'metrics:\n  sample_interval_secs: 0\n' }))).toBe(
      '--systemg-config: s.yaml:2: metrics.sample_interval_secs must be a number above 0');
  });

  it('rejects a bad config value naming the key', () => {
    expect(usage(['--config', 'c.json'], ctx({ 'c.json': '{"interval":"soon"}' }))).toContain('--interval');
    expect(usage(['--config', 'c.json'], ctx({ 'c.json': '{"children":"yes"}' }))).toContain("'children'");
    expect(usage(['--config', 'c.json'], ctx({ 'c.json': '[1]' }))).toContain('JSON object');
    expect(usage(['--config', 'c.json'], ctx({ 'c.json': '{' }))).toContain('not valid JSON');
    expect(usage(['--config', 'missing.json'], ctx())).toContain('cannot read missing.json');
  });
});

describe('commandOf', () => {
  it('finds the command after global flags, and watch when there is none', () => {
    expect(commandOf(['--config', 'x', 'replay', 'd'])).toBe('replay');
    expect(commandOf(['--pid', '3'])).toBe('watch');
    expect(commandOf(['nope'])).toBeUndefined();
  });
});

describe('the flag table', () => {
  const SAMPLE: Record<ParserName, string> = {
    duration: '5s', timer: '5s', size: '2MiB', count: '3', pid: '42', regex: '^x', instant: '15m', sort: 'rss', address: '9000',
    'http-address': '9001', format: 'table', text: 'a.yaml', cgroup: 'system.slice/web.service', 'systemd-unit': 'web',
  };
  const POSITIONAL: Record<CommandName, string[]> = { watch: [], summarize: [], replay: ['DIR'], inspect: ['api'] };
  const NEEDS: Record<string, string[]> = { 'spill-max': ['--spill', 'd'], 'rebuild-max': ['--spill', 'd'], segment: ['--spill', 'd', '--spill-max', '4MiB'] };
  const rows = FLAGS.filter((f) => f.option !== undefined && f.commands !== 'global');
  const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], value);

  it.each(rows.map((f) => [f.name, f]))('--%s sets the library option its row names, through the parser its row names', (_, flag) => {
    for (const command of flag.commands as readonly CommandName[]) {
      const value = flag.value === undefined ? [] : [SAMPLE[flag.parse ?? 'text']];
      const argv = [command, ...POSITIONAL[command], `--${flag.name}`, ...value, ...(NEEDS[flag.name] ?? [])];
      const cmd = parseArgs(argv, ctx({ 'a.yaml': 'services:\n  web:\n    command: x\n' }));
      expect({ argv, set: at(cmd, flag.option!) !== undefined }).toEqual({ argv, set: true });
    }
  });

  it('gives every flag with a value a parser, and every parser a flag', () => {
    expect(FLAGS.filter((f) => f.value !== undefined && f.parse === undefined).map((f) => f.name)).toEqual([]);
    expect(new Set(FLAGS.map((f) => f.parse).filter(Boolean))).toEqual(new Set(Object.keys(SAMPLE)));
  });
});
