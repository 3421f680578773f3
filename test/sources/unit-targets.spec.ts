import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { unitTargets } from '../../src/sources/unit-targets.js';
import { testScheduler } from '../helpers/test-scheduler.js';

// prettier-ignore
describe('unitTargets', () => {
  let ts: TestScheduler;
  let dir: string;
  beforeEach(() => { ts = testScheduler(); dir = mkdtempSync(join(tmpdir(), 'procstream-targets-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });
  const write = (name: string, json: unknown) => writeFileSync(join(dir, name), typeof json === 'string' ? json : JSON.stringify(json));

  it('passes targets from code through once', () => {
    ts.run(({ expectObservable }) => {
      expectObservable(unitTargets([{ unit: 'a', pid: 1 }])).toBe('(x|)', { x: [{ unit: 'a', pid: 1 }] });
    });
  });

  it('re-emits an Observable of targets only when the list changes, and tears down', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = [{ unit: 'a', pid: 1 }];
      const b = [{ unit: 'a', pid: 2 }];
      const src = cold('a-a-b-', { a, b });
      expectObservable(unitTargets(src), '^-----!').toBe('x---y-', { x: a, y: b });
      expectSubscriptions(src.subscriptions).toBe('^-----!');
    });
  });

  it('fails with E_USAGE on an invalid target from code', async () => {
    await expect(firstValueFrom(unitTargets([{ unit: '', pid: 1 }]))).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('picks up changes to a units file while running, and ignores a torn rewrite', () => {
    write('units.json', { units: [{ unit: 'api', pid: 10 }] });
    ts.run(({ expectObservable }) => {
      ts.schedule(() => write('units.json', '{"units": [{"unit": "api", "pi'), 1500);
      ts.schedule(() => write('units.json', { units: [{ unit: 'api', pid: 10 }, { unit: 'web', pidFile: 'web.pid' }] }), 2500);
      expectObservable(unitTargets({ unitsFile: join(dir, 'units.json') }, { pollMs: 1000 }), '4s !').toBe(
        'x 2999ms y', { x: [{ unit: 'api', pid: 10 }], y: [{ unit: 'api', pid: 10 }, { unit: 'web', pidFile: join(dir, 'web.pid') }] });
      // 0       1s torn   2s still torn   3s valid again
    });
  });

  it('fails with E_SOURCE when the units file is missing or invalid at the start', async () => {
    await expect(firstValueFrom(unitTargets({ unitsFile: join(dir, 'none.json') }))).rejects.toBeInstanceOf(PipelineError);
    write('bad.json', '[{"unit": 1}]');
    await expect(firstValueFrom(unitTargets({ unitsFile: join(dir, 'bad.json') }))).rejects.toThrow(/bad\.json: target 1/);
  });

  it('follows a state file: empty until the supervisor writes it, then each change', () => {
    const state = join(dir, 'state.json');
    ts.run(({ expectObservable }) => {
      ts.schedule(() => write('state.json', { api: 100 }), 500);
      ts.schedule(() => write('state.json', { api: null }), 1500);
      ts.schedule(() => unlinkSync(state), 2500);
      expectObservable(unitTargets({ stateFile: state }, { pollMs: 1000 }), '3500ms !').toBe(
        'e 999ms a 999ms s 999ms e', { e: [], a: [{ unit: 'api', pid: 100 }], s: [{ unit: 'api', pid: 0 }] });
    });
  });

  it('turns a pid file into one target named after it', () => {
    ts.run(({ expectObservable }) => {
      expectObservable(unitTargets({ pidFile: '/run/nginx.pid' })).toBe('(x|)', { x: [{ unit: 'nginx', pidFile: '/run/nginx.pid' }] });
    });
  });
});
