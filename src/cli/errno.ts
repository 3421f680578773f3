/** Node's fs errors in words: `ENOENT: no such file or directory, open 'x'` → `no such file or directory (ENOENT)`. */
export function describeErrno(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  const text = new RegExp(`^${code}: ([^,]+)`).exec(message)?.[1];
  return text === undefined ? undefined : `${text} (${code})`;
}
