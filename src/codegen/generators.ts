// Which kernel generator computes each op. Ops that are views (flatten, dropout at inference) and graph
// inputs have no entry: the plan builder maps them to an existing buffer instead of emitting a kernel.
import type { OpKind } from "../ir/graph.js";
import { OP_KINDS, opDefinition } from "../ops/registry.js";
import type { KernelGenerator } from "./plan.js";
import { generateActivation } from "./activation.js";
import { generateAdd } from "./add.js";
import { generateBatchNorm } from "./batchnorm.js";
import { generateConcat } from "./concat.js";
import { generateConv } from "./conv/conv.js";
import { generateFc } from "./fc.js";
import { generateGlobalPool } from "./globalPool.js";
import { generateLrn } from "./lrn.js";
import { generatePool } from "./pool.js";
import { generateSoftmax } from "./softmax.js";

/** Ops whose output is their (single) input's buffer, reinterpreted: no kernel, no copy. */
export const VIEW_OPS: ReadonlySet<OpKind> = new Set(OP_KINDS.filter((op) => opDefinition(op).lowering.kind === "view"));

export const KERNEL_GENERATORS: ReadonlyMap<OpKind, KernelGenerator> = new Map<OpKind, KernelGenerator>([
  ["conv", generateConv],
  ["fc", generateFc],
  ["pool", generatePool],
  ["global_pool", generateGlobalPool],
  ["relu", generateActivation],
  ["leaky_relu", generateActivation],
  ["elu", generateActivation],
  ["tanh", generateActivation],
  ["sigmoid", generateActivation],
  ["softmax", generateSoftmax],
  ["batchnorm", generateBatchNorm],
  ["lrn", generateLrn],
  ["add", generateAdd],
  ["concat", generateConcat],
]);
