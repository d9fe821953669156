// Normalizations: batchnorm (running statistics at inference) and LRN across channels.
import { inferBatchNormShape, inferLrnShape } from "../ir/shapes/normalization.js";
import { batchnormGradient, lrnGradient } from "../reference/gradients/normalization.js";
import { runBatchNorm, runLrn } from "../reference/normalization.js";
import { nameLabel, onlyInput, type OpDefinition } from "./definition.js";
import { ELEMENTWISE, NOT_ELEMENTWISE } from "./traits.js";

export const BATCHNORM: OpDefinition<"batchnorm"> = {
  op: "batchnorm",
  arity: "one",
  traits: ELEMENTWISE,
  lowering: { kind: "stage" },
  label: nameLabel("batchnorm"),
  inferShape: (attrs, inputs) => inferBatchNormShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs, weights) => runBatchNorm(node, attrs, onlyInput(inputs), weights),
  referenceGradient: (node, attrs, inputs, weights, _output, outputGradient) => batchnormGradient(node, attrs, onlyInput(inputs), weights, outputGradient),
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
};
