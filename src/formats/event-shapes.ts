/**
 * Object builders for the key sequences our own events are written with (JSON.stringify keeps construction order).
 * An object literal gets V8's final layout at once, which made the byte reader's objects ~20 % cheaper than adding
 * keys one by one. These are written out here rather than generated at run time, so that no string derived from
 * input is ever evaluated as code (docs/security.md). A key sequence not listed is built key by key: same result.
 */
type Make = (v: unknown[]) => Record<string, unknown>;

const SHAPES: [keys: string, make: Make][] = [
  // evicted, as the store emits it
  ['type,v,unit,ts,reason,event', (v) => ({ type: v[0], v: v[1], unit: v[2], ts: v[3], reason: v[4], event: v[5] })],
  // a sample as the store keeps it (inside evicted)
  ['type,v,unit,ts,pid,startTimeMs,cpuPercent,cpuUserSeconds,cpuSystemSeconds,rssBytes,ioReadBytes,ioWriteBytes,missing',
    (v) => ({ type: v[0], v: v[1], unit: v[2], ts: v[3], pid: v[4], startTimeMs: v[5], cpuPercent: v[6],
      cpuUserSeconds: v[7], cpuSystemSeconds: v[8], rssBytes: v[9], ioReadBytes: v[10], ioWriteBytes: v[11],
      missing: v[12] })],
  // a sample as the /proc sampler emits it
  ['type,v,unit,ts,pid,startTimeMs,cpuPercent,cpuUserSeconds,cpuSystemSeconds,rssBytes,ioReadBytes,ioWriteBytes,' +
    'netRxBytes,netTxBytes,netScope,hostCpuPercent,processes,threads,missing',
    (v) => ({ type: v[0], v: v[1], unit: v[2], ts: v[3], pid: v[4], startTimeMs: v[5], cpuPercent: v[6],
      cpuUserSeconds: v[7], cpuSystemSeconds: v[8], rssBytes: v[9], ioReadBytes: v[10], ioWriteBytes: v[11],
      netRxBytes: v[12], netTxBytes: v[13], netScope: v[14], hostCpuPercent: v[15], processes: v[16], threads: v[17],
      missing: v[18] })],
  // unit-down
  ['type,v,unit,ts,reason', (v) => ({ type: v[0], v: v[1], unit: v[2], ts: v[3], reason: v[4] })],
  // missing maps
  ['net', (v) => ({ net: v[0] })],
  ['io,net', (v) => ({ io: v[0], net: v[1] })],
  ['io', (v) => ({ io: v[0] })],
];

const BY_KEYS = new Map(SHAPES);

/** The literal builder for exactly these keys in this order, or undefined. */
export function shapeBuilder(keys: readonly string[]): Make | undefined {
  return BY_KEYS.get(keys.join(','));
}
