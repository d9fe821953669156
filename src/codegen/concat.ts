// Concatenation along channels: input i (C_i channels) lands at channel offset sum_{j<i} C_j of each
// sample. One copy kernel per input, each writing its own disjoint slice of the output.
import type { Node } from "../ir/graph.js";
import { channelLayout, ELEMENTWISE_WORKGROUP_SIZE, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { requireDenseSeparateOutput } from "./store.js";
import { foldedDispatch, kernelSource, u32Constants } from "./wgsl.js";
import { emitKernel, type KernelContext } from "./plan.js";

export function generateConcat(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "concat") throw new Error(`internal: generateConcat called on ${node.attrs.op}`);
  requireDenseSeparateOutput(context, `${node.name}: concat kernel`);
  const { C: outputChannels, inner } = channelLayout(node.shape);
  let channelOffset = 0;
  node.inputs.forEach((inputId, i) => {
    const inputShape = context.graph.nodes[inputId]!.shape;
    const channels = inputShape[0]!;
    const dispatch = foldedDispatch(context.batch * channels * inner, ELEMENTWISE_WORKGROUP_SIZE);
    const wgsl = kernelSource({
      title: `concat along channels: input -> channels ${channelOffset}..${channelOffset + channels - 1}`,
      details: {
        input: describeShape([context.batch, ...inputShape]),
        output: describeShape([context.batch, ...node.shape]),
        schedule: "one invocation per input element",
      },
      bindings: INPUT_OUTPUT_BINDINGS,
      declarations: [u32Constants({ INPUT_SAMPLE: channels * inner, OUTPUT_SAMPLE: outputChannels * inner, OFFSET: channelOffset * inner })],
      dispatch,
      body: [`  let sample = index / INPUT_SAMPLE;`, `  y[sample * OUTPUT_SAMPLE + OFFSET + index % INPUT_SAMPLE] = x[index];`],
    });
    emitKernel(context, node, `concat${i}`, wgsl, dispatch.workgroups, inputOutputBindings(context, i), 0); // no loops
    channelOffset += channels;
  });
  if (channelOffset !== outputChannels) {
    throw new Error(`internal: concat ${node.name} inputs have ${channelOffset} channels, output ${outputChannels}`);
  }
}
