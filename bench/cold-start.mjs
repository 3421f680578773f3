// Cold start of `procstream --version` against a bare `node -e 0`, alternating in the same run so a busy machine's
// noise falls on both. Headline: CPU time (user + system) of the whole child process, which the load of the other
// processes on this shared machine does not inflate as it does wall time; wall time is shown too. Target (issue 17):
// median CPU at most 1.2× node's. Then `npm start -- -V` against `node dist/cli/bin.js -V` (issue 15): `npm start` must
// not recompile an unchanged build, so what it adds should be npm's own start-up, which `npm --version` shows.
// Usage: [BASELINE=other/dist/cli/bin.js] node bench/cold-start.mjs [RUNS=20] [NPM_RUNS=7]; BASELINE, e.g. the
// previous build, joins the alternation.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist', 'cli', 'bin.js');
const runs = Number(process.argv[2] ?? 20);
const npmRuns = Number(process.argv[3] ?? 7);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Wall and CPU ms of one run; bash's `time` reports the child's user and system time (wait4), to the ms. */
const time = (command, args) => {
  const start = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$@" >/dev/null 2>&1', 'bash', command, ...args], { cwd: root, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const [user, system] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (r.status !== 0 || !(user >= 0)) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: (user + system) * 1000 };
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
const stats = (runs) => Object.fromEntries(['cpuMs', 'wallMs'].map((k) => {
  const xs = runs.map((r) => r[k]);
  return [k, { median: +median(xs).toFixed(1), best: +best(xs).toFixed(1) }];
}));
const ratio = (a, b, k) => +(median(a.map((r) => r[k])) / median(b.map((r) => r[k]))).toFixed(2);

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
time(process.execPath, [bin, '--version']); // warm the page cache once, as a user's second run would be
const baseline = process.env.BASELINE;
const [bare, ours, base] = alternate(runs, [[process.execPath, ['-e', '0']], [process.execPath, [bin, '--version']],
  ...(baseline ? [[process.execPath, [baseline, '--version']]] : [])]);
const [direct, viaNpm, npmAlone] = alternate(npmRuns, [
  [process.execPath, [bin, '-V']],
  [npm, ['start', '--silent', '--', '-V']],
  [npm, ['--version']],
]);
console.log(JSON.stringify({
  node: process.version, load: `${loadBefore} → ${load()}`, runs,
  nodeBare: stats(bare),
  procstreamVersion: stats(ours),
  ratioMedianCpu: ratio(ours, bare, 'cpuMs'),
  ratioMedianWall: ratio(ours, bare, 'wallMs'),
  ...(base ? { baselineVersion: stats(base), baselineRatioMedianCpu: ratio(base, bare, 'cpuMs') } : {}),
  npmRuns,
  binV: stats(direct),
  npmStartV: stats(viaNpm),
  npmVersion: stats(npmAlone),
}));
