import { describe, expect, it } from 'vitest';
import { parseStateFile } from '../../src/formats/parse-state-file.js';
import { parseUnitsFile } from '../../src/formats/parse-units-file.js';

describe('parseUnitsFile', () => {
  it('reads the three target kinds and resolves a relative pid file against the file', () => {
    expect(parseUnitsFile({ units: [
      { unit: 'api', pid: 12 },
      { unit: 'web', pidFile: 'run/web.pid', children: true },
      { unit: 'worker', match: 'node .*worker\\.js' },
    ] }, '/etc/procstream')).toEqual([
      { unit: 'api', pid: 12 },
      { unit: 'web', pidFile: '/etc/procstream/run/web.pid', children: true },
      { unit: 'worker', match: 'node .*worker\\.js' },
    ]);
  });

  it('reads a comm group and rejects a target with two kinds', () => {
    expect(parseUnitsFile([{ unit: 'web', comm: 'nginx' }])).toEqual([{ unit: 'web', comm: 'nginx' }]);
    expect(() => parseUnitsFile([{ unit: 'web', comm: 'nginx', pid: 3 }])).toThrow(/target 1: give exactly one of/);
    expect(() => parseUnitsFile([{ unit: 'web', comm: '' }])).toThrow(/"comm" must be a command name/);
  });

  it('accepts a bare array', () => {
    expect(parseUnitsFile([{ unit: 'a', pid: 0 }])).toEqual([{ unit: 'a', pid: 0 }]);
  });

  it.each([
    [{ units: [{ pid: 1 }] }, /target 1: "unit"/],
    [[{ unit: 'a', pid: 1 }, { unit: 'a', pid: 2 }], /target 2: duplicate unit "a"/],
    [[{ unit: 'a', pid: 1, match: 'x' }], /exactly one/],
    [[{ unit: 'a', pid: -3 }], /integer/],
    [[{ unit: 'a', match: '(' }], /regular expression/],
    [[{ unit: 'a', pid: 1, children: 'yes' }], /children/],
    [{ nope: 1 }, /array/],
  ])('rejects %j', (json, message) => {
    expect(() => parseUnitsFile(json)).toThrow(message);
  });
});

describe('parseStateFile', () => {
  it('maps unit → pid, {pid}, or null for a stopped unit', () => {
    expect(parseStateFile({ api: 10, web: { pid: 11, status: 'running' }, old: null, off: { pid: null } })).toEqual([
      { unit: 'api', pid: 10 }, { unit: 'web', pid: 11 }, { unit: 'old', pid: 0 }, { unit: 'off', pid: 0 },
    ]);
  });
  it('reads the map under "units"', () => {
    expect(parseStateFile({ units: { api: 10 } })).toEqual([{ unit: 'api', pid: 10 }]);
  });
  it('rejects a non-integer pid and a non-object', () => {
    expect(() => parseStateFile({ api: 'ten' })).toThrow(/unit "api"/);
    expect(() => parseStateFile([1])).toThrow(/object/);
  });
});

describe('cgroup and systemd targets in a units file', () => {
  it('accepts a cgroup path and a systemd unit name, and refuses a path with ..', () => {
    expect(parseUnitsFile([{ unit: 'web', cgroup: 'system.slice/web.service' }, { unit: 'db', systemdUnit: 'postgresql' }])).toEqual([
      { unit: 'web', cgroup: 'system.slice/web.service' }, { unit: 'db', systemdUnit: 'postgresql' },
    ]);
    expect(() => parseUnitsFile([{ unit: 'x', cgroup: '../../etc' }])).toThrow('target 1: "cgroup" must be a cgroup path without ".."');
    expect(() => parseUnitsFile([{ unit: 'x', systemdUnit: 'a b' }])).toThrow(/"systemdUnit" must be a unit name/);
    expect(() => parseUnitsFile([{ unit: 'x', cgroup: 'a', pid: 1 }])).toThrow(/exactly one of/);
  });
});
