// fuse-epilogues: a conv, conv_transpose or fc kernel absorbs the elementwise kernels after it — bias, folded
// batchnorm, activation, a residual `add` of the same shape and an activation after it — when the
// value between them has no other reader. A ResNet basic block becomes two conv kernels: the add is
// hosted by whichever of its operands is computed last, the other read as a residual.
import { fuseByRules, appendConsumerStages, type FusionRule } from "../kernels/fusionRules.js";
import type { KernelGraph } from "../kernels/kernelGraph.js";
import type { KernelPass } from "./kernelPass.js";

const EPILOGUE_HOSTS = new Set(["conv", "conv_transpose", "fc"]);

/** Rule: an elementwise kernel becomes more epilogue stages of the conv/fc producing its input. */
export const EPILOGUE_RULE: FusionRule = {
  name: "epilogue",
  matches: (producer, consumer) => EPILOGUE_HOSTS.has(producer.anchor) && consumer.anchor === "elementwise",
  refuse: (producer, _consumer, context) =>
    producer.pool === undefined ? undefined : `${context.layerName(producer.pool)} pools ${context.layerName(producer.anchorLayer)}'s output first`,
  merge: appendConsumerStages,
  fusedNote: (producer, context) => `fused into the epilogue of ${producer.anchor} ${context.layerName(producer.anchorLayer)}`,
};

export function fuseEpilogues(graph: KernelGraph, maxStorageBindings: number): KernelGraph {
  return fuseByRules(graph, "fuse-epilogues", [EPILOGUE_RULE], maxStorageBindings);
}

export function fuseEpiloguesPass(maxStorageBindings: number): KernelPass {
  return { name: "fuse-epilogues", run: (graph) => fuseEpilogues(graph, maxStorageBindings) };
}
