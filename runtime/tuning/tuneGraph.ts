// The tuning backend of `cnnc tune` and `cnnc build --tune` (src/cli/tuning.ts): the device's target
// and its timing of schedules (measure.ts), the network's tunable kernels and their workloads, the
// candidates with the cost model's pick first, and the plan built with the tuned winners.
import type { TuningBackend } from "../../src/cli/tuning.js";
import type { Schedule } from "../../src/ir/graph.js";
import { forcedKind, forcesOp } from "../../src/passes/scheduleOptions.js";
import { buildKernelGraph, buildPlan } from "../../src/pipeline.js";
import { candidateSchedules, scheduleText } from "../../src/schedule/candidates.js";
import { modelChoice } from "../../src/schedule/costModel.js";
import { FINALS_RUNS_FACTOR, type TuningStage } from "../../src/schedule/tune/tuner.js";
import { workloadKey, type Target, type Workload } from "../../src/schedule/types.js";
import { openDevice } from "../device.js";
import { targetOf } from "../target.js";
import { measureSchedules } from "./measure.js";

/** Timed runs per candidate after the warm-up runs (the first compiles the shaders). */
export const TUNING_WARMUP_RUNS = 2;
export const TUNING_RUNS = 7;

/** Timed runs of one tuning stage: the finals take FINALS_RUNS_FACTOR times `runs`. */
export function tuningRuns(runs: number, stage: TuningStage): number {
  return stage === "finals" ? runs * FINALS_RUNS_FACTOR : runs;
}

/** The candidates of `workload`: the cost model's pick first, then the others in the enumeration's order. */
export function tuningCandidates(workload: Workload, target: Target): Schedule[] {
  const pick = modelChoice(workload, target).schedule;
  const text = scheduleText(pick);
  return [pick, ...candidateSchedules(workload, target).filter((schedule) => scheduleText(schedule) !== text)];
}

export const TUNING_BACKEND: TuningBackend = {
  async openDevice(backend) {
    const gpu = await openDevice({ backend });
    return {
      description: gpu.description,
      target: targetOf(gpu),
      measure: (workload, schedules, stage) => measureSchedules(gpu, workload, schedules, { warmupRuns: TUNING_WARMUP_RUNS, runs: tuningRuns(TUNING_RUNS, stage) }),
      destroy: () => gpu.destroy(),
    };
  },
  kernelWorkloads(graph, batch, options) {
    const kernels = buildKernelGraph(graph, { fuse: options.fuse, target: options.target, batch, ...(options.schedule === undefined ? {} : { schedule: options.schedule }) });
    // Kernels whose kind the user forced (`--schedule`, `@kind`) keep it: nothing to tune. A kind
    // forced for all layers forces only the ops it computes (as choose-schedules applies it).
    return kernels.kernels.flatMap((kernel) => {
      if (kernel.workload === undefined) return [];
      const forced = forcedKind(options.schedule ?? {}, graph.nodes[kernel.anchorLayer]!);
      if (forced !== undefined && forcesOp(forced, kernel.workload.op)) return [];
      return [{ kernel: `k${kernel.id}`, layers: kernel.layers.map((layer) => graph.nodes[layer]!.name), key: workloadKey(kernel.workload), workload: kernel.workload }];
    });
  },
  candidates: tuningCandidates,
  scheduleText,
  buildPlan(graph, batch, options) {
    return buildPlan(graph, batch, { fuse: options.fuse, target: options.target, tunedSchedule: options.tuned, ...(options.schedule === undefined ? {} : { schedule: options.schedule }) });
  },
};
