// Concatenation along channels: input i (C_i channels) lands at channel offset sum_{j<i} C_j of each
// sample. One copy kernel per input, each writing its own disjoint slice of the output.
import type { Node } from "../ir/graph.js";
import { channelLayout, INPUT_OUTPUT_BINDINGS_WGSL, inputOutputBindings, linearDispatch } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { headerComment } from "./wgsl.js";
import { emitKernel, type KernelContext } from "./plan.js";

export function generateConcat(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "concat") throw new Error(`internal: generateConcat called on ${node.attrs.op}`);
  const { C: outputChannels, inner } = channelLayout(node.shape);
  let channelOffset = 0;
  node.inputs.forEach((inputId, i) => {
    const inputShape = context.graph.nodes[inputId]!.shape;
    const channels = inputShape[0]!;
    const dispatch = linearDispatch(context.batch * channels * inner);
    const wgsl = `${headerComment(`concat along channels: input ${i} -> channels ${channelOffset}..${channelOffset + channels - 1}`, {
      layer: node.name,
      input: describeShape([context.batch, ...inputShape]),
      output: describeShape([context.batch, ...node.shape]),
      schedule: "one invocation per input element",
    })}

${INPUT_OUTPUT_BINDINGS_WGSL}

const INPUT_SAMPLE: u32 = ${channels * inner}u;
const OUTPUT_SAMPLE: u32 = ${outputChannels * inner}u;
const OFFSET: u32 = ${channelOffset * inner}u;
${dispatch.entryPoint}
  let sample = index / INPUT_SAMPLE;
  y[sample * OUTPUT_SAMPLE + OFFSET + index % INPUT_SAMPLE] = x[index];
}
`;
    emitKernel(context, node, `concat${i}`, wgsl, dispatch.workgroups, inputOutputBindings(context, i));
    channelOffset += channels;
  });
  if (channelOffset !== outputChannels) {
    throw new Error(`internal: concat ${node.name} inputs have ${channelOffset} channels, output ${outputChannels}`);
  }
}
