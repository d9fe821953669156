// The conv kernel generator: reads the schedule from the node (or the default rule) and emits either
// the direct kernel, the im2col + GEMM pair, the implicit GEMM or (1x1 convs) the plain GEMM, with the conv's own epilogue (its bias). Fusion passes
// call `emitConv` with more epilogue stages appended, or with the pool layer it computes directly.
import type { ConvAttrs, Node } from "../../ir/graph.js";
import { biasStage, type EpilogueStage } from "../epilogue.js";
import type { KernelContext, KernelGenerator } from "../plan.js";
import { convScheduleOf } from "../schedule.js";
import { emitDirectConv } from "./direct.js";
import { convGeometry } from "./geometry.js";
import { emitIm2colConv } from "./im2col.js";
import { emitWinogradConv } from "./winograd.js";
import { emitImplicitGemmConv } from "./implicitGemm.js";
import { emitPointwiseConv } from "./pointwise.js";
import type { PooledOutput } from "./pooled.js";

export const generateConv: KernelGenerator = (node, context) => {
  const attrs = convAttrs(node);
  emitConv(node, context, convEpilogue(attrs, context));
};

/** The stages a conv applies by itself: its bias, when it has one. */
export function convEpilogue(attrs: ConvAttrs, context: KernelContext): EpilogueStage[] {
  return attrs.bias ? [biasStage(context.paramBuffer("bias"))] : [];
}

export interface ConvEmitOptions {
  /**
   * The pool layer to compute instead of the conv's output (direct schedule only; check
   * `pooledConvSupport` first): the kernel writes pool(epilogue(conv)) and never the conv's volume.
   */
  pool?: PooledOutput;
}

/** Emits the conv's kernels with the given epilogue (which replaces, not extends, `convEpilogue`). */
export function emitConv(node: Node, context: KernelContext, stages: readonly EpilogueStage[], options: ConvEmitOptions = {}): void {
  const attrs = convAttrs(node);
  const geometry = convGeometry(context.graph, node, attrs, context.batch);
  const schedule = convScheduleOf(node, attrs);
  if (context.inPlace === true) throw new Error(`internal: conv ${node.name} cannot run in place`);
  if (schedule.kind === "direct") {
    emitDirectConv(node, context, geometry, schedule, stages, options.pool);
    return;
  }
  if (options.pool !== undefined) throw new Error(`internal: conv ${node.name}: the ${schedule.kind} schedule cannot pool inside the kernel`);
  switch (schedule.kind) {
    case "im2col":
      return emitIm2colConv(node, context, geometry, schedule, stages);
    case "implicit_gemm":
      return emitImplicitGemmConv(node, context, geometry, schedule, stages);
    case "gemm":
      return emitPointwiseConv(node, context, geometry, schedule, stages);
    case "winograd":
      return emitWinogradConv(node, context, geometry, schedule, stages);
    default: {
      const unknown: never = schedule;
      throw new Error(`internal: conv ${node.name}: no generator for schedule ${JSON.stringify(unknown)}`);
    }
  }
}

function convAttrs(node: Node): ConvAttrs {
  if (node.attrs.op !== "conv") throw new Error(`internal: conv generator called on ${node.name} (${node.attrs.op})`);
  return node.attrs;
}
