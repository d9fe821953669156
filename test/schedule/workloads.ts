// Workloads for the schedule tests: a conv from a few sizes (stride 1, unpadded unless asked) and an fc.
import type { ConvShape, Workload } from "../../src/schedule/types.js";

export type ConvWorkload = Extract<Workload, { op: "conv" }>;

export function convWorkload(sizes: { batch?: number; C: number; H: number; K: number; kernel: number; groups?: number; pooled?: string }): ConvWorkload {
  const out = sizes.H - sizes.kernel + 1;
  const conv: ConvShape = {
    batch: sizes.batch ?? 1,
    C: sizes.C,
    H: sizes.H,
    W: sizes.H,
    K: sizes.K,
    OH: out,
    OW: out,
    KH: sizes.kernel,
    KW: sizes.kernel,
    groups: sizes.groups ?? 1,
    stride: [1, 1],
    dilation: [1, 1],
    padding: { top: 0, bottom: 0, left: 0, right: 0 },
    paddingMode: "zeros",
  };
  return { op: "conv", conv, epilogue: "bias+relu", pooled: sizes.pooled ?? "", store: "plain", constantWeights: true };
}

export function fcWorkload(batch: number, inFeatures: number, outFeatures: number, epilogue = "bias"): Workload {
  return { op: "fc", batch, inFeatures, outFeatures, epilogue, constantWeights: true };
}
