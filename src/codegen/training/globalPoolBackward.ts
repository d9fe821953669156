// Global pooling's backward pass (the reference's globalPoolGradient, src/reference/gradients/pool.ts):
// avg spreads dy / positions over its plane; max routes dy to the plane's first maximum, or to its last
// NaN when the maximum is a NaN (PyTorch's `val > max || isnan(val)`), and 0 elsewhere. The max kernel
// finds that position from the forward's output y: the first cell equal to y (y is one of the cells,
// and -0 == 0 as the reference's strict `>` treats them alike), or the last NaN when y is a NaN.
import type { GlobalPoolAttrs } from "../../ir/graph.js";
import { describeShape } from "../../tensor.js";
import { channelLayout, ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { isNanWgsl } from "../nanWgsl.js";
import { f32Literal, foldedDispatch, kernelSource, u32Constants, type StorageBindingSpec } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

/**
 * dx (overwritten) of a global pool over per-sample `inputShape` [C, ...]: bindings avg `dy`, `dx`;
 * max `dy`, `x`, `y`, `dx`.
 */
export function globalPoolBackward(spec: { batch: number; kind: GlobalPoolAttrs["kind"]; inputShape: readonly number[] }): TrainingKernels {
  const { batch, kind, inputShape } = spec;
  const { C, inner: positions } = channelLayout(inputShape);
  const planes = batch * C;
  const details = {
    input: describeShape([batch, ...inputShape]),
    output: describeShape([batch, C]),
    schedule: kind === "avg" ? "one invocation per input cell" : "one invocation per (sample, channel) plane",
  };
  if (kind === "avg") {
    const dispatch = foldedDispatch(planes * positions, ELEMENTWISE_WORKGROUP_SIZE);
    const bindings: StorageBindingSpec[] = [
      { name: "dy", access: "read" },
      { name: "dx", access: "read_write" },
    ];
    const wgsl = kernelSource({
      title: "global avg pooling backward",
      details,
      bindings,
      declarations: [u32Constants({ POSITIONS: positions })],
      dispatch,
      body: [`  dx[index] = dy[index / POSITIONS] / ${f32Literal(positions)};`],
    });
    return { kernels: [{ kernel: "global_avgpool_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
  }
  const dispatch = foldedDispatch(planes, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "x", access: "read" },
    { name: "y", access: "read" },
    { name: "dx", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: "global max pooling backward",
    details,
    bindings,
    declarations: [u32Constants({ POSITIONS: positions })],
    dispatch,
    body: [
      `  let base = index * POSITIONS;`,
      `  let best = y[index];`,
      `  var routed = 0u;`,
      `  if (${isNanWgsl("best")}) {`,
      `    for (var p = 0u; p < POSITIONS; p++) {`,
      `      let value = x[base + p];`,
      `      if (${isNanWgsl("value")}) {`,
      `        routed = p;`,
      `      }`,
      `    }`,
      `  } else {`,
      `    for (var p = 0u; p < POSITIONS; p++) {`,
      `      if (x[base + p] == best) {`,
      `        routed = p;`,
      `        break;`,
      `      }`,
      `    }`,
      `  }`,
      `  let gradient = dy[index];`,
      `  for (var p = 0u; p < POSITIONS; p++) {`,
      `    dx[base + p] = select(0.0f, gradient, p == routed);`,
      `  }`,
    ],
  });
  // The search (one of the two loops) and the store loop.
  const loopIterations = 2 * loopPasses(positions);
  return { kernels: [{ kernel: "global_maxpool_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations }], scratch: [] };
}
