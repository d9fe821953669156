// fuse-elementwise-chains: elementwise kernels with no conv/fc to ride on (an `add -> relu` after a
// pool, a batchnorm after a concat) become one elementwise kernel: the first one's stages, then the
// next one's, as long as the value between them has no other reader.
import { appendConsumerStages, fuseByRules, type FusionRule } from "../kernels/fusionRules.js";
import type { KernelGraph } from "../kernels/kernelGraph.js";
import type { KernelPass } from "./kernelPass.js";

export const ELEMENTWISE_CHAIN_RULE: FusionRule = {
  name: "elementwise chain",
  matches: (producer, consumer) => producer.anchor === "elementwise" && consumer.anchor === "elementwise",
  merge: appendConsumerStages,
  fusedNote: (producer, context) => `fused into the elementwise kernel of ${context.layerName(producer.anchorLayer)}`,
};

export function fuseElementwiseChains(graph: KernelGraph, maxStorageBindings: number): KernelGraph {
  return fuseByRules(graph, "fuse-elementwise-chains", [ELEMENTWISE_CHAIN_RULE], maxStorageBindings);
}

export function fuseElementwiseChainsPass(maxStorageBindings: number): KernelPass {
  return { name: "fuse-elementwise-chains", run: (graph) => fuseElementwiseChains(graph, maxStorageBindings) };
}
