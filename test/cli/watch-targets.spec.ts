import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, isObservable, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { watchTargetsSpec } from '../../src/cli/watch-targets.js';
import type { UnitTarget } from '../../src/sources/sampler.js';

const none = { pids: [], children: true };

describe('watchTargetsSpec', () => {
  it('means every process of the machine when no target flag is given', () => {
    expect(watchTargetsSpec(none, 1000)).toBe('all-processes');
  });

  it('names --pid and --match units after what they watch', () => {
    expect(watchTargetsSpec({ ...none, pids: [12, 34], match: '^node ' }, 1000)).toEqual([
      { unit: 'pid-12', pid: 12 }, { unit: 'pid-34', pid: 34 }, { unit: '^node ', match: '^node ' },
    ]);
  });

  it('combines file targets with the others into one list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-targets-'));
    writeFileSync(join(dir, 'units.json'), JSON.stringify([{ unit: 'api', pid: 5 }]));
    const spec = watchTargetsSpec({ ...none, pids: [12], pidFile: join(dir, 'web.pid'), unitsFile: join(dir, 'units.json') }, 1000);
    expect(isObservable(spec)).toBe(true);
    const list = await firstValueFrom(from(spec as Observable<readonly UnitTarget[]>));
    expect(list).toEqual([{ unit: 'pid-12', pid: 12 }, { unit: 'web', pidFile: join(dir, 'web.pid') }, { unit: 'api', pid: 5 }]);
  });
});
