import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_FORMAT_VERSION, EVENT_TYPES, isMetricEvent } from '../src/events.js';

describe('docs/events.md', () => {
  const doc = readFileSync('docs/events.md', 'utf8');
  const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));

  it('gives a valid example line for every event type', () => {
    const parsed = examples.map((line) => JSON.parse(line) as unknown);
    for (const event of parsed) expect(isMetricEvent(event), JSON.stringify(event)).toBe(true);
    const types = new Set(parsed.map((e) => (e as { type: string }).type));
    expect([...types].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('documents the version this build writes', () => {
    expect(doc).toContain(`# Events (format version ${EVENT_FORMAT_VERSION})`);
  });
});
