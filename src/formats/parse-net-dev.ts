/**
 * `/proc/PID/net/dev`: the byte counters of every interface of the process's network namespace, summed. Two header
 * lines, then `  name: rx_bytes rx_packets … (8 receive fields) tx_bytes …`. Null when no interface line parses.
 * `only`, when given, keeps just those interface names.
 */
export function parseNetDev(text: string, only?: ReadonlySet<string>): { rxBytes: number; txBytes: number } | null {
  let rxBytes = 0;
  let txBytes = 0;
  let seen = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (only && !only.has(name)) continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (fields.length < 16) continue;
    const rx = Number(fields[0]);
    const tx = Number(fields[8]);
    if (!Number.isFinite(rx) || !Number.isFinite(tx)) continue;
    rxBytes += rx;
    txBytes += tx;
    seen += 1;
  }
  return seen === 0 ? null : { rxBytes, txBytes };
}
