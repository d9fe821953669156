// One place per op: every layer op's definition (definition.ts: traits, lowering, label, shape
// function, float64 reference), keyed by its `op` tag. Shape inference (inferNodeFacts), the CPU
// reference (runReference), opLabel, in-place marking and lowering ask the registry instead of keeping
// their own per-op switches or lists of activations and elementwise ops.
//
// Adding an op: its attrs in src/ir/graph.ts, its shape function (src/ir/shapes/) and reference
// (src/reference/), then its definition in the family file here and one line below. The training
// issue adds each op's gradient as a field of OpDefinition (definition.ts): that is where it goes.
import type { OpAttrs, OpKind } from "../ir/graph.js";
import type { OpDefinition, OpDefinitions, OpTraits } from "./definition.js";
import { FC, FLATTEN } from "./dense.js";
import { DROPOUT, ELU, HARDSIGMOID, HARDSWISH, LEAKY_RELU, RELU, RELU6, SIGMOID, SILU, SOFTMAX, TANH } from "./elementwise.js";
import { INPUT } from "./input.js";
import { ADD, CONCAT, MUL } from "./merge.js";
import { BATCHNORM, LRN } from "./normalization.js";
import { CONV, GLOBAL_POOL, POOL } from "./spatial.js";
import { CONV_TRANSPOSE, UPSAMPLE } from "./upsampling.js";

export type {
  GradientContext,
  GradientFunction,
  TrainingForwardFunction,
  InferOptions,
  KernelAnchor,
  OpArity,
  OpAttrsOf,
  OpDefinition,
  OpLowering,
  OpTraits,
  ReferenceFunction,
  ReferenceGradientFunction,
  ReferenceGradients,
  ShapeFunction,
} from "./definition.js";

const DEFINITIONS: OpDefinitions = {
  input: INPUT,
  conv: CONV,
  conv_transpose: CONV_TRANSPOSE,
  upsample: UPSAMPLE,
  fc: FC,
  pool: POOL,
  global_pool: GLOBAL_POOL,
  flatten: FLATTEN,
  relu: RELU,
  leaky_relu: LEAKY_RELU,
  elu: ELU,
  tanh: TANH,
  sigmoid: SIGMOID,
  relu6: RELU6,
  hardsigmoid: HARDSIGMOID,
  hardswish: HARDSWISH,
  silu: SILU,
  softmax: SOFTMAX,
  batchnorm: BATCHNORM,
  dropout: DROPOUT,
  lrn: LRN,
  add: ADD,
  mul: MUL,
  concat: CONCAT,
};

/**
 * The definition of one op. With `attrs` of a union type, call it as `opDefinition(attrs.op)` and pass
 * the same `attrs` to its functions: the definition's attrs type is then that union too.
 */
export function opDefinition<K extends OpKind>(op: K): OpDefinition<K> {
  return DEFINITIONS[op];
}

export function opTraits(attrs: OpAttrs): OpTraits {
  return DEFINITIONS[attrs.op].traits;
}

/** Every op kind, in the registry's order. */
export const OP_KINDS: readonly OpKind[] = Object.keys(DEFINITIONS) as OpKind[];
