import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { EXIT, exitCodeFor, isBrokenPipe } from '../../src/cli/exit-codes.js';

const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('exitCodeFor', () => {
  it.each([
    ['E_USAGE', 2], ['E_PARSE', 65], ['E_SOURCE', 1], ['E_SINK', 1],
  ] as const)('maps %s to %i', (code, exit) => {
    expect(exitCodeFor(new PipelineError(code, 'x'))).toBe(exit);
  });

  it('maps an unexpected error to 1', () => {
    expect(exitCodeFor(new TypeError('boom'))).toBe(EXIT.failure);
    expect(exitCodeFor('thrown string')).toBe(EXIT.failure);
  });

  it('maps a broken pipe, bare or as a cause, to 0', () => {
    expect(isBrokenPipe(epipe)).toBe(true);
    expect(exitCodeFor(epipe)).toBe(0);
    expect(exitCodeFor(new PipelineError('E_SINK', 'stdout', { cause: epipe }))).toBe(0);
    expect(isBrokenPipe(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(false);
  });
});
