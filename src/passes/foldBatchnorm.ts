// fold-batchnorm (inference): every batchnorm stage becomes `value * scale[c] + shift[c]`, with scale
// and shift derived from the layer's state_dict tensors when the weights are uploaded
// (scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale). The plan records
// the transform, so the user's weights never change; a fused kernel then reads two small vectors
// instead of four and does one multiply-add.
import type { DerivedParam, EpilogueStageSpec, KernelGraph } from "../kernels/kernelGraph.js";
import type { KernelPass } from "./kernelPass.js";

export function foldBatchnorm(graph: KernelGraph): KernelGraph {
  const derived: DerivedParam[] = [...graph.derived];
  const known = new Set(derived.map((param) => param.name));
  const fold = (stage: EpilogueStageSpec): EpilogueStageSpec => {
    if (stage.kind !== "batchnorm") return stage;
    const layer = graph.source.nodes[stage.layer]!;
    const tensorName = (ref: typeof stage.weight): string => {
      if (ref.kind !== "tensor") throw new Error(`internal: batchnorm ${layer.name} reads a derived parameter`);
      return ref.name;
    };
    const from = {
      weight: tensorName(stage.weight),
      bias: tensorName(stage.bias),
      runningMean: tensorName(stage.runningMean),
      runningVar: tensorName(stage.runningVar),
    };
    const elements = layer.shape[0]!;
    for (const transform of ["batchnorm_scale", "batchnorm_shift"] as const) {
      const name = `${layer.name}:${transform === "batchnorm_scale" ? "scale" : "shift"}`;
      if (!known.has(name)) {
        known.add(name);
        derived.push({ name, transform, layer: stage.layer, from, eps: stage.eps, elements });
      }
    }
    return {
      kind: "scale_shift",
      layer: stage.layer,
      scale: { kind: "derived", name: `${layer.name}:scale` },
      shift: { kind: "derived", name: `${layer.name}:shift` },
    };
  };
  const kernels = graph.kernels.map((kernel) => ({ ...kernel, epilogue: kernel.epilogue.map(fold) }));
  return { ...graph, kernels, derived };
}

export const foldBatchnormPass: KernelPass = { name: "fold-batchnorm", run: foldBatchnorm };
