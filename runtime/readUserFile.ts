// Reads a file the user named (weights, inputs): a missing or unreadable file is their error, not ours.
import { readFileSync } from "node:fs";

import { CnncUserError } from "../src/errors.js";

export function readUserFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CnncUserError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
