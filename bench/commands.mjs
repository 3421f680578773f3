// What users run, measured as whole processes: `procstream replay DIR > /dev/null` and `procstream summarize FILE`
// against `jq -c .` and a readline + JSON.parse Node loop on the same files, on three line shapes (watch lines as printed
// before issue 17 and as printed now, spill lines; issue 17), and replay of a gzipped segment. Then the
// library reader's MB/s at each chunk size it uses, and the `ndjson` package against it on foreign lines.
// Run: npm run build && node bench/commands.mjs [MB per file] [rounds]   (default 20 MB, 3 rounds)
// Each command of ours also runs on a one-line copy of its input: its start-up CPU, and the MB/s past it.
// CPU time is user + sys of the child and everything it waited for (bash, node with its V8 threads, jq), read from
// this process's cutime/cstime in /proc/self/stat: the machine is shared, so wall time is noise.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import ndjson from 'ndjson';
import { count, lastValueFrom } from 'rxjs';
import { readNdjson, segmentName } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../dist/cli/bin.js');
const targetBytes = Number(process.argv[2] ?? 20) * 1e6;
const ROUNDS = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'procstream-bench-commands-'));
const mb = (bytes) => bytes / 1e6;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const TS = 1_795_165_200_000;

/** Lines as `watch` printed them before issue 17: the /proc sampler's 19 keys, CPU figures with 16–17 digits. */
function watchLine(i) {
  const unit = `unit-${i % 300}`;
  const cpu = Math.random() * 150;
  return JSON.stringify({ type: 'sample', v: 1, unit, ts: TS + Math.floor(i / 300) * 100, pid: 4000 + (i % 300),
    startTimeMs: 1_795_160_000_000, cpuPercent: cpu, cpuUserSeconds: i * 0.013 + Math.random() / 3, cpuSystemSeconds: i * 0.004 + Math.random() / 7,
    rssBytes: 100_000_000 + (i % 1000) * 4096, ioReadBytes: i * 4096, ioWriteBytes: i * 8192, netRxBytes: null, netTxBytes: null,
    netScope: null, hostCpuPercent: cpu / 2, processes: 1, threads: 9, missing: { net: 'no per-process network counters on Linux' } });
}
/** The same lines as `watch` prints them now: CPU percent to 0.001 and seconds to the µs (docs/events.md, *Resolution*). */
function roundedWatchLine(i) {
  const e = JSON.parse(watchLine(i));
  for (const k of ['cpuPercent', 'hostCpuPercent']) e[k] = Math.round(e[k] * 1000) / 1000;
  for (const k of ['cpuUserSeconds', 'cpuSystemSeconds']) e[k] = Math.round(e[k] * 1e6) / 1e6;
  return JSON.stringify(e);
}
/** Lines as the spill log writes them: evictions carrying the sample as the store keeps it (values at its resolution). */
function spillLine(i) {
  const unit = `unit-${i % 300}`;
  const ts = TS + Math.floor(i / 300) * 100;
  return JSON.stringify({ type: 'evicted', v: 1, unit, ts: ts + 600_000, reason: 'retention', event: { type: 'sample', v: 1, unit, ts,
    pid: 4000 + (i % 300), startTimeMs: 1_795_160_000_000, cpuPercent: Math.round(Math.random() * 150_000) / 1000,
    cpuUserSeconds: Math.round(i * 13_000 + Math.random() * 1e6) / 1e6, cpuSystemSeconds: Math.round(i * 4000) / 1e6,
    rssBytes: 100_000_000 + (i % 1000) * 4096, ioReadBytes: i * 4096, ioWriteBytes: i * 8192, missing: { net: 'no per-process counters on Linux' } } });
}
/** systemg's spill lines: foreign JSON for the generic path. */
function systemgLine(i) {
  return JSON.stringify({ unit_hash: `a1b2c3d4e5f6${String(i % 300).padStart(4, '0')}`, sample: { timestamp: new Date(TS + i * 10).toISOString(),
    cpu_percent: Math.round(Math.random() * 1e6) / 1e4, rss_bytes: 59_252_749 + i, io_read_bytes: i, io_write_bytes: 0, net_rx_bytes: 0, net_tx_bytes: 0 } });
}

/** A spill directory holding one segment of `make`'s lines, about targetBytes. */
function generate(name, make) {
  const into = join(dir, name.replace(/[^a-z]+/g, '-'));
  mkdirSync(into);
  const file = join(into, segmentName(1, TS));
  const parts = [];
  let bytes = 0;
  let lines = 0;
  while (bytes < targetBytes) { const l = `${make(lines++)}\n`; parts.push(l); bytes += l.length; }
  writeFileSync(file, parts.join(''));
  // The same commands on a one-line copy measure the fixed start-up cost (module loading), apart from the per-byte work.
  const one = `${into}-one`;
  mkdirSync(one);
  writeFileSync(join(one, segmentName(1, TS)), parts[0]);
  return { name, dir: into, file, bytes: statSync(file).size, lines, one: { dir: one, file: join(one, segmentName(1, TS)) } };
}

/** The readline + JSON.parse loop: `echo` writes JSON.stringify of each line (replay's work), else only parses. */
const loop = join(dir, 'loop.mjs');
writeFileSync(loop, `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
const echo = process.argv[3] === 'echo';
let out = '';
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  if (line === '') continue;
  const value = JSON.parse(line);
  if (echo) { out += JSON.stringify(value) + '\\n'; if (out.length >= 65536) { process.stdout.write(out); out = ''; } }
}
process.stdout.write(out);
`);

const childTicks = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return Number(f[13]) + Number(f[14]); // cutime + cstime, in clock ticks of 1/100 s
};
/** CPU seconds of one shell command line, output to /dev/null; throws when it fails. */
function run(line) {
  const before = childTicks();
  const r = spawnSync('bash', ['-c', `${line} > /dev/null`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${line}: exit ${r.status}: ${r.stderr}`);
  return (childTicks() - before) / 100;
}

const node = JSON.stringify(process.execPath);
const cli = `${node} ${JSON.stringify(bin)}`;
const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' }).status === 0;
const baseline = process.env.BASELINE_BIN;
const isOurs = (what) => what.startsWith('`procstream') || what.includes('baseline');
const commands = (f) => [
  ['`procstream replay DIR`', `${cli} replay ${f.dir}`],
  ['`procstream summarize FILE`', `${cli} summarize ${f.file}`],
  ['readline + JSON.parse + JSON.stringify (replay\'s peer)', `${node} ${loop} ${f.file} echo`],
  ['readline + JSON.parse (summarize\'s peer)', `${node} ${loop} ${f.file}`],
  ...(jq ? [['`jq -c .`', `jq -c . ${f.file}`]] : []),
  // BASELINE_BIN=/path/to/an/older/dist/cli/bin.js adds that build's commands to the same rounds (before/after)
  ...(baseline ? [['`replay DIR`, baseline build', `${node} ${JSON.stringify(baseline)} replay ${f.dir}`],
    ['`summarize FILE`, baseline build', `${node} ${JSON.stringify(baseline)} summarize ${f.file}`]] : []),
];

// BASELINE_LIB=/path/to/an/older/dist/index.js adds that build's readNdjson to the reader table
const baselineLib = process.env.BASELINE_LIB ? await import(process.env.BASELINE_LIB) : undefined;

/** The library reader in this process: events read per CPU second at a chunk size. */
async function readerCpu(file, chunk, options = {}, read = readNdjson) {
  const c0 = process.cpuUsage();
  const n = await lastValueFrom(read(createReadStream(file, { highWaterMark: chunk }), options).pipe(count()));
  const c = process.cpuUsage(c0);
  return { n, cpu: (c.user + c.system) / 1e6 };
}
/** The `ndjson` package (split2 + JSON.parse in a Transform) on the same file. */
function ndjsonCpu(file, chunk) {
  return new Promise((resolve, reject) => {
    const c0 = process.cpuUsage();
    let n = 0;
    createReadStream(file, { highWaterMark: chunk }).pipe(ndjson.parse()).on('data', () => n++).on('error', reject).on('end', () => {
      const c = process.cpuUsage(c0);
      resolve({ n, cpu: (c.user + c.system) / 1e6 });
    });
  });
}

try {
  const shapes = [generate('watch lines', watchLine), generate('watch lines, rounded', roundedWatchLine), generate('spill lines', spillLine)];
  // The spill lines again as one compressed segment, as the spill log writes them now: replay's gunzip path.
  const gz = { dir: join(dir, 'spill-gz'), name: 'spill lines, gzipped' };
  mkdirSync(gz.dir);
  gz.file = join(gz.dir, segmentName(1, TS, { compressed: true }));
  const spill = shapes[2];
  writeFileSync(gz.file, gzipSync(readFileSync(spill.file)));
  const gzCommands = [['`procstream replay DIR`', `${cli} replay ${gz.dir}`], ['`gzip -dc` (decompression alone)', `gzip -dc ${gz.file}`],
    ...(baseline ? [['`replay DIR`, baseline build', `${node} ${JSON.stringify(baseline)} replay ${gz.dir}`]] : [])];
  const systemg = generate('systemg lines', systemgLine);
  const loads = [load()];
  const cpuOf = new Map();
  const note = (key, cpu) => cpuOf.set(key, [...(cpuOf.get(key) ?? []), cpu]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of shapes) for (const [what, line] of commands(f)) note(`${f.name}|${what}`, run(line));
    for (const f of shapes) for (const [what, line] of commands(f.one).filter(([w]) => isOurs(w))) note(`${f.name}|one|${what}`, run(line));
    for (const [what, line] of gzCommands) note(`gz|${what}`, run(line));
    loads.push(load());
  }
  console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; ${ROUNDS} interleaved rounds, median CPU; ` +
    `load average (1, 5, 15 min) before and after each round: ${loads.join(' | ')}\n`);
  console.log('Whole processes, CPU time (user + sys, children included), output to /dev/null:\n');
  console.log('| lines | command | MB | CPU s | MB/s by CPU | × readline loop | × jq | start-up CPU s | MB/s past start-up |\n' +
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const f of shapes) {
    const cpu = (what) => median(cpuOf.get(`${f.name}|${what}`) ?? [NaN]);
    const peerOf = (what) => (what.includes('replay') ? commands(f)[2][0] : commands(f)[3][0]);
    for (const [what] of commands(f)) {
      const c = cpu(what);
      const ours = isOurs(what);
      const vsLoop = ours ? (cpu(peerOf(what)) / c).toFixed(2) : '';
      const vsJq = ours && jq ? (cpu('`jq -c .`') / c).toFixed(2) : '';
      const start = ours ? cpu(`one|${what}`) : NaN;
      const past = ours ? `${start.toFixed(2)} | ${mb(f.bytes / (c - start)).toFixed(1)}` : ' | ';
      console.log(`| ${f.name} | ${what} | ${mb(f.bytes).toFixed(1)} | ${c.toFixed(2)} | ${mb(f.bytes / c).toFixed(1)} | ${vsLoop} | ${vsJq} | ${past} |`);
    }
  }

  console.log(`\n${gz.name} (${mb(statSync(gz.file).size).toFixed(1)} MB on disk, ${mb(spill.bytes).toFixed(1)} MB of text), MB/s of text by CPU:\n`);
  console.log('| command | CPU s | MB/s by CPU |\n| --- | ---: | ---: |');
  for (const [what] of gzCommands) {
    const c = median(cpuOf.get(`gz|${what}`));
    console.log(`| ${what} | ${c.toFixed(2)} | ${mb(spill.bytes / c).toFixed(1)} |`);
  }

  const chunks = [64 * 1024, 256 * 1024, 1024 * 1024];
  // One unmeasured pass first, so that no cell pays for compiling the reader (JIT) and the cells compare steady states.
  for (const f of [...shapes, systemg]) {
    await readerCpu(f.file, 256 * 1024, f === systemg ? { decode: (v) => v } : {});
    if (baselineLib && f !== systemg) await readerCpu(f.file, 256 * 1024, {}, baselineLib.readNdjson);
    if (f === systemg) await ndjsonCpu(f.file, 256 * 1024);
  }
  const lib = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of [...shapes, systemg]) for (const chunk of chunks) {
      const decode = f === systemg ? { decode: (v) => v } : {};
      const r = await readerCpu(f.file, chunk, decode);
      if (r.n !== f.lines) throw new Error(`${f.name}: read ${r.n} of ${f.lines}`);
      lib.set(`${f.name}|${chunk}|readNdjson`, [...(lib.get(`${f.name}|${chunk}|readNdjson`) ?? []), r.cpu]);
      if (baselineLib && f !== systemg) {
        const o = await readerCpu(f.file, chunk, {}, baselineLib.readNdjson);
        if (o.n !== f.lines) throw new Error(`baseline ${f.name}: read ${o.n} of ${f.lines}`);
        lib.set(`${f.name}|${chunk}|baseline`, [...(lib.get(`${f.name}|${chunk}|baseline`) ?? []), o.cpu]);
      }
      if (f === systemg) {
        const p = await ndjsonCpu(f.file, chunk);
        if (p.n !== f.lines) throw new Error(`ndjson: read ${p.n} of ${f.lines}`);
        lib.set(`${f.name}|${chunk}|ndjson`, [...(lib.get(`${f.name}|${chunk}|ndjson`) ?? []), p.cpu]);
      }
    }
  }
  console.log('\nThe library reader in-process (`readNdjson` over `createReadStream({ highWaterMark })`, events counted), MB/s by CPU:\n');
  console.log(`| lines | ${chunks.map((c) => `${c / 1024} KiB`).join(' | ')} |\n| --- | ${chunks.map(() => '---:').join(' | ')} |`);
  for (const f of shapes) for (const who of ['readNdjson', ...(baselineLib ? ['baseline'] : [])]) {
    const label = who === 'baseline' ? `${f.name}, baseline build` : f.name;
    console.log(`| ${label} | ${chunks.map((c) => mb(f.bytes / median(lib.get(`${f.name}|${c}|${who}`))).toFixed(1)).join(' | ')} |`);
  }
  console.log('\nForeign lines (systemg\'s, `decode: (v) => v`): readNdjson against the `ndjson` package\'s `parse()`, MB/s by CPU:\n');
  console.log(`| reader | ${chunks.map((c) => `${c / 1024} KiB`).join(' | ')} |\n| --- | ${chunks.map(() => '---:').join(' | ')} |`);
  for (const who of ['readNdjson', 'ndjson']) {
    console.log(`| ${who} | ${chunks.map((c) => mb(systemg.bytes / median(lib.get(`${systemg.name}|${c}|${who}`))).toFixed(1)).join(' | ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
