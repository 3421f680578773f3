/**
 * How deep parsed JSON nests, measured without recursion. JSON.parse itself takes any depth, but every recursive
 * walk after it (JSON.stringify on output, structural checks, a store's codec) overflows the stack somewhere past a
 * few thousand levels: a 10 KB line can crash the process. Readers refuse such lines up front.
 */

/** Deepest nesting of objects and arrays a reader accepts in one line (our own events nest 3 deep). */
export const MAX_JSON_DEPTH = 64;

/** True when `value` holds objects or arrays nested more than `limit` levels deep (the value itself is level 1). */
export function nestsDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
