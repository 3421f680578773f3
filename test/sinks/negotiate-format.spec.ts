import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/sinks/negotiate-format.js';

describe('negotiateFormat', () => {
  it("gives OpenMetrics to Prometheus's own Accept header", () => {
    const prom = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prom)).toBe('openmetrics');
  });

  it('gives the text format without a header, to curl, and when text/plain is preferred', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
    expect(negotiateFormat('text/plain;q=0.9,application/openmetrics-text;q=0.5')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
  });
});
