// Ops that slide a window over the spatial axes, or reduce them: conv, pool, global_pool.
import { inferConvShape } from "../ir/shapes/conv.js";
import { inferGlobalPoolShape, inferPoolShape } from "../ir/shapes/pool.js";
import { runConv } from "../reference/conv.js";
import { convGradient } from "../reference/gradients/conv.js";
import { globalPoolGradient, poolGradient } from "../reference/gradients/pool.js";
import { runGlobalPool, runPool } from "../reference/pool.js";
import { paramOperand, savedStateName, type Operand } from "../kernels/trainingWork.js";
import { shapeSize } from "../ir/graph.js";
import { onlyInput, type OpDefinition } from "./definition.js";
import { convLabel, globalPoolLabel, poolLabel } from "./labels.js";
import { NOT_ELEMENTWISE } from "./traits.js";

export const CONV: OpDefinition<"conv"> = {
  op: "conv",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "conv" },
  label: convLabel,
  inferShape: (attrs, inputs) => inferConvShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs, weights) => runConv(node, attrs, onlyInput(inputs), weights),
  referenceGradient: (node, attrs, inputs, weights, _output, outputGradient) => convGradient(node, attrs, onlyInput(inputs), weights, outputGradient),
  // The transposed conv for the input, im2col(x)^T * dy for the filter; the bias is an epilogue stage.
  gradient: (node, attrs, context) => {
    const shapes = { attrs, inputShape: onlyInput(context.inputShapes), outputShape: node.shape };
    const dy = context.outputGradient;
    if (context.needsGradient(0)) context.inputGradient(0, { kind: "conv_backward_data", ...shapes }, { dy, weight: paramOperand(node, "weight") });
    context.paramGradient({ kind: "conv_backward_filter", ...shapes }, { dy, x: onlyInput(context.inputs), dweight: context.gradientOf(node, "weight") });
  },
};

export const POOL: OpDefinition<"pool"> = {
  op: "pool",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "pool" },
  label: poolLabel,
  inferShape: (attrs, inputs) => inferPoolShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runPool(node, attrs, onlyInput(inputs)),
  referenceGradient: (node, attrs, inputs, _weights, output, outputGradient) => poolGradient(node, attrs, onlyInput(inputs), output, outputGradient),
  // Max pooling records the switches (argmax per window) its backward routes through.
  trainingForward: (node, attrs, { input, output, inputShape }) =>
    attrs.kind !== "max"
      ? undefined
      : {
          work: { kind: "maxpool_switches", attrs, inputShape, outputShape: node.shape },
          operands: {
            x: input,
            y: output,
            switches: { kind: "state", name: savedStateName(node, "switches"), elements: shapeSize(node.shape), perSample: true, element: "u32" },
          },
        },
  gradient: (node, attrs, context) => {
    if (!context.needsGradient(0)) return;
    const work = { kind: "pool_backward" as const, attrs, inputShape: onlyInput(context.inputShapes), outputShape: node.shape };
    const dy = context.outputGradient;
    const operands: Record<string, Operand> =
      attrs.kind === "max"
        ? { dy, switches: context.saved(node, "switches") }
        : attrs.kind === "avg"
          ? { dy }
          : { dy, x: onlyInput(context.inputs), y: context.output };
    context.inputGradient(0, work, operands);
  },
};

export const GLOBAL_POOL: OpDefinition<"global_pool"> = {
  op: "global_pool",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "global_pool" },
  label: globalPoolLabel,
  inferShape: (attrs, inputs) => inferGlobalPoolShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runGlobalPool(node, attrs, onlyInput(inputs)),
  referenceGradient: (_node, attrs, inputs, _weights, _output, outputGradient) => globalPoolGradient(attrs, onlyInput(inputs), outputGradient),
  gradient: (_node, attrs, context) => {
    if (!context.needsGradient(0)) return;
    const dy = context.outputGradient;
    const work = { kind: "global_pool_backward" as const, poolKind: attrs.kind, inputShape: onlyInput(context.inputShapes) };
    context.inputGradient(0, work, attrs.kind === "avg" ? { dy } : { dy, x: onlyInput(context.inputs), y: context.output });
  },
};
