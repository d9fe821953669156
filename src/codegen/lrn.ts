// Local response normalization across channels, PyTorch's LocalResponseNorm:
//   y[c] = x[c] / (k + alpha / size * sum_{c' = c - floor(size/2)}^{c + floor((size-1)/2)} x[c']^2)^beta
// with channels outside [0, C) contributing 0 and the divisor always `size` (PyTorch averages over a
// zero-padded window). The window includes c itself, so a NaN there or in a neighbour makes the sum
// NaN; the result is then that NaN, as in PyTorch, since WGSL's pow may turn pow(NaN, beta) into 0.
import type { Node } from "../ir/graph.js";
import { channelLayout, ELEMENTWISE_WORKGROUP_SIZE, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { keepNanWgsl } from "./nanWgsl.js";
import { requireDenseSeparateOutput } from "./store.js";
import { f32Literal, foldedDispatch, i32Literal, kernelSource, u32Literal } from "./wgsl.js";
import { loopPasses } from "./loopLimit.js";
import { emitKernel, type KernelContext } from "./plan.js";

export function generateLrn(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (attrs.op !== "lrn") throw new Error(`internal: generateLrn called on ${attrs.op}`);
  requireDenseSeparateOutput(context, `${node.name}: lrn kernel`);
  const { C, inner } = channelLayout(node.shape);
  const dispatch = foldedDispatch(context.batch * C * inner, ELEMENTWISE_WORKGROUP_SIZE);
  const before = Math.floor(attrs.size / 2);
  const after = Math.floor((attrs.size - 1) / 2);
  const wgsl = kernelSource({
    title: `local response norm, size=${attrs.size} alpha=${attrs.alpha} beta=${attrs.beta} k=${attrs.k}`,
    details: {
      "input and output": describeShape([context.batch, ...node.shape]),
      schedule: "one invocation per element, summing squares over its channel window",
    },
    bindings: INPUT_OUTPUT_BINDINGS,
    declarations: [
      [
        `const C: i32 = ${i32Literal(C)};`,
        `const INNER: u32 = ${u32Literal(inner)};`,
        `const WINDOW_BEFORE: i32 = ${i32Literal(before)};`,
        `const WINDOW_AFTER: i32 = ${i32Literal(after)};`,
        `const ALPHA_OVER_SIZE: f32 = ${f32Literal(attrs.alpha / attrs.size)};`,
        `const BETA: f32 = ${f32Literal(attrs.beta)};`,
        `const K: f32 = ${f32Literal(attrs.k)};`,
      ].join("\n"),
    ],
    dispatch,
    body: [
      `  let position = index % INNER;`,
      `  let c = i32((index / INNER) % u32(C));`,
      `  let sample_base = (index / (INNER * u32(C))) * u32(C) * INNER;`,
      `  var sum = 0.0f;`,
      `  for (var other = max(c - WINDOW_BEFORE, 0); other <= min(c + WINDOW_AFTER, C - 1); other++) {`,
      `    let value = x[sample_base + u32(other) * INNER + position];`,
      `    sum += value * value;`,
      `  }`,
      `  y[index] = ${keepNanWgsl("sum", "x[index] / pow(K + ALPHA_OVER_SIZE * sum, BETA)")};`,
    ],
  });
  // The window loop: at most `size` channels, and never more than C.
  emitKernel(context, node, "lrn", wgsl, dispatch.workgroups, inputOutputBindings(context), loopPasses(Math.min(attrs.size, C)));
}
