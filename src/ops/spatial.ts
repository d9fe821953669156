// Ops that slide a window over the spatial axes, or reduce them: conv, pool, global_pool.
import { inferConvShape } from "../ir/shapes/conv.js";
import { inferGlobalPoolShape, inferPoolShape } from "../ir/shapes/pool.js";
import { runConv } from "../reference/conv.js";
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
};

export const POOL: OpDefinition<"pool"> = {
  op: "pool",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "pool" },
  label: poolLabel,
  inferShape: (attrs, inputs) => inferPoolShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runPool(node, attrs, onlyInput(inputs)),
};

export const GLOBAL_POOL: OpDefinition<"global_pool"> = {
  op: "global_pool",
  arity: "one",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "anchor", anchor: "global_pool" },
  label: globalPoolLabel,
  inferShape: (attrs, inputs) => inferGlobalPoolShape(attrs, onlyInput(inputs)),
  reference: (node, attrs, inputs) => runGlobalPool(node, attrs, onlyInput(inputs)),
};
