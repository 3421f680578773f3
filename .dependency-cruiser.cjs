/**
 * The layers of src/ and the direction of their imports (docs/architecture.md). test/architecture.spec.ts runs
 * dependency-cruiser with these rules in `npm test`; `npx depcruise src` shows the same report by hand.
 */
const LIB = '^src/(events|errors)\\.ts$';
/** Node modules that do I/O: no pure layer may import them. */
const IO_MODULES = '^(fs|node:fs|fs/promises|node:fs/promises|net|node:net|http|node:http|child_process|node:child_process)$';
module.exports = {
  forbidden: [
    {
      name: 'formats-are-pure',
      comment: 'formats/ are codecs: bytes or text in, values out. They import only each other, the event/error leaves, ' +
        'and the pure parser packages systemg\'s files need (fast-xml-parser for its XML state, yaml for its config), ' +
        'loaded on first use through node:module\'s createRequire so that commands which never read them do not pay for them.',
      severity: 'error',
      from: { path: '^src/formats/' },
      to: {
        pathNot: ['^src/formats/', LIB, '^node:path$', 'path', '^node:module$', 'module', '^node_modules/(fast-xml-parser|yaml)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'formats-no-io-modules',
      severity: 'error',
      from: { path: '^src/formats/' },
      to: { path: IO_MODULES },
    },
    {
      name: 'store-is-a-data-structure',
      comment: 'store/ is the pure data structure under the store operators: no sources, sinks, streams or CLI.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: ['^src/(sources|sinks|streams|cli|watch-units)', IO_MODULES] },
    },
    {
      name: 'streams-are-operators',
      comment: 'streams/ holds OperatorFunctions only: no I/O, no sources, no sinks.',
      severity: 'error',
      from: { path: '^src/streams/' },
      to: { path: ['^src/(sources|sinks|cli)/', IO_MODULES] },
    },
    {
      name: 'sources-do-not-write',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: '^src/(sinks|cli)/' },
    },
    {
      name: 'sinks-do-not-read',
      severity: 'error',
      from: { path: '^src/sinks/' },
      to: { path: '^src/(sources|cli)/' },
    },
    {
      name: 'library-never-imports-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-through-index',
      comment:
        'The CLI uses the library through src/index.ts. The leaves it may import directly (events, errors, pure ' +
        'formats) load nothing heavy, which keeps `procstream --version` as fast as `node -e 0`.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: ['^src/cli/', '^src/index\\.ts$', LIB, '^src/formats/'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
