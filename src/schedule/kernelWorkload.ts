// The workload of a scheduled kernel of an inference kernel graph: its anchor's shapes at a batch,
// its epilogue's signature, the pool it computes and how it stores. `cnnc explain`'s candidate table
// and the calibration's workloads read kernels through this.
import { convGeometry } from "../codegen/conv/geometry.js";
import type { ActivationAttrs } from "../ir/graph.js";
import type { EpilogueStageSpec, KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import type { ConvShape, Workload } from "./types.js";

/** A stage's name in an epilogue signature: `bias`, `scale_shift`, `add`, `relu`, `leaky_relu(alpha=0.1)`. */
function stageSignature(stage: EpilogueStageSpec): string {
  return stage.kind === "activation" ? activationSignature(stage.attrs) : stage.kind;
}

function activationSignature(attrs: ActivationAttrs): string {
  return "alpha" in attrs ? `${attrs.op}(alpha=${attrs.alpha})` : attrs.op;
}

/** The workload of a conv or fc kernel at `batch`; undefined for a kernel with no schedule kinds (pool, elementwise, ...). */
export function kernelWorkload(graph: KernelGraph, kernel: KernelNode, batch: number): Workload | undefined {
  const node = graph.source.nodes[kernel.anchorLayer]!;
  const epilogue = kernel.epilogue.map(stageSignature).join("+");
  const constantWeights = true;
  if (kernel.anchor === "fc" && node.attrs.op === "fc") {
    const input = graph.source.nodes[node.inputs[0]!]!;
    const inFeatures = input.shape.reduce((product, size) => product * size, 1);
    return { op: "fc", batch, inFeatures, outFeatures: node.attrs.outFeatures, epilogue, constantWeights };
  }
  if (kernel.anchor !== "conv" || node.attrs.op !== "conv") return undefined;
  const g = convGeometry(graph.source, node, node.attrs, batch);
  const { C, H, W, K, OH, OW, KH, KW, groups } = g;
  const conv: ConvShape = {
    batch, C, H, W, K, OH, OW, KH, KW, groups,
    stride: [g.strideH, g.strideW],
    dilation: [g.dilationH, g.dilationW],
    padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight },
    paddingMode: g.mode,
  };
  const poolAttrs = kernel.pool === undefined ? undefined : graph.source.nodes[kernel.pool]!.attrs;
  const pooled =
    poolAttrs?.op === "pool" ? `${poolAttrs.kind} ${poolAttrs.window[0]}x${poolAttrs.window[1]}/${poolAttrs.stride[0]}x${poolAttrs.stride[1]}` : "";
  return { op: "conv", conv, epilogue, pooled, store: kernel.store.kind, constantWeights };
}
