// Ops that combine several values: add (residual connections), mul (squeeze-and-excitation gates)
// and concat (along channels).
import { inferAddShape, inferConcatShape, inferMulShape } from "../ir/shapes/merge.js";
import { addGradient, concatGradient, mulGradient } from "../reference/gradients/elementwise.js";
import { runAdd, runConcat, runMul } from "../reference/structural.js";
import { nameLabel, type OpDefinition } from "./definition.js";
import { channelsAndInner } from "../reference/value.js";
import { ELEMENTWISE, NOT_ELEMENTWISE } from "./traits.js";

export const ADD: OpDefinition<"add"> = {
  op: "add",
  arity: "several",
  traits: ELEMENTWISE,
  lowering: { kind: "stage" },
  label: nameLabel("add"),
  inferShape: (_attrs, inputs, options) => inferAddShape(inputs, options.inputNames),
  reference: (node, _attrs, inputs) => runAdd(node, inputs),
  referenceGradient: (_node, _attrs, inputs, _weights, _output, outputGradient) => addGradient(inputs, outputGradient),
};

/**
 * Lowered like add, as an elementwise stage: on its own an elementwise kernel over its first input
 * with a `mul` epilogue stage reading the gate; fused, that stage joins the epilogue of the kernel
 * producing the first input. Its GPU gradient is taken stage by stage by the differentiate step.
 */
export const MUL: OpDefinition<"mul"> = {
  op: "mul",
  arity: "several",
  traits: ELEMENTWISE,
  lowering: { kind: "stage" },
  label: nameLabel("mul"),
  inferShape: (_attrs, inputs, options) => inferMulShape(inputs, options.inputNames),
  reference: (node, _attrs, inputs) => runMul(node, inputs),
  referenceGradient: (node, _attrs, inputs, _weights, _output, outputGradient) => mulGradient(node, inputs, outputGradient),
};

export const CONCAT: OpDefinition<"concat"> = {
  op: "concat",
  arity: "several",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "concat" },
  label: nameLabel("concat"),
  inferShape: (_attrs, inputs, options) => inferConcatShape(inputs, options.inputNames),
  reference: (node, _attrs, inputs) => runConcat(node, inputs),
  referenceGradient: (_node, _attrs, inputs, _weights, _output, outputGradient) => concatGradient(inputs, outputGradient),
  // Each operand's gradient is its channel slice of the output's gradient.
  gradient: (node, _attrs, context) => {
    let channelOffset = 0;
    context.inputShapes.forEach((shape, index) => {
      const { channels, inner } = channelsAndInner(shape);
      const work = { kind: "concat_backward" as const, inner, channels, channelOffset, totalChannels: node.shape[0]! };
      if (context.needsGradient(index)) context.inputGradient(index, work, { dy: context.outputGradient });
      channelOffset += channels;
    });
  },
};
