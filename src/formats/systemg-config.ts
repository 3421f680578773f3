/**
 * systemg's YAML config (`systemg.yaml`), as far as procstream uses it: the service names, and the `metrics:` block
 * as defaults for our options. Pure: text in, values out. Parsed with `yaml` (eemeli/yaml, a maintained YAML 1.2
 * parser that reports line and column), not by hand.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/** `yaml`, loaded on the first config rather than at import: it costs ~40 ms of CPU that every command paid through
 * the library's index, though only `--systemg-config` needs it. */
let yaml: typeof Yaml | undefined;
const require = createRequire(import.meta.url);
const loadYaml = (): typeof Yaml => (yaml ??= require('yaml') as typeof Yaml);

/** systemg's `metrics:` keys and the library option each sets, converted to our units. */
const METRICS = {
  retention_minutes: { option: 'retentionMs', scale: 60_000 },
  sample_interval_secs: { option: 'intervalMs', scale: 1_000 },
  max_memory_bytes: { option: 'maxMemoryBytes', scale: 1 },
  spillover_max_bytes: { option: 'spillMaxBytes', scale: 1 },
  spillover_segment_bytes: { option: 'spillSegmentBytes', scale: 1 },
} as const;

type NumericOption = (typeof METRICS)[keyof typeof METRICS]['option'];

/** What procstream takes from a systemg config. */
export interface SystemgConfig {
  /** The keys of `services:`, in file order. */
  services: string[];
  /** The `metrics:` block in our units; `spillPath` exactly as written (the caller resolves it). */
  metrics: Partial<Record<NumericOption, number>> & { spillPath?: string };
  /** One line per key of `metrics:` procstream does not know, `line N: unknown key 'x' in metrics:` (not ignored silently). */
  warnings: string[];
}

/** Parses a systemg config's text; throws an Error starting `line N:` for bad YAML or a bad `metrics:` value. */
export function parseSystemgConfig(text: string): SystemgConfig {
  const { isMap, parseDocument } = loadYaml();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  const lineOf = (node: unknown) => lineAt((node as { range?: [number] } | null)?.range?.[0] ?? 0);
  const first = doc.errors[0];
  if (first) throw new Error(`line ${lineAt(first.pos[0])}: ${first.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('line 1: expected a mapping with services: (a systemg config)');
  const config: SystemgConfig = { services: [], metrics: {}, warnings: [] };
  const services = root.get('services', true);
  if (services !== undefined && services !== null) {
    if (!isMap(services)) throw new Error(`line ${lineOf(services)}: services: must be a mapping of service names`);
    config.services = services.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value ?? pair.key));
  }
  const metrics = root.get('metrics', true);
  if (metrics === undefined || metrics === null) return config;
  if (!isMap(metrics)) throw new Error(`line ${lineOf(metrics)}: metrics: must be a mapping`);
  for (const pair of metrics.items) {
    const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
    const value = (pair.value as { value?: unknown } | null)?.value;
    const line = lineOf(pair.key);
    if (key === 'spillover_path') {
      if (typeof value !== 'string' || value === '') throw new Error(`line ${line}: metrics.spillover_path must be a path`);
      config.metrics.spillPath = value;
    } else if (Object.hasOwn(METRICS, key)) {
      const { option, scale } = METRICS[key as keyof typeof METRICS];
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isSafeInteger(Math.round(value * scale))) {
        throw new Error(`line ${line}: metrics.${key} must be a number above 0`);
      }
      config.metrics[option] = Math.round(value * scale);
    } else {
      config.warnings.push(`line ${line}: unknown key '${key}' in metrics: (ignored)`);
    }
  }
  return config;
}
