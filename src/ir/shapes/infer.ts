// One entry point over every op: given a node's attrs and its input shapes, its derived facts.
// Used by elaboration (with spans attached by the caller), the infer-shapes pass and the verifier.
// Each op's shape function is its registry definition's (src/ops/); this checks the input count first.
import type { OpAttrs, Shape } from "../graph.js";
import type { InferOptions } from "../../ops/definition.js";
import { opDefinition } from "../../ops/registry.js";
import { type ShapeResult, shapeProblem } from "./result.js";

export type { InferOptions } from "../../ops/definition.js";

export function inferNodeFacts(attrs: OpAttrs, inputs: Shape[], options: InferOptions = {}): ShapeResult {
  const definition = opDefinition(attrs.op);
  if (definition.arity === "none" && inputs.length !== 0) {
    return shapeProblem("wrong-input-count", `${attrs.op} reads no values, got ${inputs.length}`);
  }
  if (definition.arity === "one" && inputs.length !== 1) {
    return shapeProblem("wrong-input-count", `${attrs.op} reads exactly one value, got ${inputs.length}`);
  }
  return definition.inferShape(attrs, inputs, options);
}
