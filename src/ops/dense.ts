// Ops on the flattened features: fc (which flattens its input implicitly) and flatten itself.
import { inferFcShape, inferFlattenShape } from "../ir/shapes/dense.js";
import { runFc } from "../reference/fc.js";
import { fcGradient } from "../reference/gradients/dense.js";
import { viewGradient } from "../reference/gradients/elementwise.js";
import { runFlatten } from "../reference/structural.js";
import { paramOperand } from "../kernels/trainingWork.js";
import { shapeSize } from "../ir/graph.js";
import { nameLabel, onlyInput, type OpDefinition } from "./definition.js";
import { NOT_ELEMENTWISE } from "./traits.js";

export const FC: OpDefinition<"fc"> = {
  op: "fc",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "fc" },
  label: nameLabel("fc"),
  inferShape: (attrs, inputs) => inferFcShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs, weights) => runFc(node, attrs, onlyInput(inputs), weights),
  referenceGradient: (node, attrs, inputs, weights, _output, outputGradient) => fcGradient(node, attrs, onlyInput(inputs), weights, outputGradient),
  // dx = dy W and dW = dy^T x (the input flattened); the bias is an epilogue stage.
  gradient: (node, attrs, context) => {
    const features = { inFeatures: shapeSize(onlyInput(context.inputShapes)), outFeatures: attrs.outFeatures };
    const dy = context.outputGradient;
    if (context.needsGradient(0)) context.inputGradient(0, { kind: "fc_backward_data", ...features }, { dy, weight: paramOperand(node, "weight") });
    context.paramGradient({ kind: "fc_backward_weight", ...features }, { dy, x: onlyInput(context.inputs), dweight: context.gradientOf(node, "weight") });
  },
};

export const FLATTEN: OpDefinition<"flatten"> = {
  op: "flatten",
  arity: "one",
  // The same elements in the same order, but a different shape: not elementwise in the registry's
  // sense (an elementwise op keeps its input's shape).
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "view" },
  label: nameLabel("flatten"),
  inferShape: (_attrs, inputs) => inferFlattenShape(onlyInput(inputs)),
  reference: (node, _attrs, inputs) => runFlatten(node, onlyInput(inputs)),
  referenceGradient: (_node, _attrs, inputs, _weights, _output, outputGradient) => viewGradient(onlyInput(inputs), outputGradient),
};
