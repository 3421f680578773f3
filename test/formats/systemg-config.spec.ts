import { describe, expect, it } from 'vitest';
import { parseSystemgConfig } from '../../src/formats/systemg-config.js';

const CONFIG = `version: "1"
services:
  web:
    command: "python -m http.server 8080"
  worker:
    command: "./worker.sh"
metrics:
  retention_minutes: 30
  sample_interval_secs: 2
  max_memory_bytes: 1048576
  spillover_path: spill
  spillover_max_bytes: 4194304
  spillover_segment_bytes: 65536
  colour: blue
`;

describe('parseSystemgConfig', () => {
  it('reads the service names and the metrics: block in our units, and warns about an unknown key with its line', () => {
    expect(parseSystemgConfig(CONFIG)).toEqual({
      services: ['web', 'worker'],
      metrics: { retentionMs: 1_800_000, intervalMs: 2_000, maxMemoryBytes: 1_048_576, spillPath: 'spill', spillMaxBytes: 4_194_304, spillSegmentBytes: 65_536 },
      warnings: ["line 14: unknown key 'colour' in metrics: (ignored)"],
    });
  });

  it('takes a config without metrics: or services:', () => {
    expect(parseSystemgConfig('services:\n  web:\n    command: x\n')).toEqual({ services: ['web'], metrics: {}, warnings: [] });
    expect(parseSystemgConfig('version: "1"\n')).toEqual({ services: [], metrics: {}, warnings: [] });
  });

  it('names the line of bad YAML and of a bad metrics: value', () => {
    expect(() => parseSystemgConfig('services:\n  web: [\n')).toThrow(/^line \d+: /);
    expect(() => parseSystemgConfig('metrics:\n  retention_minutes: -5\n')).toThrow('line 2: metrics.retention_minutes must be a number above 0');
    expect(() => parseSystemgConfig('metrics:\n  sample_interval_secs: "1s"\n')).toThrow('line 2: metrics.sample_interval_secs must be a number above 0');
    expect(() => parseSystemgConfig('- a\n- b\n')).toThrow('line 1: expected a mapping');
    expect(() => parseSystemgConfig('metrics:\n  retention_minutes: 1\n  retention_minutes: 2\n')).toThrow(/^line 3: /);
  });
});
