// Mesa's llvmpipe (gallivm: Dawn's OpenGL ES backend here, and lavapipe) gives each shader invocation
// one loop counter, shared by every loop of the shader and never reset: it starts at
// LP_MAX_TGSI_LOOP_ITERATIONS (65535), each pass through a loop's end takes one, and at 0 every loop
// of the invocation exits, silently, leaving wrong numbers. So every kernel step carries how many loop
// passes one invocation runs at most (`KernelStep.loopIterations`, computed by its generator from the
// baked shapes), and a plan whose kernel would pass the limit is refused before it runs on such a device.
//
// Measured on llvmpipe (Mesa 22.3): a loop run of n iterations takes n + 1 from the counter (the pass
// that finds the loop done is counted too), nested loops multiply, and loops with constant trip counts
// are not unrolled. The last pass of the last loop is free, so counting n + 1 for every loop run is
// exact up to that one pass, on the safe side.
import { CnncUserError } from "../errors.js";
import { formatInteger } from "../ir/format.js";
import type { KernelStep, Plan } from "./plan.js";

/** LP_MAX_TGSI_LOOP_ITERATIONS (Mesa's lp_bld_limits.h): the loop passes one llvmpipe invocation may run. */
export const LLVMPIPE_MAX_LOOP_ITERATIONS = 65535;

/**
 * The loop passes of one run of a loop of `iterations` iterations whose body runs `bodyPasses` passes
 * of inner loops each time: its own iterations, the pass that exits, and the inner loops' passes.
 */
export function loopPasses(iterations: number, bodyPasses = 0): number {
  if (!Number.isSafeInteger(iterations) || iterations < 0) throw new Error(`internal: a loop of ${iterations} iterations`);
  return iterations + 1 + iterations * bodyPasses;
}

/** The anchor layer of a step (`c1` of `c1.conv_direct`) and its kernel (`conv_direct`). */
function stepParts(step: KernelStep): { anchor: string; kernel: string } {
  const dot = step.name.lastIndexOf(".");
  return dot < 0 ? { anchor: step.layer, kernel: step.name } : { anchor: step.name.slice(0, dot), kernel: step.name.slice(dot + 1) };
}

/** How to shorten the loops of a kernel, by what it loops over. */
function shorterLoopsHint(step: KernelStep): string {
  const { anchor, kernel } = stepParts(step);
  const fewerChannels = `give ${anchor} fewer input channels per group or a smaller kernel window`;
  if (kernel === "conv_direct") {
    return `${fewerChannels}; with a large window over few channels, \`--schedule ${anchor}=im2col\` loops fewer times`;
  }
  const fewerFeatures = `give ${anchor} fewer input features (pool or stride before it)`;
  // A conv's im2col GEMM and an fc's weight slices are both `gemm` kernels; the fc's is titled `fc`.
  if (/^gemm(_\d+)?$/.test(kernel)) return step.wgsl.startsWith("// fc") ? fewerFeatures : fewerChannels;
  if (kernel === "fc") return fewerFeatures;
  if (/^global_\w+pool$/.test(kernel)) return `pool or stride before ${anchor} so that the plane it reduces is smaller`;
  if (/pool$/.test(kernel)) return `give ${anchor} a smaller window`;
  if (kernel === "softmax") return `give ${anchor} fewer channels`;
  if (kernel === "lrn") return `give ${anchor} a smaller size`;
  return `make layer ${anchor}'s loops shorter`;
}

/**
 * Throws a CnncUserError naming the kernel, its layers, its loop passes, the limit and the fix when a
 * step of `plan` runs more loop passes per invocation than llvmpipe allows (call it for llvmpipe and
 * lavapipe devices only: others have no such limit).
 */
export function checkLoopLimit(plan: Plan): void {
  const over = plan.steps.filter((step) => step.loopIterations > LLVMPIPE_MAX_LOOP_ITERATIONS);
  if (over.length === 0) return;
  const step = over.reduce((found, each) => (each.loopIterations > found.loopIterations ? each : found));
  const others = over.length === 1 ? "" : ` (${over.length - 1} more kernel${over.length === 2 ? "" : "s"} of the plan pass it too)`;
  throw new CnncUserError(
    `kernel ${step.name} (layers ${step.layer}) runs ${formatInteger(step.loopIterations)} loop iterations per invocation, more than ` +
      `llvmpipe's limit of ${formatInteger(LLVMPIPE_MAX_LOOP_ITERATIONS)}: past it, llvmpipe silently ends every loop of the kernel ` +
      `and its results would be wrong${others}`,
    { hint: `${shorterLoopsHint(step)}; or run on a hardware GPU (\`--backend vulkan\`), which has no such limit` },
  );
}
