/**
 * systeminformation, prom-client and asciichart load on first use: importing the operators loads none of them. Each
 * check runs in a fresh node process; the controls prove the detection sees a library once it is used.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/bin.js';
import { LOADED_FN, runConsumer } from '../helpers/consumer.js';

beforeAll(ensureBuilt, 120_000);

function loadedBy(file: string, body: string): string[] {
  const { code, stdout, stderr } = runConsumer(file, `${LOADED_FN}\n${body}`);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as string[];
}

describe('lazy loading of the heavy libraries', () => {
  it("loads none of them on import { ofType, sampleTicks } from 'procstream'", () => {
    expect(loadedBy('consumer.mjs', `
      import { ofType, sampleTicks } from 'procstream';
      if (typeof ofType !== 'function' || typeof sampleTicks !== 'function') throw new Error('missing exports');
      console.log(JSON.stringify(loaded()));
    `)).toEqual([]);
  });

  it("loads none of them on require('procstream') or on importing procstream/testing", () => {
    expect(loadedBy('consumer.cjs', `
      require('procstream');
      require('procstream/testing');
      console.log(JSON.stringify(loaded()));
    `)).toEqual([]);
  });

  it('loads systeminformation on the first siSampler listing, and not before', () => {
    expect(loadedBy('consumer.mjs', `
      import { siSampler } from 'procstream';
      const sampler = siSampler();
      const before = loaded();
      await sampler.sample([{ unit: 'self', pid: process.pid }]);
      sampler.close();
      console.log(JSON.stringify({ before, after: loaded() }));
    `)).toEqual({ before: [], after: ['systeminformation'] });
  });

  it('loads prom-client when a prometheus sink is subscribed, and not before', () => {
    expect(loadedBy('consumer.mjs', `
      import { prometheus } from 'procstream';
      import { EMPTY, lastValueFrom } from 'rxjs';
      const sink = prometheus({ port: 0 });
      const before = loaded();
      await lastValueFrom(EMPTY.pipe(sink), { defaultValue: undefined });
      console.log(JSON.stringify({ before, after: loaded() }));
    `)).toEqual({ before: [], after: ['prom-client'] });
  });
});
