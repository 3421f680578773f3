/** `--systemg-config FILE`: a systemg YAML config's service names, and its `metrics:` block as flag defaults. */
import { dirname, isAbsolute, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { parseSystemgConfig } from '../formats/systemg-config.js';
import { printable } from './printable.js';
import type { FlagValues } from './read-config.js';

/** The flag each `metrics:` option stands in for, so the values go through the flags' own checks. */
const FLAG_OF = {
  retentionMs: 'retention', intervalMs: 'interval', maxMemoryBytes: 'memory', spillMaxBytes: 'spill-max', spillSegmentBytes: 'segment',
} as const;
/** Flags that need a byte count, not a duration. */
const SIZES = new Set(['memory', 'spill-max', 'segment']);

/** What a systemg config contributes: flag defaults (lower priority than `--config` and argv) and service names. */
export interface SystemgConfigDefaults {
  values: FlagValues;
  services: string[];
}

/**
 * Reads FILE; `spillover_path` resolves against FILE's folder. Each unknown `metrics:` key goes to `warn` as
 * `--systemg-config: FILE:LINE: …`. A bad file is E_USAGE naming it (and the line).
 */
export function readSystemgConfig(path: string, readFile: (path: string) => string, warn: (message: string) => void): SystemgConfigDefaults {
  const where = `--systemg-config: ${printable(path)}`;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PipelineError('E_USAGE', `${where}: cannot read it (${code ?? (error as Error).message})`, { cause: error });
  }
  let config;
  try {
    config = parseSystemgConfig(text);
  } catch (error) {
    throw new PipelineError('E_USAGE', `${where}:${printable((error as Error).message).replace(/^line /, '')}`, { cause: error });
  }
  for (const w of config.warnings) warn(`${where}:${printable(w).replace(/^line /, '')}`);
  const values: FlagValues = {};
  const { spillPath, ...numbers } = config.metrics;
  for (const [option, n] of Object.entries(numbers)) {
    const flag = FLAG_OF[option as keyof typeof FLAG_OF];
    values[flag] = SIZES.has(flag) ? String(n) : `${n}ms`;
  }
  if (spillPath !== undefined) values.spill = isAbsolute(spillPath) ? spillPath : resolve(dirname(path), spillPath);
  return { values, services: config.services };
}
