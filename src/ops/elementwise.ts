// Ops that keep their input's shape: the activations (one definition each, from the activation table),
// softmax (over the channel/feature axis) and dropout (the identity at inference).
import type { ActivationAttrs } from "../ir/graph.js";
import { inferActivationShape, inferDropoutShape, inferSoftmaxShape } from "../ir/shapes/elementwise.js";
import { runActivation } from "../reference/activations.js";
import { activationGradient, softmaxGradient, viewGradient } from "../reference/gradients/elementwise.js";
import { runSoftmax } from "../reference/softmax.js";
import { runDropout } from "../reference/structural.js";
import type { ActivationKind } from "./activations.js";
import { nameLabel, onlyInput, type OpDefinition } from "./definition.js";
import { ELEMENTWISE_IN_PLACE } from "./traits.js";

/**
 * The definition of one activation. Its label is its name (the summary's op column); the label with
 * its parameter, its reference math and its WGSL are the activation table's (activations.ts).
 */
function activationOp<K extends ActivationKind>(op: K): OpDefinition<K> {
  return {
    op,
    arity: "one",
    traits: ELEMENTWISE_IN_PLACE,
    lowering: { kind: "stage" },
    label: nameLabel(op),
    inferShape: (attrs: ActivationAttrs, inputs) => inferActivationShape(attrs, onlyInput(inputs)),
    reference: (node, attrs: ActivationAttrs, inputs) => runActivation(node, attrs, onlyInput(inputs)),
    referenceGradient: (_node, attrs: ActivationAttrs, inputs, _weights, output, outputGradient) =>
      activationGradient(attrs, onlyInput(inputs), output, outputGradient),
  };
}

export const RELU = activationOp("relu");
export const LEAKY_RELU = activationOp("leaky_relu");
export const ELU = activationOp("elu");
export const TANH = activationOp("tanh");
export const SIGMOID = activationOp("sigmoid");

export const SOFTMAX: OpDefinition<"softmax"> = {
  op: "softmax",
  arity: "one",
  // Softmax reads a whole row per output, so it is not elementwise, but it can still write over its
  // input (each invocation reads its row before writing it).
  traits: { elementwise: false, inPlace: true },
  lowering: { kind: "anchor", anchor: "softmax" },
  label: nameLabel("softmax"),
  inferShape: (_attrs, inputs) => inferSoftmaxShape(onlyInput(inputs)),
  reference: (node, _attrs, inputs) => runSoftmax(node, onlyInput(inputs)),
  referenceGradient: (_node, _attrs, _inputs, _weights, output, outputGradient) => softmaxGradient(output, outputGradient),
};

export const DROPOUT: OpDefinition<"dropout"> = {
  op: "dropout",
  arity: "one",
  traits: ELEMENTWISE_IN_PLACE,
  lowering: { kind: "view" },
  label: nameLabel("dropout"),
  inferShape: (attrs, inputs) => inferDropoutShape(attrs.p, onlyInput(inputs)),
  reference: (node, _attrs, inputs) => runDropout(node, onlyInput(inputs)),
  // Dropout at inference is the identity, and so is its gradient (the training-mode mask is the trainer's).
  referenceGradient: (_node, _attrs, inputs, _weights, _output, outputGradient) => viewGradient(onlyInput(inputs), outputGradient),
};
