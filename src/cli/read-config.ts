import { dirname, isAbsolute, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { FLAGS, flagApplies, type CommandName, type FlagSpec } from './flags.js';

/** Flag values by long name, as node:util parseArgs returns them. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Reads a `--config` JSON object whose keys are long flag names, keeping those that apply to `command`; values become
 * flag text, so they go through the same checks as the command line. An unknown key is E_USAGE naming it.
 */
export function readConfig(path: string, command: CommandName, readFile: (path: string) => string): FlagValues {
  let text: string;
  let data: unknown;
  try {
    text = readFile(path);
  } catch (error) {
    throw new PipelineError('E_USAGE', `--config: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PipelineError('E_USAGE', `--config: ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PipelineError('E_USAGE', `--config: ${path} must hold a JSON object of flag names`);
  }
  const values: FlagValues = {};
  for (const [key, raw] of Object.entries(data)) {
    const flag = FLAGS.find((f) => f.name === key && f.config);
    if (!flag) throw new PipelineError('E_USAGE', `--config: unknown key '${key}' in ${path}`);
    if (!flagApplies(flag, command)) continue; // a shared config may hold options of other commands
    values[key] = configValue(flag, raw, path);
  }
  return values;
}

function configValue(flag: FlagSpec, raw: unknown, path: string): string | boolean | string[] {
  const bad = () => new PipelineError('E_USAGE', `--config: key '${flag.name}' in ${path} must be ${
    flag.value ? (flag.multiple ? 'a string, a number or an array of them' : 'a string or a number') : 'true or false'}`);
  const scalar = (x: unknown): string => {
    if (typeof x === 'string' || typeof x === 'number') return String(x);
    throw bad();
  };
  if (!flag.value) {
    if (typeof raw !== 'boolean') throw bad();
    return raw;
  }
  if (flag.multiple) return Array.isArray(raw) ? raw.map(scalar) : [scalar(raw)];
  // A path in a config file means a path next to it, wherever the command runs from.
  const value = scalar(raw);
  return isPathFlag(flag) && !isAbsolute(value) ? resolve(dirname(path), value) : value;
}

/** Flags whose value is a file or directory (`FILE`, `DIR`): relative ones in a config file resolve against its folder. */
function isPathFlag(flag: FlagSpec): boolean {
  return flag.value === 'FILE' || flag.value === 'DIR';
}
