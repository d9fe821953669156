// The softmax's backward from its output y: dx = y * (dy - sum over channels of dy * y), per sample
// and position (the softmax axis is the channels, INNER apart). Used when a network ends in softmax
// and is trained with mse, or has a softmax inside; cross-entropy takes logits and fuses its own.
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export function softmaxBackward(spec: { batch: number; classes: number; inner: number }): TrainingKernels {
  const { batch, classes, inner } = spec;
  const dispatch = foldedDispatch(batch * inner, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings = [
    { name: "dy", access: "read" as const },
    { name: "y", access: "read" as const },
    { name: "dx", access: "read_write" as const },
  ];
  const wgsl = kernelSource({
    title: `softmax backward over ${classes} channels: dx = y * (dy - sum(dy * y))`,
    details: { values: `[${batch}, ${classes}, ${inner}]`, schedule: "one invocation per (sample, position), two passes over the channels" },
    bindings,
    declarations: [u32Constants({ C: classes, INNER: inner })],
    dispatch,
    body: [
      "  let base = (index / INNER) * C * INNER + index % INNER;",
      "  var dot = 0.0f;",
      "  for (var c = 0u; c < C; c++) {",
      "    dot += dy[base + c * INNER] * y[base + c * INNER];",
      "  }",
      "  for (var c = 0u; c < C; c++) {",
      "    let at = base + c * INNER;",
      "    dx[at] = y[at] * (dy[at] - dot);",
      "  }",
    ],
  });
  return { kernels: [{ kernel: "softmax_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 2 * loopPasses(classes) }], scratch: [] };
}
