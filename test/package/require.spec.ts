/** `require('procstream')` from CommonJS (Node's require(esm), Node ≥ 20.19): same exports as `import`, and working. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/bin.js';
import { runConsumer } from '../helpers/consumer.js';

beforeAll(ensureBuilt, 120_000);

describe('the package from CommonJS', () => {
  it('requires procstream and procstream/testing and runs an operator on a builder event', () => {
    const { code, stdout, stderr } = runConsumer('consumer.cjs', `
      const { ofType } = require('procstream');
      const { sample, down } = require('procstream/testing');
      const { from, toArray } = require('rxjs');
      from([sample('web', 1000, { rssBytes: 5 }), down('web', 2000)])
        .pipe(ofType('unit-down'), toArray())
        .subscribe((events) => console.log(JSON.stringify(events.map((e) => [e.type, e.unit, e.ts]))));
    `);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([['unit-down', 'web', 2000]]);
  });

  it('exposes through require() exactly the names that import() exposes', () => {
    const { code, stdout, stderr } = runConsumer('consumer.cjs', `
      const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort();
      Promise.all([import('procstream'), import('procstream/testing')]).then(([esm, esmTesting]) => {
        console.log(JSON.stringify({
          cjs: names(require('procstream')), esm: names(esm),
          cjsTesting: names(require('procstream/testing')), esmTesting: names(esmTesting),
        }));
      });
    `);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { cjs, esm, cjsTesting, esmTesting } = JSON.parse(stdout) as Record<string, string[]>;
    expect(cjs).toEqual(esm);
    expect(cjs).toContain('watchUnits');
    expect(cjsTesting).toEqual(esmTesting);
    expect(cjsTesting).toContain('sample');
  });
});
