import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMETHEUS_PORT, parsePrometheusAddress } from '../../src/formats/prometheus-address.js';

describe('parsePrometheusAddress', () => {
  it('listens on loopback unless another host is named', () => {
    expect(parsePrometheusAddress()).toEqual({ host: '127.0.0.1', port: DEFAULT_PROMETHEUS_PORT });
    expect(parsePrometheusAddress('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parsePrometheusAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('reads HOST, HOST:PORT and [IPV6]:PORT', () => {
    expect(parsePrometheusAddress('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parsePrometheusAddress('localhost')).toEqual({ host: 'localhost', port: DEFAULT_PROMETHEUS_PORT });
    expect(parsePrometheusAddress('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
  });

  it('rejects a bad port or a bare IPv6 address with E_USAGE', () => {
    expect(() => parsePrometheusAddress('host:70000')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => parsePrometheusAddress('::1')).toThrow(/HOST:PORT/);
    expect(() => parsePrometheusAddress('host:port')).toThrow(/HOST:PORT/);
  });
});
