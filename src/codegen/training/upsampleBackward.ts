// Upsampling's input gradient, one invocation per input cell, gathering the output cells that read it
// (src/reference/gradients/upsample.ts scatters the same terms): nearest sums its s_h x s_w block of dy;
// bilinear walks a window of output rows x columns wide enough to hold every output whose taps can reach
// it, and adds dy times the weight each tap reads it with, recomputed with the forward's own tap
// functions (src/codegen/upsample.ts) so both agree on every index. Bindings: `dy` (read), `dx`
// (read_write, overwritten).
import type { Shape, UpsampleAttrs } from "../../ir/graph.js";
import { imageDims } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { upsampleAxes, upsampleDetails, upsampleTapWgsl, type UpsampleAxis } from "../upsample.js";
import { f32Literal, foldedDispatch, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface UpsampleGradientSpec {
  batch: number;
  attrs: UpsampleAttrs;
  inputShape: Shape;
  outputShape: Shape;
}

/**
 * The outputs of one axis a bilinear backward visits for input `i`: from `start` (a WGSL u32 expression)
 * on, `count` of them. The outputs reading input i have first tap i - 1 or i, so their source lies in
 * [i - 1, i + 1): outputs [(i - 0.5)s - 0.5, (i + 1.5)s - 0.5) at half-pixel centers, [(i - 1)/R, (i + 1)/R)
 * with align_corners (R = (in - 1)/(out - 1)); each window starts a little before and holds a little more.
 */
function bilinearWindow(attrs: UpsampleAttrs, axis: UpsampleAxis, i: string): { start: string; count: number } {
  if (!attrs.alignCorners) return { start: `u32(max(i32(${i}) * ${axis.scale} - ${axis.scale}, 0))`, count: 3 * axis.scale + 1 };
  if (axis.input === 1 || axis.output === 1) return { start: "0u", count: axis.output };
  const inverse = (axis.output - 1) / (axis.input - 1);
  return { start: `u32(max(i32(floor((f32(${i}) - 1.0f) * ${f32Literal(inverse)})) - 1, 0))`, count: Math.ceil(2 * inverse) + 3 };
}

export function upsampleBackward(spec: UpsampleGradientSpec): TrainingKernels {
  const { attrs, batch } = spec;
  const { C, H, W } = imageDims(spec.inputShape);
  const [rows, cols] = upsampleAxes(attrs, spec.inputShape);
  const bindings = [
    { name: "dy", access: "read" as const },
    { name: "dx", access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(batch * C * H * W, 64);
  const prologue = [`  let j = index % W;`, `  let i = (index / W) % H;`, `  let plane = (index / (W * H)) * OH * OW;`, `  var sum = 0.0f;`];
  let body: string[];
  let loopIterations: number;
  if (attrs.mode === "nearest") {
    body = [
      `  for (var a = 0u; a < ${u32Literal(rows.scale)}; a++) {`,
      `    for (var b = 0u; b < ${u32Literal(cols.scale)}; b++) {`,
      `      sum += dy[plane + (i * ${u32Literal(rows.scale)} + a) * OW + j * ${u32Literal(cols.scale)} + b];`,
      `    }`,
      `  }`,
    ];
    loopIterations = loopPasses(rows.scale, loopPasses(cols.scale));
  } else {
    const rowWindow = bilinearWindow(attrs, rows, "i");
    const colWindow = bilinearWindow(attrs, cols, "j");
    // The weight an output's tap reads input `own` with: both of its cells' weights where both are `own`.
    const weight = (tap: string, own: string): string => `select(0.0f, 1.0f - ${tap}.weight, ${tap}.first == ${own}) + select(0.0f, ${tap}.weight, ${tap}.second == ${own})`;
    body = [
      `  let first_oh = ${rowWindow.start};`,
      `  let first_ow = ${colWindow.start};`,
      `  for (var oh = first_oh; oh < min(first_oh + ${u32Literal(rowWindow.count)}, OH); oh++) {`,
      `    let r = tap_row(oh);`,
      `    if (r.first != i && r.second != i) {`,
      `      continue;`,
      `    }`,
      `    let row_weight = ${weight("r", "i")};`,
      `    for (var ow = first_ow; ow < min(first_ow + ${u32Literal(colWindow.count)}, OW); ow++) {`,
      `      let c = tap_col(ow);`,
      `      if (c.first != j && c.second != j) {`,
      `        continue;`,
      `      }`,
      `      sum += dy[plane + oh * OW + ow] * (row_weight * (${weight("c", "j")}));`,
      `    }`,
      `  }`,
    ];
    loopIterations = loopPasses(rowWindow.count, loopPasses(colWindow.count));
  }
  const wgsl = kernelSource({
    title: `upsample backward, ${attrs.mode}`,
    details: { ...upsampleDetails(attrs, batch, spec.inputShape, spec.outputShape), schedule: "one invocation per input cell, gathering the output cells that read it" },
    bindings,
    declarations: [u32Constants({ H, W, OH: rows.output, OW: cols.output }), ...(attrs.mode === "bilinear" ? [upsampleTapWgsl(attrs, [rows, cols])] : [])],
    dispatch,
    body: [...prologue, ...body, `  dx[index] = sum;`],
  });
  return { kernels: [{ kernel: `upsample_backward`, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations }], scratch: [] };
}
