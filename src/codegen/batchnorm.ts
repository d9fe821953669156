// Batch normalization at inference: y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c]
// + bias[c], per channel of a [C, H, W] / [C, L] value and per feature of an [F] one.
import type { Node } from "../ir/graph.js";
import { shapeSize } from "../ir/graph.js";
import { linearDispatch, shapeText } from "./dispatch.js";
import { f32Literal, headerComment } from "./wgsl.js";
import type { KernelContext } from "./plan.js";

export function generateBatchNorm(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (attrs.op !== "batchnorm") throw new Error(`internal: generateBatchNorm called on ${attrs.op}`);
  const C = node.shape[0]!;
  const inner = shapeSize(node.shape.slice(1));
  const dispatch = linearDispatch(context.batch * C * inner);
  const wgsl = `${headerComment(`batchnorm (inference, running statistics), eps=${attrs.eps}`, {
    layer: node.name,
    "input and output": `${shapeText([context.batch, ...node.shape])}, ${C} channels of ${inner} elements`,
    schedule: "one invocation per element",
  })}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> running_mean: array<f32>;
@group(0) @binding(4) var<storage, read> running_var: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

const C: u32 = ${C}u;
const INNER: u32 = ${inner}u;
const EPS: f32 = ${f32Literal(attrs.eps)};
${dispatch.entryPoint}
  let c = (index / INNER) % C;
  let scale = weight[c] / sqrt(running_var[c] + EPS);
  y[index] = (x[index] - running_mean[c]) * scale + bias[c];
}
`;
  context.emit({
    name: `${node.name}.batchnorm`,
    node: node.id,
    layer: node.name,
    wgsl,
    entryPoint: "main",
    workgroups: dispatch.workgroups,
    bindings: [
      { buffer: context.inputBuffers[0]!, access: "read" },
      { buffer: context.paramBuffer("weight"), access: "read" },
      { buffer: context.paramBuffer("bias"), access: "read" },
      { buffer: context.paramBuffer("running_mean"), access: "read" },
      { buffer: context.paramBuffer("running_var"), access: "read" },
      { buffer: context.outputBuffer, access: "read_write" },
    ],
  });
}
