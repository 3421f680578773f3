import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, procstream, shell } from '../helpers/bin.js';
import { killAll, startNode } from '../helpers/children.js';

beforeAll(ensureBuilt, 120_000);

// `watch --format ndjson` prints the `tick` events: they are data (docs/events.md#tick).
describe('procstream watch: tick events (built)', () => {
  it('prints one tick after each round\'s sample, and a jq filter on type still selects samples only', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    try {
      const r = shell(`${procstream} watch --pid ${child.pid} --count 3 --interval 200ms --format ndjson | /usr/bin/jq -c '{type, unit, processes, units}'`);
      expect(r.code).toBe(0);
      const kinds = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const rounds = kinds.filter((e) => e.type === 'sample' || e.type === 'tick').map((e) => e.type);
      expect(rounds).toEqual(['sample', 'tick', 'sample', 'tick', 'sample', 'tick']);
      expect(kinds.filter((e) => e.type === 'tick')).toEqual(Array(3).fill({ type: 'tick', unit: '*', processes: 1, units: 1 }));
      const samples = shell(`${procstream} watch --pid ${child.pid} --count 2 --interval 200ms | /usr/bin/jq -c 'select(.type == "sample") | .type'`);
      expect(samples.stdout.trim().split('\n')).toEqual(['"sample"', '"sample"']);
    } finally {
      await killAll();
    }
  });
});
