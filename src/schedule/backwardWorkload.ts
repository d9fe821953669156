// The workloads of the training step's scheduled backward kernels: a conv's input and weight gradients
// and an fc layer's, read from the training work on the kernel node (src/kernels/trainingWork.ts) at
// a batch. Other training kernels (losses, elementwise gradients, bias sums, updates) have no schedule.
import { convGeometryOfShapes, type ConvGeometry } from "../codegen/conv/geometry.js";
import type { KernelNode } from "../kernels/kernelGraph.js";
import type { ConvShape, Workload } from "./types.js";

/** The ConvShape of a conv's geometry. */
export function convShapeOfGeometry(g: ConvGeometry): ConvShape {
  return {
    batch: g.batch,
    C: g.C,
    H: g.H,
    W: g.W,
    K: g.K,
    OH: g.OH,
    OW: g.OW,
    KH: g.KH,
    KW: g.KW,
    groups: g.groups,
    stride: [g.strideH, g.strideW],
    dilation: [g.dilationH, g.dilationW],
    padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight },
    paddingMode: g.mode,
  };
}

/** The workload of a training kernel at `batch`, or undefined for one that has no schedule. */
export function backwardWorkloadOf(kernel: KernelNode, batch: number): Workload | undefined {
  const work = kernel.training?.work;
  if (work === undefined) return undefined;
  switch (work.kind) {
    case "conv_backward_data":
    case "conv_backward_filter":
      return { op: work.kind, conv: convShapeOfGeometry(convGeometryOfShapes(`kernel ${kernel.id} (${work.kind})`, work.inputShape, work.outputShape, work.attrs, batch)) };
    case "fc_backward_data":
    case "fc_backward_weight":
      return { op: work.kind, batch, inFeatures: work.inFeatures, outFeatures: work.outFeatures };
    default:
      return undefined;
  }
}
