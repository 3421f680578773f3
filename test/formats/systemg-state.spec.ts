import { describe, expect, it } from 'vitest';
import { parseSystemgPidFile, parseSystemgStateFile } from '../../src/formats/systemg-state.js';
import { systemgTargets } from '../../src/formats/systemg-targets.js';
import { pidXml, stateXml } from '../helpers/systemg-files.js';

describe('systemg state files', () => {
  it('reads pid.xml in quick-xml layout, one <services> per entry', () => {
    expect(parseSystemgPidFile(pidXml([{ name: 'web', pid: 42 }, { name: 'db', pid: 43 }]))).toEqual([
      { service: 'web', project: null, pid: 42, status: null },
      { service: 'db', project: null, pid: 43, status: null },
    ]);
    expect(parseSystemgPidFile('<PidFile></PidFile>')).toEqual([]);
    expect(parseSystemgPidFile(pidXml([{ name: 'solo', pid: 7 }]))).toHaveLength(1); // one entry is still a list
  });

  it('reads state.xml keyed v2:{project}:{service} (v0.66) or by a config hash (v0.33)', () => {
    expect(parseSystemgStateFile(stateXml([{ name: 'web', pid: 42 }, { name: 'db', status: 'failed' }], 'shop'))).toEqual([
      { service: 'web', project: 'shop', pid: 42, status: 'running' },
      { service: 'db', project: 'shop', pid: null, status: 'failed' },
    ]);
    expect(parseSystemgStateFile(stateXml([{ name: '9f2c41aa', pid: 42 }]))[0]).toEqual({ service: '9f2c41aa', project: null, pid: 42, status: 'running' });
  });

  it('names the line of bad XML, a missing root, and a pid that is not one', () => {
    expect(() => parseSystemgPidFile('<PidFile>\n<services><name>web</name>\n<pid>42</services></PidFile>')).toThrow(/^line 3: /);
    expect(() => parseSystemgPidFile('<ServiceStateFile></ServiceStateFile>')).toThrow('expected a <PidFile> root element');
    expect(() => parseSystemgPidFile(pidXml([{ name: 'web', pid: -5 }]))).toThrow("service 'web': pid '-5' is not a process id");
    expect(() => parseSystemgPidFile('<PidFile><services><pid>1</pid></services></PidFile>')).toThrow('entry 1: <services> without a <name>');
  });
});

describe('systemgTargets', () => {
  it('names units by service; a stopped or failed service is down with systemg\'s status as the reason', () => {
    const services = [{ name: 'web', pid: 42 }, { name: 'db', status: 'stopped' }, { name: 'worker', status: 'failed' }];
    expect(systemgTargets([{ project: null, pidXml: pidXml(services), stateXml: stateXml(services, 'shop') }])).toEqual([
      { unit: 'web', pid: 42 },
      { unit: 'db', pid: 0, downReason: 'stopped' },
      { unit: 'worker', pid: 0, downReason: 'failed' },
    ]);
  });

  it('a status other than running wins over a pid left in pid.xml', () => {
    const texts = { project: null, pidXml: pidXml([{ name: 'web', pid: 42 }]), stateXml: stateXml([{ name: 'web', pid: 42, status: 'stopped' }], 'p') };
    expect(systemgTargets([texts])).toEqual([{ unit: 'web', pid: 0, downReason: 'stopped' }]);
  });

  it('maps a v0.33 hash key to its service through the pid both files record', () => {
    const texts = { project: null, pidXml: pidXml([{ name: 'web', pid: 42 }]), stateXml: stateXml([{ name: '9f2c41aa', pid: 42, status: 'running' }]) };
    expect(systemgTargets([texts])).toEqual([{ unit: 'web', pid: 42 }]);
  });

  it('qualifies a service name two projects share, and lists config services no file mentions as not started', () => {
    const a = { project: 'shop', stateXml: stateXml([{ name: 'web', pid: 42 }], 'shop') };
    const b = { project: 'blog', stateXml: stateXml([{ name: 'web', pid: 43 }, { name: 'cron', pid: 44 }], 'blog') };
    expect(systemgTargets([a, b], ['cron', 'mailer'])).toEqual([
      { unit: 'shop:web', pid: 42 }, { unit: 'blog:web', pid: 43 }, { unit: 'cron', pid: 44 },
      { unit: 'mailer', pid: 0, downReason: 'not-started' },
    ]);
  });

  it('names the file of a parse error, with its project', () => {
    expect(() => systemgTargets([{ project: 'shop', pidXml: '<PidFile><services>' }])).toThrow(/^shop\/pid\.xml: line 1: /);
  });
});
