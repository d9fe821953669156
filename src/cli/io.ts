// Where CLI commands write, and how they report their exit status. Only the CLI prints; tests pass their
// own CliIo to capture output and run commands in-process.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export interface CliContext {
  io: CliIo;
  /** Records the command's exit status (0 ok, 1 user error); the highest one set wins. */
  setExitCode(code: number): void;
}
