// Softmax over the channel (feature) axis: for each sample and spatial position, exp(v - max) / sum.
// Subtracting the max keeps every exp in (0, 1], so large logits cannot overflow.
import type { Node } from "../ir/graph.js";
import { shapeSize } from "../ir/graph.js";
import { linearDispatch, shapeText } from "./dispatch.js";
import { headerComment } from "./wgsl.js";
import type { KernelContext } from "./plan.js";

export function generateSoftmax(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "softmax") throw new Error(`internal: generateSoftmax called on ${node.attrs.op}`);
  const C = node.shape[0]!;
  const inner = shapeSize(node.shape.slice(1));
  // One invocation per (sample, position) walks the C channels of that position (stride INNER apart).
  const dispatch = linearDispatch(context.batch * inner);
  const wgsl = `${headerComment(`softmax over ${C} channels (max-subtracted)`, {
    layer: node.name,
    "input and output": shapeText([context.batch, ...node.shape]),
    schedule: "one invocation per (sample, position), looping over channels",
  })}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const C: u32 = ${C}u;
const INNER: u32 = ${inner}u;
${dispatch.entryPoint}
  let sample = index / INNER;
  let base = sample * C * INNER + index % INNER;
  var largest = x[base];
  for (var c = 1u; c < C; c++) {
    largest = max(largest, x[base + c * INNER]);
  }
  var sum = 0.0f;
  for (var c = 0u; c < C; c++) {
    let e = exp(x[base + c * INNER] - largest);
    y[base + c * INNER] = e;
    sum += e;
  }
  let scale = 1.0f / sum;
  for (var c = 0u; c < C; c++) {
    y[base + c * INNER] *= scale;
  }
}
`;
  context.emit({
    name: `${node.name}.softmax`,
    node: node.id,
    layer: node.name,
    wgsl,
    entryPoint: "main",
    workgroups: dispatch.workgroups,
    bindings: [
      { buffer: context.inputBuffers[0]!, access: "read" },
      { buffer: context.outputBuffer, access: "read_write" },
    ],
  });
}
