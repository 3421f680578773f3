import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // Real processes and real disks: give slow CI machines room, but never hang forever.
    testTimeout: 60_000,
    // One test file at a time: several files measure real CPU (busy loops read 90–110 %, a real Prometheus rates
    // them), and on a 2-core machine two of them at once would take each other's core.
    fileParallelism: false,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
