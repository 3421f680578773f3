import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/cli/read-config.js';

const files = (text: string) => () => text;

describe('readConfig', () => {
  it('turns values into flag text and keeps only the keys of the command', () => {
    const text = JSON.stringify({ interval: '5s', count: 3, pid: [1, '2'], children: true, window: '1h', unit: 'api' });
    expect(readConfig('c.json', 'watch', files(text))).toEqual({ interval: '5s', count: '3', pid: ['1', '2'], children: true });
    expect(readConfig('c.json', 'replay', files(text))).toEqual({ unit: ['api'] });
  });

  it('names an unknown key, and refuses keys that only make sense on the command line', () => {
    expect(() => readConfig('c.json', 'watch', files('{"retention":"1h","colour":true}'))).toThrow("--config: unknown key 'colour' in c.json");
    expect(() => readConfig('c.json', 'watch', files('{"config":"other.json"}'))).toThrow("unknown key 'config'");
    expect(() => readConfig('c.json', 'watch', files('{"version":true}'))).toThrow("unknown key 'version'");
  });

  it('names a key with a value of the wrong kind', () => {
    expect(() => readConfig('c.json', 'watch', files('{"interval":{"ms":5}}'))).toThrow("key 'interval' in c.json must be a string or a number");
    expect(() => readConfig('c.json', 'watch', files('{"strict":1}'))).toThrow("key 'strict' in c.json must be true or false");
  });
});
