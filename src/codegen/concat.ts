// Concatenation along channels: input i (C_i channels) lands at channel offset sum_{j<i} C_j of each
// sample. One copy kernel per input, each writing its own disjoint slice of the output.
import type { Node } from "../ir/graph.js";
import { shapeSize } from "../ir/graph.js";
import { linearDispatch, shapeText } from "./dispatch.js";
import { headerComment } from "./wgsl.js";
import type { KernelContext } from "./plan.js";

export function generateConcat(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "concat") throw new Error(`internal: generateConcat called on ${node.attrs.op}`);
  const outputChannels = node.shape[0]!;
  const inner = shapeSize(node.shape.slice(1));
  let channelOffset = 0;
  node.inputs.forEach((inputId, i) => {
    const inputShape = context.graph.nodes[inputId]!.shape;
    const channels = inputShape[0]!;
    const dispatch = linearDispatch(context.batch * channels * inner);
    const wgsl = `${headerComment(`concat along channels: input ${i} -> channels ${channelOffset}..${channelOffset + channels - 1}`, {
      layer: node.name,
      input: shapeText([context.batch, ...inputShape]),
      output: shapeText([context.batch, ...node.shape]),
      schedule: "one invocation per input element",
    })}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const INPUT_SAMPLE: u32 = ${channels * inner}u;
const OUTPUT_SAMPLE: u32 = ${outputChannels * inner}u;
const OFFSET: u32 = ${channelOffset * inner}u;
${dispatch.entryPoint}
  let sample = index / INPUT_SAMPLE;
  y[sample * OUTPUT_SAMPLE + OFFSET + index % INPUT_SAMPLE] = x[index];
}
`;
    context.emit({
      name: `${node.name}.concat${i}`,
      node: node.id,
      layer: node.name,
      wgsl,
      entryPoint: "main",
      workgroups: dispatch.workgroups,
      bindings: [
        { buffer: context.inputBuffers[i]!, access: "read" },
        { buffer: context.outputBuffer, access: "read_write" },
      ],
    });
    channelOffset += channels;
  });
  if (channelOffset !== outputChannels) {
    throw new Error(`internal: concat ${node.name} inputs have ${channelOffset} channels, output ${outputChannels}`);
  }
}
