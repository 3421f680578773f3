/**
 * Whether to colour output written to `out`: only on a terminal, and never when `NO_COLOR` is set to a non-empty
 * value (https://no-color.org).
 */
export function colorEnabled(out: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return out.isTTY === true && (env.NO_COLOR ?? '') === '';
}
