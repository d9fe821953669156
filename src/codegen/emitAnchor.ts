// Which generator emits a kernel node, by its anchor: conv, conv_transpose and fc take the epilogue stages (and a conv
// a pool to compute directly), elementwise kernels apply them to the sum of their operands, and the
// other anchors have no epilogue (the fusion passes never give them one).
import type { Node } from "../ir/graph.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { generateConcat } from "./concat.js";
import { emitConv } from "./conv/conv.js";
import { emitConvTranspose } from "./convTranspose.js";
import type { EpilogueStage } from "./epilogue.js";
import { emitElementwise } from "./elementwise.js";
import { emitFc } from "./fc.js";
import { generateGlobalPool } from "./globalPool.js";
import { generateLrn } from "./lrn.js";
import type { KernelContext } from "./plan.js";
import { generatePool } from "./pool.js";
import { generateSoftmax } from "./softmax.js";
import { generateUpsample } from "./upsample.js";

export function emitAnchor(graph: KernelGraph, kernel: KernelNode, anchor: Node, context: KernelContext, stages: EpilogueStage[]): void {
  if (stages.length > 0 && kernel.anchor !== "conv" && kernel.anchor !== "conv_transpose" && kernel.anchor !== "fc" && kernel.anchor !== "elementwise") {
    throw new Error(`internal: a ${kernel.anchor} kernel (${anchor.name}) was given epilogue stages`);
  }
  switch (kernel.anchor) {
    case "conv": {
      const pool = kernel.pool === undefined ? undefined : graph.source.nodes[kernel.pool]!;
      if (pool !== undefined && pool.attrs.op !== "pool") throw new Error(`internal: ${pool.name} is not a pool`);
      emitConv(anchor, context, stages, pool === undefined || pool.attrs.op !== "pool" ? {} : { pool: { attrs: pool.attrs, shape: pool.shape } });
      return;
    }
    case "conv_transpose":
      emitConvTranspose(anchor, context, stages);
      return;
    case "fc":
      emitFc(anchor, context, stages);
      return;
    case "upsample":
      generateUpsample(anchor, context);
      return;
    case "elementwise":
      // A kernel of one layer is named after its op (`c1.relu`), a fused chain `elementwise`.
      // A training step's sum of a value's gradients (no layer of its own) is a `gradient_sum`.
      emitElementwise(anchor, context, stages, { kernel: kernel.layers.length === 0 ? "gradient_sum" : kernel.layers.length === 1 ? anchor.attrs.op : "elementwise" });
      return;
    case "pool":
      generatePool(anchor, context);
      return;
    case "global_pool":
      generateGlobalPool(anchor, context);
      return;
    case "softmax":
      generateSoftmax(anchor, context);
      return;
    case "lrn":
      generateLrn(anchor, context);
      return;
    case "concat":
      generateConcat(anchor, context);
      return;
    case "training":
      throw new Error(`internal: training kernel of ${anchor.name} reached emitAnchor (emitPlan emits those)`);
  }
}
