// `npm start -- ARGS`: runs the built CLI in this process, compiling first only when a source is newer than dist/
// (`prepare` builds at install), so `npm start -- -V` costs no tsc run.
import { build, isBuilt } from './build.mjs';

if (!isBuilt() && build() !== 0) process.exit(1);
// bin.js reads process.argv.slice(2), which here is the arguments after `npm start --`, as for the installed binary.
await import(new URL('../dist/cli/bin.js', import.meta.url).href);
