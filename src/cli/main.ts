/** Standard streams and environment the CLI runs against; tests pass fakes, bin.ts passes `process`. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Entry point of the `procstream` command; resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  io.stderr.write(`procstream: the command line is being built; arguments: ${argv.join(' ')}\n`);
  return 0;
}
