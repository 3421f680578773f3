import { createRequire } from 'node:module';
import { cruise, type ICruiseOptions, type IReporterOutput } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: ICruiseOptions };

describe('the import graph of src/', () => {
  it('keeps every layer rule of .dependency-cruiser.cjs (formats pure, streams without I/O, CLI through index.ts, no cycles)', async () => {
    const options = { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } } as ICruiseOptions;
    const result: IReporterOutput = await cruise(['src'], options, undefined, { tsConfig: require('../tsconfig.json') as object } as never);
    if (typeof result.output === 'string') throw new Error(result.output);
    const { violations, totalCruised } = result.output.summary;
    expect(totalCruised).toBeGreaterThan(80); // the whole of src/ was read, not an empty match
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 60_000);
});
