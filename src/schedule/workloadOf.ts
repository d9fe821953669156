// The workload of a kernel node: what choose-schedules, the cost model and the tuning cache key a
// kernel by. Conv and fc anchors (with their epilogue, pool and store) and the training kernels that
// are convolutions or matrix products (their backward data and weight gradients); no other kernel has one.
import { convGeometryOfShapes, type ConvGeometry } from "../codegen/conv/geometry.js";
import type { ActivationAttrs, ConvAttrs, Shape } from "../ir/graph.js";
import type { EpilogueStageSpec, KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { pooledText } from "./pooledText.js";
import type { ConvShape, Workload } from "./types.js";

/** The workload of `kernel` at `batch`, or undefined for a kernel no schedule kind computes. */
export function workloadOfKernel(graph: KernelGraph, kernel: KernelNode, batch: number, constantWeights: boolean): Workload | undefined {
  if (kernel.anchor === "conv" || kernel.anchor === "fc") return anchorWorkload(graph, kernel, batch, constantWeights);
  return backwardWorkloadOf(kernel, batch);
}

function anchorWorkload(graph: KernelGraph, kernel: KernelNode, batch: number, constantWeights: boolean): Workload {
  const node = graph.source.nodes[kernel.anchorLayer]!;
  const input = graph.values[kernel.inputs[0]!];
  if (input === undefined || kernel.inputs.length !== 1) throw new Error(`internal: ${node.name}'s kernel must read exactly one value`);
  const epilogue = epilogueSignature(kernel.epilogue);
  if (node.attrs.op === "fc") {
    const inFeatures = input.shape.reduce((product, size) => product * size, 1);
    return { op: "fc", batch, inFeatures, outFeatures: node.attrs.outFeatures, epilogue, constantWeights };
  }
  if (node.attrs.op !== "conv") throw new Error(`internal: ${node.name} anchors a ${kernel.anchor} kernel but is a ${node.attrs.op} layer`);
  let pooled = "";
  if (kernel.pool !== undefined) {
    const pool = graph.source.nodes[kernel.pool]!;
    if (pool.attrs.op !== "pool") throw new Error(`internal: ${node.name}'s kernel pools with ${pool.name}, a ${pool.attrs.op} layer`);
    pooled = pooledText(pool.attrs);
  }
  const conv = convShapeOf(`conv ${node.name}`, input.shape, node.shape, node.attrs, batch);
  return { op: "conv", conv, epilogue, pooled, store: kernel.store.kind, constantWeights };
}

/**
 * `bias+relu`, `scale_shift+add+leaky_relu(alpha=0.1)`: the stage kinds in order, an activation by its
 * name and attribute (they change the kernel's code); "" for none. runtime/tuning/workloadNetwork.ts
 * reads it back to build a network of the workload.
 */
export function epilogueSignature(stages: readonly EpilogueStageSpec[]): string {
  return stages.map((stage) => (stage.kind === "activation" ? activationSignature(stage.attrs) : stage.kind)).join("+");
}

function activationSignature(attrs: ActivationAttrs): string {
  return "alpha" in attrs ? `${attrs.op}(alpha=${attrs.alpha})` : attrs.op;
}

function convShapeOf(what: string, inputShape: Shape, outputShape: Shape, attrs: ConvAttrs, batch: number): ConvShape {
  return convShapeOfGeometry(convGeometryOfShapes(what, inputShape, outputShape, attrs, batch));
}

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

/** The workload of a training kernel at `batch` (a conv's or fc layer's input or weight gradient), or undefined for one that has no schedule. */
export function backwardWorkloadOf(kernel: KernelNode, batch: number): Workload | undefined {
  const work = kernel.training?.work;
  if (work === undefined) return undefined;
  switch (work.kind) {
    case "conv_backward_data":
    case "conv_backward_filter":
      return { op: work.kind, conv: convShapeOf(`kernel ${kernel.id} (${work.kind})`, work.inputShape, work.outputShape, work.attrs, batch) };
    case "fc_backward_data":
    case "fc_backward_weight":
      return { op: work.kind, batch, inFeatures: work.inFeatures, outFeatures: work.outFeatures };
    default:
      return undefined;
  }
}
