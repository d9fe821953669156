// Where CLI commands write, and how they report their exit status. Only the CLI prints; tests pass their
// own CliIo to capture output and run commands in-process.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Shows a transient status line (`compiling kernels 37/93 layer3.1.conv2`), replacing the previous
   * one; undefined clears it. Absent where stderr is not a terminal: piped output gets no progress.
   */
  status?(line: string | undefined): void;
}

let statusShown = false;

/**
 * What rewrites one terminal line in place: carriage return, erase the line, then `text` cut to the
 * terminal's width (`columns` is 0 or undefined where the size is unknown: 80 is assumed).
 */
export function rewriteLine(text: string, columns: number | undefined): string {
  const width = Math.max(20, (columns || 80) - 1);
  return `\r\x1b[2K${text.slice(0, width)}`;
}

function terminalStatus(line: string | undefined): void {
  if (line === undefined && !statusShown) return;
  process.stderr.write(rewriteLine(line ?? "", process.stderr.columns));
  statusShown = line !== undefined;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  ...(process.stderr.isTTY === true ? { status: terminalStatus } : {}),
};

export interface CliContext {
  io: CliIo;
  /** Records the command's exit status (0 ok, 1 user error); the highest one set wins. */
  setExitCode(code: number): void;
}
