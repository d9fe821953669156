// One place per op: what the rest of the compiler needs to know about each layer op, keyed by its
// `op` tag. Passes and codegen ask the registry (`opDefinition(op).traits`) instead of keeping their
// own lists of activations or elementwise ops. Adding an op means adding an entry here (and its shape
// function, reference and kernel where the entry points to them).
//
// The training issue adds each op's gradient as a field of OpDefinition: that is where it goes.
import type { OpAttrs, OpKind } from "../ir/graph.js";

/** The kind of kernel an op becomes when it is lowered on its own (see src/kernels/lower.ts). */
export type KernelAnchor = "conv" | "fc" | "pool" | "global_pool" | "softmax" | "lrn" | "concat" | "elementwise";

/** How an op is lowered to the kernel graph. */
export type OpLowering =
  /** A graph input: a value uploaded before the run, no kernel. */
  | { kind: "input" }
  /** Its value is its single input's buffer, reinterpreted (flatten; dropout at inference): no kernel. */
  | { kind: "view" }
  /** A kernel of its own, with `anchor` as the kernel's main computation. */
  | { kind: "anchor"; anchor: KernelAnchor }
  /**
   * An elementwise stage (activation, batchnorm, add): on its own, an `elementwise` kernel applying
   * just this stage; fusion passes move the stage into the epilogue of the kernel producing its input.
   */
  | { kind: "stage" };

export interface OpTraits {
  /** Output element i depends only on input element i (of each input). */
  elementwise: boolean;
  /** May overwrite its single input's buffer when nothing else reads it (PyTorch's inplace=True). */
  inPlace: boolean;
}

export interface OpDefinition {
  op: OpKind;
  traits: OpTraits;
  lowering: OpLowering;
}

const ELEMENTWISE_IN_PLACE: OpTraits = { elementwise: true, inPlace: true };
const NOT_ELEMENTWISE: OpTraits = { elementwise: false, inPlace: false };

function define(op: OpKind, traits: OpTraits, lowering: OpLowering): OpDefinition {
  return { op, traits, lowering };
}

const DEFINITIONS: Record<OpKind, OpDefinition> = {
  input: define("input", NOT_ELEMENTWISE, { kind: "input" }),
  conv: define("conv", NOT_ELEMENTWISE, { kind: "anchor", anchor: "conv" }),
  fc: define("fc", NOT_ELEMENTWISE, { kind: "anchor", anchor: "fc" }),
  pool: define("pool", NOT_ELEMENTWISE, { kind: "anchor", anchor: "pool" }),
  global_pool: define("global_pool", NOT_ELEMENTWISE, { kind: "anchor", anchor: "global_pool" }),
  flatten: define("flatten", NOT_ELEMENTWISE, { kind: "view" }),
  relu: define("relu", ELEMENTWISE_IN_PLACE, { kind: "stage" }),
  leaky_relu: define("leaky_relu", ELEMENTWISE_IN_PLACE, { kind: "stage" }),
  elu: define("elu", ELEMENTWISE_IN_PLACE, { kind: "stage" }),
  tanh: define("tanh", ELEMENTWISE_IN_PLACE, { kind: "stage" }),
  sigmoid: define("sigmoid", ELEMENTWISE_IN_PLACE, { kind: "stage" }),
  // Softmax reads a whole row per output, so it is not elementwise, but it can still write over its input
  // (each invocation reads its row before writing it).
  softmax: define("softmax", { elementwise: false, inPlace: true }, { kind: "anchor", anchor: "softmax" }),
  batchnorm: define("batchnorm", { elementwise: true, inPlace: false }, { kind: "stage" }),
  dropout: define("dropout", ELEMENTWISE_IN_PLACE, { kind: "view" }),
  lrn: define("lrn", NOT_ELEMENTWISE, { kind: "anchor", anchor: "lrn" }),
  add: define("add", { elementwise: true, inPlace: false }, { kind: "stage" }),
  concat: define("concat", NOT_ELEMENTWISE, { kind: "anchor", anchor: "concat" }),
};

export function opDefinition(op: OpKind): OpDefinition {
  return DEFINITIONS[op];
}

export function opTraits(attrs: OpAttrs): OpTraits {
  return DEFINITIONS[attrs.op].traits;
}

/** Every op kind, in the registry's order. */
export const OP_KINDS: readonly OpKind[] = Object.keys(DEFINITIONS) as OpKind[];
