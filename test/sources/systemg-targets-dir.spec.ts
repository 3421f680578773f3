import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemgTargetsDir } from '../../src/sources/systemg-targets-dir.js';
import { writeSystemgState } from '../helpers/systemg-files.js';
import { testScheduler } from '../helpers/test-scheduler.js';

// prettier-ignore
describe('systemgTargetsDir', () => {
  let ts: TestScheduler;
  let dir: string;
  beforeEach(() => { ts = testScheduler(); dir = mkdtempSync(join(tmpdir(), 'procstream-sgdir-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('follows rewrites, keeps the last good list through a torn write, and reports it', () => {
    writeSystemgState(dir, [{ name: 'web', pid: 42 }], 'shop');
    const bad: string[] = [];
    ts.run(({ expectObservable }) => {
      ts.schedule(() => writeFileSync(join(dir, 'pid.xml'), '<PidFile><services><name>web</name><pid>4'), 1500);
      ts.schedule(() => writeSystemgState(dir, [{ name: 'web', pid: 43 }, { name: 'db', status: 'failed' }], 'shop'), 2500);
      expectObservable(systemgTargetsDir(dir, { pollMs: 1000, onBadRead: (m) => bad.push(m) }), '4s !').toBe('x 2999ms y', {
        x: [{ unit: 'web', pid: 42 }],
        y: [{ unit: 'web', pid: 43 }, { unit: 'db', pid: 0, downReason: 'failed' }],
      });
      // 0: read   2s: torn (kept x)   3s: valid again
    });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(new RegExp(`^${dir}: pid\\.xml: line 1: `));
  });

  it('reads the files of each project subdirectory as well', () => {
    mkdirSync(join(dir, 'blog'));
    writeSystemgState(dir, [{ name: 'web', pid: 42 }], 'shop');
    writeSystemgState(join(dir, 'blog'), [{ name: 'web', pid: 43 }], 'blog');
    ts.run(({ expectObservable }) => {
      expectObservable(systemgTargetsDir(dir, { services: ['cron'] }), '^ 10ms !').toBe('x', {
        x: [{ unit: 'shop:web', pid: 42 }, { unit: 'blog:web', pid: 43 }, { unit: 'cron', pid: 0, downReason: 'not-started' }],
      });
    });
  });
});
