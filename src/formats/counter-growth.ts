/**
 * A cumulative total advanced by the growth of a raw counter since `before`. A counter that went back (a new process,
 * a cgroup created anew) adds 0 rather than a negative step, so the total never decreases.
 */
export const grow = (total: number, cur: number, before: number | null | undefined): number => total + Math.max(0, cur - (before ?? cur));
