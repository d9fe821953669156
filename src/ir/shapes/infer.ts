// One entry point over every op: given a node's attrs and its input shapes, its derived facts.
// Used by elaboration (with spans attached by the caller), the infer-shapes pass and the verifier.
import type { OpAttrs, Shape } from "../graph.js";
import { inferConvShape } from "./conv.js";
import { inferFcShape, inferFlattenShape } from "./dense.js";
import { inferActivationShape, inferDropoutShape, inferSoftmaxShape } from "./elementwise.js";
import { inferInputShape } from "./input.js";
import { inferAddShape, inferConcatShape } from "./merge.js";
import { inferBatchNormShape, inferLrnShape } from "./normalization.js";
import { inferGlobalPoolShape, inferPoolShape } from "./pool.js";
import { type ShapeResult, shapeProblem } from "./result.js";

export interface InferOptions {
  /** For `input` nodes: the declared shape (an input has no inputs to derive it from). */
  declaredShape?: Shape;
  /** Names of the input values, for messages of multi-input ops (`add`, `concat`). */
  inputNames?: string[];
}

export function inferNodeFacts(attrs: OpAttrs, inputs: Shape[], options: InferOptions = {}): ShapeResult {
  if (attrs.op === "input") {
    if (inputs.length !== 0) return shapeProblem("wrong-input-count", `an input node reads no values, got ${inputs.length}`);
    if (options.declaredShape === undefined) return shapeProblem("bad-input-shape", "an input node needs its declared shape");
    return inferInputShape(options.declaredShape);
  }
  if (attrs.op === "add") return inferAddShape(inputs, options.inputNames);
  if (attrs.op === "concat") return inferConcatShape(inputs, options.inputNames);
  if (inputs.length !== 1) return shapeProblem("wrong-input-count", `${attrs.op} reads exactly one value, got ${inputs.length}`);
  const input = inputs[0]!;
  switch (attrs.op) {
    case "conv":
      return inferConvShape(attrs, input);
    case "pool":
      return inferPoolShape(attrs, input);
    case "global_pool":
      return inferGlobalPoolShape(attrs, input);
    case "fc":
      return inferFcShape(attrs, input);
    case "flatten":
      return inferFlattenShape(input);
    case "relu":
    case "leaky_relu":
    case "elu":
    case "tanh":
    case "sigmoid":
      return inferActivationShape(attrs, input);
    case "softmax":
      return inferSoftmaxShape(input);
    case "batchnorm":
      return inferBatchNormShape(attrs, input);
    case "dropout":
      return inferDropoutShape(attrs.p, input);
    case "lrn":
      return inferLrnShape(attrs, input);
  }
}
