/** Machine-readable cause of a fatal pipeline problem; the CLI maps each to an exit code. */
export type PipelineErrorCode = 'E_USAGE' | 'E_PARSE' | 'E_SOURCE' | 'E_SINK';

/** A fatal problem that travels on the error channel, with a `code` and, where there is one, a `cause`. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Shortens user data for messages: `{"type":"sam…` rather than a megabyte line. */
export function excerpt(text: string, maxChars = 40): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`;
}
