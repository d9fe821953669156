// Normalizations: batchnorm (running statistics at inference) and LRN across channels.
import { inferBatchNormShape, inferLrnShape } from "../ir/shapes/normalization.js";
import { batchnormGradient, lrnGradient } from "../reference/gradients/normalization.js";
import { runBatchNorm, runLrn } from "../reference/normalization.js";
import { nameLabel, onlyInput, type OpDefinition } from "./definition.js";
import { ELEMENTWISE, NOT_ELEMENTWISE } from "./traits.js";
import { paramOperand, savedStateName } from "../kernels/trainingWork.js";
import { channelsAndInner } from "../reference/value.js";

export const BATCHNORM: OpDefinition<"batchnorm"> = {
  op: "batchnorm",
  arity: "one",
  traits: ELEMENTWISE,
  lowering: { kind: "stage" },
  label: nameLabel("batchnorm"),
  counterBuffers: ["num_batches_tracked"],
  inferShape: (attrs, inputs) => inferBatchNormShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs, weights) => runBatchNorm(node, attrs, onlyInput(inputs), weights),
  referenceGradient: (node, attrs, inputs, weights, _output, outputGradient) => batchnormGradient(node, attrs, onlyInput(inputs), weights, outputGradient),
  // In training: batch statistics per channel, running statistics updated with momentum (as PyTorch),
  // the batch mean and 1/std saved for the backward.
  trainingForward: (node, attrs, { input, output }) => {
    const { channels, inner } = channelsAndInner(node.shape);
    return {
      work: { kind: "batchnorm_train", channels, inner, eps: attrs.eps, momentum: attrs.momentum },
      operands: {
        x: input,
        weight: paramOperand(node, "weight"),
        bias: paramOperand(node, "bias"),
        running_mean: paramOperand(node, "running_mean"),
        running_var: paramOperand(node, "running_var"),
        saved: { kind: "state", name: savedStateName(node, "saved"), elements: 2 * channels },
        y: output,
      },
    };
  },
  // The batch-statistics backward; a fused activation (work.activation) is differentiated inside it.
  gradient: (node, _attrs, context) => {
    const { channels, inner } = channelsAndInner(node.shape);
    context.inputGradient(
      0,
      { kind: "batchnorm_backward", channels, inner, ...(context.fusedActivation === undefined ? {} : { activation: context.fusedActivation }) },
      {
        dy: context.outputGradient,
        x: onlyInput(context.inputs),
        weight: paramOperand(node, "weight"),
        bias: paramOperand(node, "bias"),
        saved: context.saved(node, "saved"),
        dweight: context.gradientOf(node, "weight"),
        dbias: context.gradientOf(node, "bias"),
      },
    );
  },
};

export const LRN: OpDefinition<"lrn"> = {
  op: "lrn",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "lrn" },
  label: nameLabel("lrn"),
  inferShape: (attrs, inputs) => inferLrnShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runLrn(node, attrs, onlyInput(inputs)),
  referenceGradient: (_node, attrs, inputs, _weights, _output, outputGradient) => lrnGradient(attrs, onlyInput(inputs), outputGradient),
  // From the input: each element's gradient recomputes the divisors of the windows holding it.
  gradient: (node, attrs, context) => {
    if (!context.needsGradient(0)) return;
    const { channels, inner } = channelsAndInner(node.shape);
    const work = { kind: "lrn_backward" as const, channels, inner, size: attrs.size, alpha: attrs.alpha, beta: attrs.beta, k: attrs.k };
    context.inputGradient(0, work, { dy: context.outputGradient, x: onlyInput(context.inputs) });
  },
};
