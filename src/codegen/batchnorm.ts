// Batch normalization at inference as a standalone kernel: the elementwise kernel with one unfolded
// batchnorm stage (epilogue.ts), per channel of a [C, H, W] / [C, L] value and per feature of an [F] one.
import type { Node } from "../ir/graph.js";
import { batchnormStage } from "./epilogue.js";
import { emitElementwise } from "./elementwise.js";
import type { KernelContext } from "./plan.js";

export function generateBatchNorm(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (attrs.op !== "batchnorm") throw new Error(`internal: generateBatchNorm called on ${attrs.op}`);
  const buffers = {
    weight: context.paramBuffer("weight"),
    bias: context.paramBuffer("bias"),
    runningMean: context.paramBuffer("running_mean"),
    runningVar: context.paramBuffer("running_var"),
  };
  emitElementwise(node, context, [batchnormStage(buffers, attrs.eps, "")], { kernel: "batchnorm" });
}
