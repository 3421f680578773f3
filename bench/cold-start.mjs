// Cold start of `procstream --version` against a bare `node -e 0`, alternating in the same run so a busy machine's
// noise falls on both: the median and the fastest of each, and their ratios. Target (issue 17): median at most 1.2×.
// Then `npm start -- -V` against `node dist/cli/bin.js -V` (issue 15): `npm start` must not recompile an unchanged
// build, so what it adds should be npm's own start-up, which `npm --version` shows alongside.
// Usage: node bench/cold-start.mjs [RUNS=20] [NPM_RUNS=7]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist', 'cli', 'bin.js');
const runs = Number(process.argv[2] ?? 20);
const npmRuns = Number(process.argv[3] ?? 7);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const time = (command, args) => {
  const start = process.hrtime.bigint();
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'ignore' });
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
/** Runs each [command, args] in turn, `n` rounds, and returns each one's times. */
const alternate = (n, commands) => {
  const times = commands.map(() => []);
  for (let i = 0; i < n; i++) commands.forEach(([command, args], j) => times[j].push(time(command, args)));
  return times;
};
const best = (xs) => Math.min(...xs);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (xs) => ({ best: +best(xs).toFixed(1), median: +median(xs).toFixed(1) });

const load = loadavg().map((l) => l.toFixed(2)).join(' ');
time(process.execPath, [bin, '--version']); // warm the page cache once, as a user's second run would be
const [bare, ours] = alternate(runs, [[process.execPath, ['-e', '0']], [process.execPath, [bin, '--version']]]);
const [direct, viaNpm, npmAlone] = alternate(npmRuns, [
  [process.execPath, [bin, '-V']],
  [npm, ['start', '--silent', '--', '-V']],
  [npm, ['--version']],
]);
console.log(JSON.stringify({
  node: process.version, load, runs,
  nodeBareMs: ms(bare),
  procstreamVersionMs: ms(ours),
  ratioMedian: +(median(ours) / median(bare)).toFixed(2),
  ratioBest: +(best(ours) / best(bare)).toFixed(2),
  npmRuns,
  binVMs: ms(direct),
  npmStartVMs: ms(viaNpm),
  npmVersionMs: ms(npmAlone),
  npmStartOverBinMedianMs: +(median(viaNpm) - median(direct)).toFixed(1),
}));
