// Writes a plan into a build directory: DIR/kernels/<key>.wgsl per program, DIR/README.txt, then
// DIR/plan.json last (each atomically), so a reader never finds a plan.json listing kernels not yet
// written. DIR is created if need be; an existing DIR must be empty or a previous build (its
// plan.json is a cnnc plan), so nothing of the user's is lost; in a previous build, kernel files the
// new plan does not list are removed.
import { lstatSync, mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";

import { writeFileAtomically } from "../../runtime/writeUserFile.js";
import type { Plan } from "../codegen/plan.js";
import { CnncUserError } from "../errors.js";
import { describeFsError, errorCode, readRegularFile } from "../regularFiles.js";
import { KERNELS_DIRECTORY, PLAN_FILE, PLAN_FILE_KIND, PLAN_FORMAT, README_FILE } from "./planFormat.js";
import { planReadme } from "./readme.js";
import { serializePlan } from "./serializePlan.js";

export interface WrittenPlan {
  /** Paths written, DIR joined with each file's name, in writing order. */
  written: string[];
  /** Kernel files of a previous build that the new plan does not list, removed. */
  removed: string[];
}

/** Whether `dir`'s plan.json is a plan cnnc wrote (any version: an older build is rebuilt in place). */
function isPreviousBuild(dir: string): boolean {
  const read = readRegularFile(join(dir, PLAN_FILE), PLAN_FILE_KIND);
  if ("problem" in read) return false;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(read.bytes));
    return typeof parsed === "object" && parsed !== null && (parsed as Record<string, unknown>).format === PLAN_FORMAT;
  } catch {
    return false;
  }
}

/** Creates `dir` or checks it can take a build; true when it holds a previous one. */
function prepareDirectory(dir: string): boolean {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw new CnncUserError(`-o \`${dir}\` cannot be used: ${describeFsError(error)}`, { hint: "choose another directory" });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (mkdirError) {
      throw new CnncUserError(`cannot create the directory \`${dir}\`: ${describeFsError(mkdirError)}`, { hint: "choose a directory you can write to" });
    }
    return false;
  }
  if (!isDirectory) {
    throw new CnncUserError(`-o \`${dir}\` is a file, not a directory`, { hint: "cnnc build writes several files: give a new or empty directory" });
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new CnncUserError(`-o \`${dir}\` cannot be read: ${describeFsError(error)}`, { hint: "choose a directory you can read and write" });
  }
  if (entries.length === 0) return false;
  if (isPreviousBuild(dir)) return true;
  throw new CnncUserError(`-o \`${dir}\` is not empty and is not a directory \`cnnc build\` wrote (it has no cnnc ${PLAN_FILE}); nothing was written`, {
    hint: "give a new or empty directory, or the directory of an earlier build to replace it",
  });
}

function makeKernelsDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new CnncUserError(`cannot create the directory \`${path}\`: ${describeFsError(error)}`, { hint: "choose a directory you can write to" });
  }
  if (!statSync(path).isDirectory()) {
    throw new CnncUserError(`\`${path}\` is not a directory`, { hint: "remove it (it is not a file cnnc build writes) or build into another directory" });
  }
}

/** Removes the `.wgsl` regular files of `kernels` not in `keep`; returns their paths. */
function removeStaleKernels(kernels: string, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(kernels).sort()) {
    if (!name.endsWith(".wgsl") || keep.has(name)) continue;
    const path = join(kernels, name);
    if (!lstatSync(path).isFile()) continue;
    try {
      unlinkSync(path);
    } catch (error) {
      throw new CnncUserError(`cannot remove the old kernel file \`${path}\`: ${describeFsError(error)}`, { hint: "remove it by hand; the new plan does not use it" });
    }
    removed.push(path);
  }
  return removed;
}

/** Writes `plan` (built from `modelFile`) into `dir`; see the file comment. */
export function writePlanDirectory(dir: string, plan: Plan, modelFile: string): WrittenPlan {
  const { planJson, kernels } = serializePlan(plan);
  const previous = prepareDirectory(dir);
  const kernelsPath = join(dir, KERNELS_DIRECTORY);
  makeKernelsDirectory(kernelsPath);
  const written: string[] = [];
  const write = (path: string, text: string): void => {
    writeFileAtomically(path, [new TextEncoder().encode(text)]);
    written.push(path);
  };
  for (const [name, wgsl] of kernels) write(join(kernelsPath, name), wgsl);
  write(join(dir, README_FILE), planReadme(plan, modelFile));
  write(join(dir, PLAN_FILE), planJson);
  const removed = previous ? removeStaleKernels(kernelsPath, new Set(kernels.keys())) : [];
  return { written, removed };
}
