// fuse-conv-pool: a conv kernel (with its epilogue) followed by a pooling kernel computes the pooled
// output directly and never writes the conv's volume. Non-overlapping windows (LeNet, FashionCNN, VGG)
// cost nothing extra. Overlapping windows evaluate some conv outputs more than once, so they fuse
// only where that recompute is cheaper than writing the volume and pooling it in a second kernel.
import { fuseByRules, type FusionRule } from "../kernels/fusionRules.js";
import type { KernelGraph } from "../kernels/kernelGraph.js";
import { pooledConvSupport, poolRecomputeFactor } from "../codegen/conv/pooled.js";
import { requestedConvSchedule } from "./chooseSchedules.js";
import type { ScheduleConvsOptions } from "./scheduleOptions.js";
import type { KernelPass } from "./kernelPass.js";

/**
 * What storing one conv output and pooling it in a separate kernel costs, in multiply-accumulates: a
 * write and the pool kernel's reads of it (an estimate for llvmpipe, where a float stored and loaded
 * again costs about as much as a dozen fused multiply-adds).
 */
export const STORE_AND_POOL_COST_PER_VALUE = 16;

export function convPoolRule(options: ScheduleConvsOptions): FusionRule {
  return {
    name: "conv + pool",
    matches: (producer, consumer) => producer.anchor === "conv" && producer.pool === undefined && consumer.anchor === "pool",
    refuse: (producer, consumer, context) => {
      const layers = context.graph.source.nodes;
      const conv = layers[producer.anchorLayer]!;
      const pool = layers[consumer.anchorLayer]!;
      const requested = requestedConvSchedule(options, conv.name);
      if (requested !== undefined && requested !== "direct") {
        return `--schedule asks for ${requested} for ${conv.name}, and the ${requested} kernel stores every conv output (only direct pools)`;
      }
      if (pool.attrs.op !== "pool") throw new Error(`internal: pool kernel ${pool.name} is a ${pool.attrs.op}`);
      // choose-schedules makes a pooled conv direct unless --schedule asked otherwise (refused above).
      const pooled = { attrs: pool.attrs, shape: pool.shape };
      const support = pooledConvSupport(conv.shape, pooled, "direct");
      if (!support.ok) return support.reason;
      const recompute = poolRecomputeFactor(conv.shape, pooled);
      if (recompute <= 1) return undefined;
      const macsPerOutput = conv.macs / Math.max(1, conv.activations);
      const extra = (recompute - 1) * macsPerOutput;
      if (extra < STORE_AND_POOL_COST_PER_VALUE) return undefined;
      return (
        `its windows overlap: fused, each conv output would be computed ${recompute.toFixed(2)} times on average, ` +
        `${Math.round(extra)} extra multiply-adds per value, more than storing it and pooling in a second kernel (about ${STORE_AND_POOL_COST_PER_VALUE})`
      );
    },
    merge: (producer, consumer) => ({
      ...producer,
      layers: [...producer.layers, ...consumer.layers],
      pool: consumer.anchorLayer,
      output: consumer.output,
      store: consumer.store,
    }),
    fusedNote: (producer, context) => `computed by conv ${context.layerName(producer.anchorLayer)}'s kernel, which stores only the pooled output`,
  };
}

export function fuseConvPool(graph: KernelGraph, options: ScheduleConvsOptions, maxStorageBindings: number): KernelGraph {
  return fuseByRules(graph, "fuse-conv-pool", [convPoolRule(options)], maxStorageBindings);
}

export function fuseConvPoolPass(options: ScheduleConvsOptions, maxStorageBindings: number): KernelPass {
  return { name: "fuse-conv-pool", run: (graph) => fuseConvPool(graph, options, maxStorageBindings) };
}
