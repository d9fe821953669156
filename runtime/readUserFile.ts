// Reads a data file the user named (.npy inputs, safetensors weights) through the shared bounded
// reader: a missing, non-regular or too large file is their error (a CnncUserError naming the path),
// not ours.
import { CnncUserError } from "../src/errors.js";
import { hostArrayLimit } from "../src/hostLimits.js";
import { formatBytes } from "../src/ir/format.js";
import { type FileKind, readRegularFile } from "../src/regularFiles.js";

/** A data file is read into one byte array, so it is bounded by the largest one this process can hold. */
export function dataFileKind(noun: string): FileKind {
  const limit = hostArrayLimit("byte");
  return {
    noun,
    maxBytes: limit.elements,
    tooLargeHint: `${formatBytes(limit.elements)} is the limit of ${limit.reason}: split the data (e.g. a smaller batch per file)`,
  };
}

export function readUserFile(path: string, kind: FileKind): Uint8Array {
  const read = readRegularFile(path, kind);
  if ("problem" in read) throw new CnncUserError(read.problem.message, { hint: read.problem.hint });
  return read.bytes;
}
