// Fixture of bench/soak.mjs (the `_` keeps bench/run.mjs from running it): keeps `units` × `copies` sleep processes
// starting and dying. Unit i is `copies` copies of a symlink `<binDir>/<prefix>-<i>` → sleep, so their comm is the
// symlink's name and a `comm` target groups them. All copies of one generation sleep the same random 5–25 s; when
// the last one (the shell exec'd into it) has exited, half the time the next generation starts at once (a restart),
// otherwise after a pause of 0.2–1.5 s (the unit is down meanwhile). Spawned detached by soak.mjs, so this process leads a process group that
// holds every copy: soak.mjs ends it all with one kill(-pgid). When stdin closes (soak.mjs died), it ends its group.
// Usage: node _soak-fixture.mjs <binDir> <prefix> <units> <copies>. Prints one JSON line of counts per second.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const [binDir, prefix, unitCount, copyCount] = process.argv.slice(2);
const units = Number(unitCount);
const copies = Number(copyCount);
const LIFETIME_S = [5, 25];
const PAUSE_MS = [200, 1500];
const between = ([lo, hi]) => lo + Math.random() * (hi - lo);
const counts = { alive: 0, started: 0, exited: 0, spawnErrors: 0, generations: 0 };
let stopping = false;
const SCRIPT = 'i=0; while [ "$i" -lt "$2" ]; do "$0" "$1" & i=$((i + 1)); done; exec "$0" "$1"';

function generation(unit) {
  if (stopping) return;
  counts.generations += 1;
  const seconds = between(LIFETIME_S).toFixed(2);
  // One spawn per generation, not per copy: a Node spawn costs milliseconds (fork of this process), a shell's
  // fork of sleep far less. The shell backgrounds copies − 1 and execs the last, so no shell stays behind; the
  // copies are passed as arguments, never pasted into the script.
  const copy = join(binDir, `${prefix}-${unit}`);
  const child = spawn('/bin/sh', ['-c', SCRIPT, copy, seconds, String(copies - 1)], { stdio: 'ignore' });
  counts.alive += copies;
  counts.started += copies;
  let done = false;
  const end = (error) => {
    if (done) return;
    done = true;
    if (error) counts.spawnErrors += 1; else counts.exited += copies;
    counts.alive -= copies;
    if (Math.random() < 0.5) generation(unit);
    else setTimeout(() => generation(unit), between(PAUSE_MS));
  };
  child.once('exit', () => end());
  child.once('error', (error) => end(error));
}

// Start the units over the first second rather than 2,000 spawns in one burst.
for (let u = 0; u < units; u++) setTimeout(() => generation(u), (1000 * u) / units);
const report = setInterval(() => process.stdout.write(`${JSON.stringify(counts)}\n`), 1000);

const stop = () => {
  stopping = true;
  clearInterval(report);
  try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); } // our group: every copy, and us
};
process.stdin.resume();
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
