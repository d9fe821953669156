// Ops that enlarge the spatial axes, the decoder half of U-Nets and FPNs: conv_transpose (learned) and
// upsample (nearest or bilinear).
import { transposedConvAsConv, inferConvTransposeShape } from "../ir/shapes/convTranspose.js";
import { inferUpsampleShape } from "../ir/shapes/upsample.js";
import { runConvTranspose } from "../reference/convTranspose.js";
import { runUpsample } from "../reference/upsample.js";
import { convTransposeGradient } from "../reference/gradients/convTranspose.js";
import { upsampleGradient } from "../reference/gradients/upsample.js";
import { paramOperand } from "../kernels/trainingWork.js";
import { onlyInput, nameLabel, type OpDefinition } from "./definition.js";
import { NOT_ELEMENTWISE } from "./traits.js";

export const CONV_TRANSPOSE: OpDefinition<"conv_transpose"> = {
  op: "conv_transpose",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "conv_transpose" },
  label: nameLabel("conv_transpose"),
  inferShape: (attrs, inputs) => inferConvTransposeShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs, weights) => runConvTranspose(node, attrs, onlyInput(inputs), weights),
  referenceGradient: (node, attrs, inputs, weights, _output, outputGradient) => convTransposeGradient(node, attrs, onlyInput(inputs), weights, outputGradient),
  // dx is a plain conv of dy with the same weight; the weight gradient is the filter gradient of the
  // conv this one transposes (its input: our dy, its output gradient: our x). The bias is an epilogue stage.
  gradient: (node, attrs, context) => {
    const inputShape = onlyInput(context.inputShapes);
    const dy = context.outputGradient;
    if (context.needsGradient(0)) {
      context.inputGradient(0, { kind: "conv_transpose_backward_data", attrs, inputShape, outputShape: node.shape }, { dy, weight: paramOperand(node, "weight") });
    }
    const conv = transposedConvAsConv(attrs, inputShape[0]!);
    context.paramGradient({ kind: "conv_backward_filter", attrs: conv, inputShape: node.shape, outputShape: inputShape }, { dy: onlyInput(context.inputs), x: dy, dweight: context.gradientOf(node, "weight") });
  },
};

export const UPSAMPLE: OpDefinition<"upsample"> = {
  op: "upsample",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "upsample" },
  label: nameLabel("upsample"),
  inferShape: (attrs, inputs) => inferUpsampleShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runUpsample(node, attrs, onlyInput(inputs)),
  referenceGradient: (node, attrs, inputs, _weights, _output, outputGradient) => upsampleGradient(node, attrs, onlyInput(inputs), outputGradient),
  gradient: (node, attrs, context) => {
    if (!context.needsGradient(0)) return;
    context.inputGradient(0, { kind: "upsample_backward", attrs, inputShape: onlyInput(context.inputShapes), outputShape: node.shape }, { dy: context.outputGradient });
  },
};
