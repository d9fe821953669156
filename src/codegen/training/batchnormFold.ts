// Folded batchnorm computed on the device: scale = weight / sqrt(running_var + eps) and shift = bias -
// running_mean * scale, per channel, from the parameter buffers a trainer updates on the GPU. An
// evaluation plan sharing a trainer's parameters runs this first, so that inference after (or during)
// training uses the running statistics through the folded-batchnorm path without a CPU round trip.
// (runtime/derivedParams.ts computes the same at upload, in float64, for weights given on the CPU.)
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { f32Literal, foldedDispatch, kernelSource } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export function batchnormFold(spec: { channels: number; eps: number }): TrainingKernels {
  const dispatch = foldedDispatch(spec.channels, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings = [
    { name: "weight", access: "read" as const },
    { name: "bias", access: "read" as const },
    { name: "running_mean", access: "read" as const },
    { name: "running_var", access: "read" as const },
    { name: "scale", access: "read_write" as const },
    { name: "shift", access: "read_write" as const },
  ];
  const wgsl = kernelSource({
    title: `batchnorm folding over ${spec.channels} channels: scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale`,
    details: { eps: spec.eps, schedule: "one invocation per channel" },
    bindings,
    declarations: [],
    dispatch,
    body: [
      `  let scale_value = weight[index] / sqrt(running_var[index] + ${f32Literal(spec.eps)});`,
      "  scale[index] = scale_value;",
      "  shift[index] = bias[index] - running_mean[index] * scale_value;",
    ],
  });
  return { kernels: [{ kernel: "batchnorm_fold", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 1 }], scratch: [] };
}
