// A line-oriented view of the CLI's io, for commands that print whole lines (run, doctor).
import type { CliIo } from "./io.js";

export interface LineOutput {
  out(line: string): void;
  err(line: string): void;
}

export function linesTo(io: CliIo): LineOutput {
  return { out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`) };
}
