// A line-oriented view of the CLI's io, for commands that print whole lines (run, doctor).
import { escapeUnsafe } from "../../grammar/displayText.js";
import type { CliIo } from "./io.js";

export interface LineOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Lines quote user text (paths, names from a weights file): control characters go out escaped. */
export function linesTo(io: CliIo): LineOutput {
  const safe = (line: string) => escapeUnsafe(line, { keepNewlines: true });
  return { out: (line) => io.stdout(`${safe(line)}\n`), err: (line) => io.stderr(`${safe(line)}\n`) };
}
