// The names and version of the files `cnnc build` writes (docs/plan-format.md describes them).
import { createHash } from "node:crypto";

import type { FileKind } from "../regularFiles.js";

export const PLAN_FORMAT = "cnnc-plan";
/** Bumped whenever a field is added, removed or changes meaning: a plan of another version is rebuilt, never guessed at. */
export const PLAN_FORMAT_VERSION = 2;

export const PLAN_FILE = "plan.json";
export const README_FILE = "README.txt";
export const KERNELS_DIRECTORY = "kernels";

/** A program key usable as a file name: no separators, no leading dot, nothing a shell must quote. */
export const PROGRAM_KEY_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$/;

/** `kernels/<key>.wgsl`, relative to the build directory. */
export function kernelFileOf(key: string): string {
  return `${KERNELS_DIRECTORY}/${key}.wgsl`;
}

/** The lowercase hex sha256 of a kernel file: its WGSL text as UTF-8, or the bytes read back. */
export function wgslSha256(wgsl: string | Uint8Array): string {
  return createHash("sha256").update(wgsl).digest("hex");
}

/** How to fix a plan directory that cnnc cannot use. */
export const REBUILD_HINT = "rebuild it with `cnnc build MODEL.cnn -o DIR` (a built plan is not meant to be edited)";

/** No plan cnnc writes comes near this size: a larger file is not one of its plans. */
export const PLAN_FILE_KIND: FileKind = { noun: "plan file", maxBytes: 256 * 1024 * 1024, tooLargeHint: `this is not a plan cnnc wrote: ${REBUILD_HINT}` };
