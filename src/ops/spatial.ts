// Ops that slide a window over the spatial axes, or reduce them: conv, pool, global_pool.
import { inferConvShape } from "../ir/shapes/conv.js";
import { inferGlobalPoolShape, inferPoolShape } from "../ir/shapes/pool.js";
import { runConv } from "../reference/conv.js";
import { convGradient } from "../reference/gradients/conv.js";
import { globalPoolGradient, poolGradient } from "../reference/gradients/pool.js";
import { runGlobalPool, runPool } from "../reference/pool.js";
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
};
