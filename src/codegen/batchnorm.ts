// Batch normalization at inference: y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c]
// + bias[c], per channel of a [C, H, W] / [C, L] value and per feature of an [F] one.
import type { Node } from "../ir/graph.js";
import { channelLayout, linearDispatch } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { f32Literal, headerComment, storageBindings } from "./wgsl.js";
import { emitKernel, type KernelContext } from "./plan.js";

/** The parameter buffers, bound (and named in the WGSL) in this order between input and output. */
const PARAMS = ["weight", "bias", "running_mean", "running_var"] as const;

export function generateBatchNorm(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (attrs.op !== "batchnorm") throw new Error(`internal: generateBatchNorm called on ${attrs.op}`);
  const { C, inner } = channelLayout(node.shape);
  const dispatch = linearDispatch(context.batch * C * inner);
  const declarations = storageBindings([
    { name: "x", access: "read" },
    ...PARAMS.map((name) => ({ name, access: "read" as const })),
    { name: "y", access: "read_write" },
  ]);
  const wgsl = `${headerComment(`batchnorm (inference, running statistics), eps=${attrs.eps}`, {
    layer: node.name,
    "input and output": `${describeShape([context.batch, ...node.shape])}, ${C} channels of ${inner} elements`,
    schedule: "one invocation per element",
  })}

${declarations}

const C: u32 = ${C}u;
const INNER: u32 = ${inner}u;
const EPS: f32 = ${f32Literal(attrs.eps)};
${dispatch.entryPoint}
  let c = (index / INNER) % C;
  let scale = weight[c] / sqrt(running_var[c] + EPS);
  y[index] = (x[index] - running_mean[c]) * scale + bias[c];
}
`;
  emitKernel(context, node, "batchnorm", wgsl, dispatch.workgroups, [
    { buffer: context.inputBuffers[0]!, access: "read" },
    ...PARAMS.map((name) => ({ buffer: context.paramBuffer(name), access: "read" as const })),
    { buffer: context.outputBuffer, access: "read_write" },
  ]);
}
