// Reads a directory `cnnc build` wrote back into a Plan: plan.json decoded and checked field by field,
// each program's kernel file read (as a regular, bounded file) and compared with the sha256 the plan
// lists, then everything that must agree checked (checkPlan). Any problem is a CnncUserError naming
// the file, the field and the fix (rebuild): nothing of a damaged plan reaches the GPU.
import { join } from "node:path";

import type { Plan } from "../codegen/plan.js";
import { CnncUserError } from "../errors.js";
import { type FileKind, readRegularFile } from "../regularFiles.js";
import { checkPlan } from "./checkPlan.js";
import { decodePlan } from "./decodePlan.js";
import { JsonFields } from "./jsonFields.js";
import { PLAN_FILE, PLAN_FILE_KIND, REBUILD_HINT, wgslSha256 } from "./planFormat.js";

/** No kernel cnnc writes comes near this: a larger file is not one of its kernels. */
const KERNEL_FILE_KIND: FileKind = { noun: "kernel file", maxBytes: 64 * 1024 * 1024, tooLargeHint: "this is not a kernel cnnc wrote: rebuild the plan with `cnnc build MODEL.cnn -o DIR`" };

/** The plan.json of a build directory. */
export function planFileOf(dir: string): string {
  return join(dir, PLAN_FILE);
}

function readPlanText(dir: string, file: string): string {
  const read = readRegularFile(file, PLAN_FILE_KIND);
  if (!("problem" in read)) return new TextDecoder().decode(read.bytes);
  if (read.problem.code === "missing") {
    throw new CnncUserError(`\`${dir}\` has no ${PLAN_FILE}: it is not a directory \`cnnc build\` wrote`, {
      hint: `build a plan into it with \`cnnc build MODEL.cnn -o ${dir}\`, or run the model itself with \`cnnc run MODEL.cnn\``,
    });
  }
  throw new CnncUserError(read.problem.message, { hint: read.problem.hint });
}

/**
 * The plan a `cnnc build` directory holds, fully checked. Paths in messages are `dir` joined with the
 * file's name, as the user wrote `dir`.
 */
export function loadPlanDirectory(dir: string): Plan {
  const file = planFileOf(dir);
  const { plan, programFiles } = decodePlan(readPlanText(dir, file), file);
  const fields: JsonFields = new JsonFields(file, REBUILD_HINT);
  const wgslOf = new Map<string, string>();
  for (const [index, program] of programFiles.entries()) {
    const read = readRegularFile(join(dir, program.file), KERNEL_FILE_KIND);
    if ("problem" in read) {
      const what = read.problem.code === "missing" ? `which is missing from \`${dir}\`` : `which cannot be read: ${read.problem.message}`;
      fields.fail(`${program.path}.file`, `names ${program.file}, ${what}`);
    }
    const sha256 = wgslSha256(read.bytes);
    if (sha256 !== program.sha256) {
      fields.fail(`${program.path}.sha256`, `does not match ${program.file} (its sha256 is ${sha256}): the kernel was changed after the build`);
    }
    const wgsl = new TextDecoder().decode(read.bytes);
    wgslOf.set(program.key, wgsl);
    plan.programs[index]!.wgsl = wgsl;
  }
  for (const step of plan.steps) step.wgsl = wgslOf.get(step.program)!;
  checkPlan(plan, fields);
  return plan;
}
