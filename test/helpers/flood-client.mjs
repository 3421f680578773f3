// A connection flood against 127.0.0.1:PORT, run in its own process (with its own raised fd limit):
// node flood-client.mjs PORT COUNT HOLD_MS. Opens COUNT idle TCP connections (1,000 in flight at a time) that never
// send a byte, plus one slowloris client that sends a request head one byte every 300 ms and never finishes it; keeps
// whatever stays open for HOLD_MS after the last attempt, then prints one JSON line of counts and exits.
import { connect } from 'node:net';

const [port, count, holdMs] = process.argv.slice(2).map(Number);
const stats = { attempted: 0, connected: 0, closedByServer: 0, errors: {}, openAtEnd: 0, slowloris: { bytesSent: 0, closedByServer: false } };
const open = new Set();
let ending = false;

const slow = connect(port, '127.0.0.1');
const head = 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000);
let sent = 0;
const drip = setInterval(() => { if (!slow.destroyed) { slow.write(head[sent % head.length]); sent += 1; stats.slowloris.bytesSent = sent; } }, 300);
slow.on('close', () => { if (!ending) stats.slowloris.closedByServer = true; clearInterval(drip); });
slow.on('error', () => undefined);

function one() {
  return new Promise((resolve) => {
    stats.attempted += 1;
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => { stats.connected += 1; open.add(s); resolve(); });
    s.on('error', (e) => { stats.errors[e.code] = (stats.errors[e.code] ?? 0) + 1; resolve(); });
    s.on('close', () => { if (!ending && open.has(s)) stats.closedByServer += 1; open.delete(s); resolve(); });
  });
}

let next = 0;
async function lane() { while (next < count) { next += 1; await one(); } }
await Promise.all(Array.from({ length: 1000 }, lane));
await new Promise((r) => setTimeout(r, holdMs));
stats.openAtEnd = open.size;
ending = true;
for (const s of open) s.destroy();
slow.destroy();
clearInterval(drip);
console.log(JSON.stringify(stats));
