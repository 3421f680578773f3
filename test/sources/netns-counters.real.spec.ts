/**
 * Network bytes from network namespaces, against the real kernel (root): a process alone in its own namespace moves
 * a known number of bytes over that namespace's loopback, and its unit reports exactly what the namespace counted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../src/events.js';
import { parseNetDev } from '../../src/formats/parse-net-dev.js';
import { MetricsState } from '../../src/sinks/unit-metrics.js';
import { prometheusRegistry } from '../../src/sinks/prometheus-registry.js';
import { linuxSampler } from '../../src/sources/linux-sampler.js';
import { killAll, startNode, waitFor } from '../helpers/children.js';
import { canMakeTestHosts } from '../helpers/netns.js';

const able = canMakeTestHosts();
if (!able) console.warn('netns-counters.real.spec: skipped: needs root and iproute2 (ip netns)');

const PAYLOAD_BYTES = 5_000_000;
// Sends PAYLOAD_BYTES from a client to a server over 127.0.0.1 inside the namespace, then idles: the loopback
// counters then stay put while the test reads them.
const MOVER = `
const net = require('node:net');
const server = net.createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; if (n >= ${PAYLOAD_BYTES}) { s.end(); } }); });
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.end(Buffer.alloc(${PAYLOAD_BYTES}, 1)));
  c.on('close', () => { server.close(); setTimeout(() => process.stdout.write('ready'), 200); setInterval(() => {}, 1e6); });
});`;

const namespaces: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }
  await killAll();
  for (const ns of namespaces) { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ } }
});

function inNamespace(script: string): { ns: string; child: ChildProcess } {
  const ns = `psnet-${process.pid}-${namespaces.length}`;
  execFileSync('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return { ns, child };
}

/** The pid of the node process `ip netns exec` became (it execs, so it is the same pid). */
const pidOf = (child: ChildProcess) => child.pid!;
const loopbackBytes = (ns: string) => parseNetDev(execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/dev'], { encoding: 'utf8' }))!;

describe.skipIf(!able)('network bytes of units that own a network namespace', () => {
  it('reports a namespace\'s exact bytes for the one unit in it, and null for a unit on the host', async () => {
    const { ns, child } = inNamespace(MOVER);
    await waitFor(child, 'ready');
    const host = await startNode('process.stdout.write("ready"); setInterval(() => {}, 1e6);', true);
    const sampler = linuxSampler();
    const events = sampler.sample([{ unit: 'mover', pid: pidOf(child) }, { unit: 'local', pid: host.pid! }]);
    const kernel = loopbackBytes(ns);
    sampler.close();
    const mover = events.find((e): e is SampleEvent => e.type === 'sample' && e.unit === 'mover')!;
    const local = events.find((e): e is SampleEvent => e.type === 'sample' && e.unit === 'local')!;
    expect(kernel.rxBytes).toBeGreaterThan(PAYLOAD_BYTES); // payload plus TCP/IP headers, both ways over lo
    expect(mover).toMatchObject({ netRxBytes: kernel.rxBytes, netTxBytes: kernel.txBytes, netScope: 'netns' });
    expect(mover.missing.net).toBeUndefined();
    expect(local).toMatchObject({ netRxBytes: null, netTxBytes: null, netScope: null });
    expect(local.missing.net).toBeDefined();

    const state = new MetricsState();
    for (const e of events) state.apply(e);
    const text = await prometheusRegistry(state, 'prometheus').registry.metrics();
    expect(text).toContain(`procstream_unit_network_receive_bytes_total{unit="mover"} ${kernel.rxBytes}`);
    expect(text).toContain(`procstream_unit_network_transmit_bytes_total{unit="mover"} ${kernel.txBytes}`);
    expect(text).not.toMatch(/procstream_unit_network_\w+\{unit="local"\}/); // not measured: no series at all
  }, 30_000);

  it('gives no bytes to units that share one namespace, and says why', async () => {
    const { ns } = inNamespace('process.stdout.write("ready"); setInterval(() => {}, 1e6);');
    const a = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', 'process.stdout.write("ready"); setInterval(() => {}, 1e6);'],
      { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const b = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', 'process.stdout.write("ready"); setInterval(() => {}, 1e6);'],
      { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(a, b);
    await Promise.all([waitFor(a, 'ready'), waitFor(b, 'ready')]);
    const sampler = linuxSampler();
    const samples = sampler.sample([{ unit: 'a', pid: a.pid! }, { unit: 'b', pid: b.pid! }]).filter((e): e is SampleEvent => e.type === 'sample');
    sampler.close();
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(s).toMatchObject({ netRxBytes: null, netScope: null });
      expect(s.missing.net).toMatch(/shared by 2 units/);
    }
  }, 30_000);
});
