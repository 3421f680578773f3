// Helpers shared by the benchmarks that run procstream as a separate process (the `_` keeps run.mjs from running it).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HZ = 100;

/** utime + stime of `pid` (all threads) from /proc/<pid>/stat, seconds. */
export const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / HZ;
};

/** A free TCP port on 127.0.0.1 (free when asked). */
export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
