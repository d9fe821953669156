// Elementwise sum of n same-shaped values. Each kernel binds at most 4 storage buffers (the smallest
// per-stage limit WebGPU guarantees, compatibility mode included): the first sums up to 3 inputs into
// the output, each further one adds up to 3 more in place.
import type { Node } from "../ir/graph.js";
import { shapeSize } from "../ir/graph.js";
import { linearDispatch } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { headerComment } from "./wgsl.js";
import { emitKernel, type KernelBinding, type KernelContext } from "./plan.js";

const INPUTS_PER_KERNEL = 3;

export function generateAdd(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "add") throw new Error(`internal: generateAdd called on ${node.attrs.op}`);
  if (context.inputBuffers.length < 1) throw new Error(`internal: add ${node.name} has no inputs`);
  const dispatch = linearDispatch(context.batch * shapeSize(node.shape));
  const chunks: number[][] = [];
  for (let start = 0; start < context.inputBuffers.length; start += INPUTS_PER_KERNEL) {
    chunks.push(context.inputBuffers.slice(start, start + INPUTS_PER_KERNEL));
  }
  chunks.forEach((chunk, chunkIndex) => {
    const accumulate = chunkIndex > 0;
    const terms = chunk.map((_, i) => `x${i}[index]`);
    const declarations = chunk.map(
      (_, i) => `@group(0) @binding(${i}) var<storage, read> x${i}: array<f32>;`,
    );
    const firstInput = chunkIndex * INPUTS_PER_KERNEL;
    const wgsl = `${headerComment(`add of ${context.inputBuffers.length} values`, {
      layer: node.name,
      inputs: `${firstInput}..${firstInput + chunk.length - 1}${accumulate ? ", added into the output" : ""}`,
      "inputs and output": describeShape([context.batch, ...node.shape]),
      schedule: "one invocation per element",
    })}

${declarations.join("\n")}
@group(0) @binding(${chunk.length}) var<storage, read_write> y: array<f32>;
${dispatch.entryPoint}
  y[index] = ${accumulate ? "y[index] + " : ""}${terms.join(" + ")};
}
`;
    const bindings: KernelBinding[] = chunk.map((buffer) => ({ buffer, access: "read" }));
    bindings.push({ buffer: context.outputBuffer, access: "read_write" });
    emitKernel(context, node, chunks.length === 1 ? "add" : `add${chunkIndex}`, wgsl, dispatch.workgroups, bindings);
  });
}
