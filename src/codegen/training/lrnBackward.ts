// Local response norm's backward (PyTorch's LocalResponseNorm; the forward is src/codegen/lrn.ts, the
// formula src/reference/gradients/normalization.ts lrnGradient). With
//   D_c = k + alpha / size * sum_{c' in window(c)} x_c'^2,  window(c) = [c - floor(size/2), c + floor((size-1)/2)],
// x_j enters its own y_j and every D_c whose window holds j, c in [j - floor((size-1)/2), j + floor(size/2)]:
//   dx_j = dy_j * D_j^-beta - 2 * alpha * beta / size * x_j * sum_c dy_c * x_c * D_c^(-beta - 1).
// Each invocation recomputes the D_c it needs from x (size^2 loads, no scratch buffer), summing each
// window in the forward's order so D_c is bit for bit the forward's. NaN: a NaN in a window makes its
// D_c NaN (tested on the bits: with alpha = 0 the product may fold away), the through-sum divides by
// every D_c it uses, D_j included (so llvmpipe's pow(NaN, b) = 0 cannot hide one), and a NaN
// through-sum makes dx NaN, as the float64 reference gives.
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { keepNanWgsl } from "../nanWgsl.js";
import { f32Literal, foldedDispatch, i32Literal, kernelSource, u32Literal, type StorageBindingSpec } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface LrnBackwardSpec {
  batch: number;
  channels: number;
  /** Elements per channel per sample (H * W, or L). */
  inner: number;
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

/** dx of LRN from its input: bindings `dy` (read), `x` (read), `dx` (read_write, overwritten). */
export function lrnBackward(spec: LrnBackwardSpec): TrainingKernels {
  const { batch, channels, inner, size, alpha, beta, k } = spec;
  if (!Number.isInteger(size) || size < 1) throw new Error(`internal: an lrn window of size ${size}`);
  const dispatch = foldedDispatch(batch * channels * inner, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "x", access: "read" },
    { name: "dx", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: `local response norm backward, size=${size} alpha=${alpha} beta=${beta} k=${k}: dx from dy and x`,
    details: {
      "x, dy and dx": `[${batch}, ${channels}, ${inner}]`,
      schedule: "one invocation per element, recomputing the divisor of each channel whose window holds it",
    },
    bindings,
    declarations: [
      [
        `const C: i32 = ${i32Literal(channels)};`,
        `const INNER: u32 = ${u32Literal(inner)};`,
        `const WINDOW_BEFORE: i32 = ${i32Literal(Math.floor(size / 2))};`,
        `const WINDOW_AFTER: i32 = ${i32Literal(Math.floor((size - 1) / 2))};`,
        `const ALPHA_OVER_SIZE: f32 = ${f32Literal(alpha / size)};`,
        `const BETA: f32 = ${f32Literal(beta)};`,
        `const K: f32 = ${f32Literal(k)};`,
        `const TWO_ALPHA_BETA_OVER_SIZE: f32 = ${f32Literal((2 * alpha * beta) / size)};`,
      ].join("\n"),
    ],
    dispatch,
    body: [
      "  let position = index % INNER;",
      "  let j = i32((index / INNER) % u32(C));",
      "  let sample_base = (index / (INNER * u32(C))) * u32(C) * INNER + position;",
      "  var through = 0.0f;",
      "  var own_scale = 0.0f;",
      "  // The channels c whose window holds j.",
      "  for (var c = max(j - WINDOW_AFTER, 0); c <= min(j + WINDOW_BEFORE, C - 1); c++) {",
      "    var squares = 0.0f;",
      "    for (var other = max(c - WINDOW_BEFORE, 0); other <= min(c + WINDOW_AFTER, C - 1); other++) {",
      "      let value = x[sample_base + u32(other) * INNER];",
      "      squares += value * value;",
      "    }",
      `    let divisor = ${keepNanWgsl("squares", "K + ALPHA_OVER_SIZE * squares")};`,
      "    let scale = pow(divisor, -BETA);",
      "    let at = sample_base + u32(c) * INNER;",
      "    through += dy[at] * x[at] * (scale / divisor);",
      "    if (c == j) {",
      "      own_scale = scale;",
      "    }",
      "  }",
      `  let result = dy[index] * own_scale - TWO_ALPHA_BETA_OVER_SIZE * x[index] * through;`,
      `  dx[index] = ${keepNanWgsl("through", "result")};`,
    ],
  });
  // Both loops run over at most `size` channels, and never more than C.
  const window = Math.min(size, channels);
  return { kernels: [{ kernel: "lrn_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(window, loopPasses(window)) }], scratch: [] };
}
