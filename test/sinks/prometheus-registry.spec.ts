import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prometheusRegistry } from '../../src/sinks/prometheus-registry.js';
import { MetricsState } from '../../src/sinks/unit-metrics.js';

describe('prometheusRegistry', () => {
  it('documents every metric, with its type, in docs/prometheus.md', async () => {
    const doc = readFileSync('docs/prometheus.md', 'utf8');
    const { registry } = prometheusRegistry(new MetricsState(), 'prometheus', async () => 0);
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.length).toBe(16);
    for (const { name, type } of metrics) expect(doc).toMatch(new RegExp(`^\\| \`${name}(\\{[a-z,]+\\})?\` \\| ${type} \\|`, 'm'));
  });

  it('follows the naming conventions: procstream_ namespace, _total on counters only, base units', async () => {
    const { registry } = prometheusRegistry(new MetricsState(), 'prometheus', async () => 0);
    for (const { name, type } of await registry.getMetricsAsJSON()) {
      expect(name).toMatch(/^procstream_[a-z_]+$/);
      expect(name.endsWith('_total')).toBe(String(type) === 'counter');
      expect(name).not.toMatch(/_(ms|milliseconds|kb|mb|percent)(_|$)/);
    }
  });
});
