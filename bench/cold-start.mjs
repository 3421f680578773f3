// Cold start of `procstream --version` against a bare `node -e 0`, in the same run: the fastest of alternating runs
// (so a busy machine's noise stays out), and the ratio. Target: at most 1.5×.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'bin.js');
const runs = Number(process.argv[2] ?? 21);
const time = (args) => {
  const start = process.hrtime.bigint();
  const { status } = spawnSync(process.execPath, args);
  if (status !== 0) throw new Error(`node ${args.join(' ')} exited ${status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const bare = [];
const ours = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  ours.push(time([bin, '--version']));
}
const best = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify({
  runs,
  nodeBareMs: { best: +best(bare).toFixed(1), median: +median(bare).toFixed(1) },
  procstreamVersionMs: { best: +best(ours).toFixed(1), median: +median(ours).toFixed(1) },
  ratioBest: +(best(ours) / best(bare)).toFixed(2),
  ratioMedian: +(median(ours) / median(bare)).toFixed(2),
}));
