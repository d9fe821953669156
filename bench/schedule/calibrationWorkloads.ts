// The workloads `npm run calibrate` measures: the conv and fc kernels of the example networks at
// batch 1 and 16, deduplicated, without those too large to time in the calibration's few minutes on
// llvmpipe, and per network and batch a few spread over the sizes (smallest, middle, largest), the
// batches alternating. A conv computing a pooled output (which only the direct kernel does) is
// measured unpooled too, so that its shapes also compare the kinds.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compileFile } from "../../src/compile.js";
import { buildKernelGraph } from "../../src/pipeline.js";
import { workloadOfKernel } from "../../src/schedule/workloadOf.js";
import { workloadKey, type Workload } from "../../src/schedule/types.js";

export interface CalibrationWorkload {
  /** `lenet5.cnn c3 @16`. */
  label: string;
  workload: Workload;
  /** Multiply-adds of the workload (batch included). */
  macs: number;
}

const CALIBRATION_BATCHES = [1, 16] as const;

function workloadMacs(workload: Workload): number {
  if (workload.op === "fc" || workload.op === "fc_backward_data" || workload.op === "fc_backward_weight") {
    return workload.batch * workload.inFeatures * workload.outFeatures;
  }
  const c = workload.conv;
  return c.batch * c.K * c.OH * c.OW * (c.C / c.groups) * c.KH * c.KW;
}

/**
 * Up to `perNetwork` workloads of each example at each batch, each of at most `maxMacs` multiply-adds,
 * taking the networks in turns (so that a time budget running out leaves out a few of each, not whole networks).
 */
export function calibrationWorkloads(directory: string, maxMacs: number, perNetwork: number): CalibrationWorkload[] {
  const seen = new Set<string>();
  const perFile: CalibrationWorkload[][] = [];
  for (const file of readdirSync(directory).filter((name) => name.endsWith(".cnn")).sort()) {
    const graph = compileFile(join(directory, file)).graph;
    if (graph === undefined) throw new Error(`internal: example ${file} does not compile`);
    // The workloads do not depend on the schedules chosen; forcing direct keeps the cost model (being
    // calibrated here) out of the way.
    const kernels = buildKernelGraph(graph, { schedule: { all: "direct" } });
    const perBatch: CalibrationWorkload[][] = [];
    for (const batch of CALIBRATION_BATCHES) {
      const fitting: CalibrationWorkload[] = [];
      for (const kernel of kernels.kernels) {
        const workload = workloadOfKernel(kernels, kernel, batch, true);
        if (workload === undefined) continue;
        const variants = workload.op === "conv" && workload.pooled !== "" ? [workload, { ...workload, pooled: "" }] : [workload];
        for (const variant of variants) {
          const key = workloadKey(variant);
          const macs = workloadMacs(variant);
          if (seen.has(key) || macs > maxMacs) continue;
          seen.add(key);
          const pooled = variant.op === "conv" && variant.pooled !== "" ? " pooled" : "";
          fitting.push({ label: `${file} ${graph.nodes[kernel.anchorLayer]!.name}${pooled} @${batch}`, workload: variant, macs });
        }
      }
      fitting.sort((a, b) => a.macs - b.macs);
      perBatch.push(spread(fitting, perNetwork));
    }
    // The batches alternate, so that a time budget running out leaves out some of each batch.
    perFile.push(interleave(perBatch));
  }
  return interleave(perFile);
}

/** The lists' first items, then their second items, and so on. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const longest = Math.max(0, ...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_, turn) => lists.flatMap((list) => (turn < list.length ? [list[turn]!] : []))).flat();
}

/** `count` items evenly spaced through `items` (all of them when there are no more). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[items.length - 1]!];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))]!);
}
