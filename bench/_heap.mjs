// Heap measurement shared by the store memory benchmarks. Needs node --expose-gc.
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

/** Full GCs until ArrayBuffer backing stores are freed too: a sweeper frees them after a GC, not inside it. */
export async function settle() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Heap plus ArrayBuffer bytes in use, what a store's memory is measured in. */
export const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
