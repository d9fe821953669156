// The time of each kernel of a plan, mapped back to the source layers it implements: warm-up runs
// first (the first dispatch of each kernel compiles its shader), then `runs` timed runs, each kernel
// timed on its own (kernelClock.ts); per kernel the median and the spread over the runs.
import type { Plan } from "../src/codegen/plan.js";
import type { Tensor, WeightMap } from "../src/tensor.js";
import type { GpuContext } from "./device.js";
import type { DeviceWeights } from "./deviceWeights.js";
import { PlanExecutor } from "./executor.js";
import { defaultKernelClock, type KernelClock } from "./kernelClock.js";
import type { ProgressListener } from "./progress.js";

export const DEFAULT_PROFILE_RUNS = 10;
export const PROFILE_WARMUP_RUNS = 2;

/**
 * One row of a profile: the kernels of one layer-graph node, i.e. of one fused group of layers (most
 * groups have one kernel; an im2col conv has two), so that every layer is in exactly one row.
 */
export interface KernelTime {
  /** The steps' names, in plan order: `c1.conv_direct`, or `c1.im2col` and `c1.gemm`. */
  kernels: string[];
  /** The source layers the kernels implement (after fusion): `c1`, `bn1`, `c1.relu`, `p1`. */
  layers: string[];
  /** The programs the kernels run (Plan.programs keys). */
  programs: string[];
  /** Over the timed runs, of the group's kernels' time in each run. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** medianMs over the sum of every row's medianMs (the shares add up to 1). */
  share: number;
}

export interface PlanProfile {
  network: string;
  batch: number;
  /** Rows sorted by median time, longest first (ties in plan order). */
  kernels: KernelTime[];
  /** The median over the runs of the total time of every kernel in the run. */
  totalMs: number;
  /** batch / totalMs, per second. */
  imagesPerSecond: number;
  runs: number;
  method: string;
}

export interface ProfileOptions {
  inputs: Map<string, Tensor>;
  /** Timed runs (default 10), after PROFILE_WARMUP_RUNS untimed ones. */
  runs?: number;
  /** How each kernel is timed (default: defaultKernelClock); tests give fake timings. */
  clock?: KernelClock;
  /** Told about each kernel as its pipeline is built (a large network's are slow to build). */
  progress?: ProgressListener;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("internal: the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The profile of `plan` from `samples`: per timed run, each step's milliseconds in plan order. Steps
 * are grouped by the node they compute (a node's steps are consecutive in a plan).
 */
export function summarizeKernelTimes(plan: Plan, samples: readonly (readonly number[])[], method: string): PlanProfile {
  if (samples.length === 0) throw new Error("internal: a profile of no runs");
  for (const run of samples) {
    if (run.length !== plan.steps.length) throw new Error(`internal: ${run.length} kernel times for ${plan.steps.length} kernels`);
    const bad = run.findIndex((time) => !Number.isFinite(time) || time < 0);
    if (bad >= 0) throw new Error(`the time measured for kernel ${plan.steps[bad]!.name} is ${run[bad]} ms, not a duration`);
  }
  const groups: { steps: number[] }[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const last = groups.at(-1);
    if (last !== undefined && plan.steps[last.steps[0]!]!.node === step.node) last.steps.push(index);
    else groups.push({ steps: [index] });
  }
  const rows = groups.map(({ steps }) => {
    const perRun = samples.map((run) => steps.reduce((sum, index) => sum + run[index]!, 0));
    const layers = steps.flatMap((index) => plan.steps[index]!.layer.split("+"));
    return {
      kernels: steps.map((index) => plan.steps[index]!.name),
      layers: [...new Set(layers)],
      programs: [...new Set(steps.map((index) => plan.steps[index]!.program))],
      medianMs: median(perRun),
      minMs: Math.min(...perRun),
      maxMs: Math.max(...perRun),
      share: 0,
    };
  });
  const sumOfMedians = rows.reduce((sum, row) => sum + row.medianMs, 0);
  for (const row of rows) row.share = sumOfMedians > 0 ? row.medianMs / sumOfMedians : 1 / rows.length;
  // A stable sort: equal times keep plan order.
  const kernels = rows.map((row, order) => ({ row, order })).sort((a, b) => b.row.medianMs - a.row.medianMs || a.order - b.order).map(({ row }) => row);
  const totalMs = median(samples.map((run) => run.reduce((sum, time) => sum + time, 0)));
  const imagesPerSecond = totalMs > 0 ? (plan.batch * 1000) / totalMs : Infinity;
  return { network: plan.network, batch: plan.batch, kernels, totalMs, imagesPerSecond, runs: samples.length, method };
}

/** Runs `plan` on `gpu` with `weights` and `options.inputs`, timing each kernel (see the file's comment). */
export async function profilePlan(gpu: GpuContext, plan: Plan, weights: WeightMap | DeviceWeights, options: ProfileOptions): Promise<PlanProfile> {
  const runs = options.runs ?? DEFAULT_PROFILE_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`internal: profiling with ${runs} runs`);
  const executor = await PlanExecutor.create(gpu, plan, weights, options.progress);
  const clock = options.clock ?? defaultKernelClock(gpu.device, plan.steps.length);
  try {
    executor.loadInputs(options.inputs);
    const samples: number[][] = [];
    for (let run = 0; run < PROFILE_WARMUP_RUNS + runs; run++) {
      const times = await clock.timeSteps(executor);
      if (run >= PROFILE_WARMUP_RUNS) samples.push(times);
    }
    return summarizeKernelTimes(plan, samples, clock.method);
  } finally {
    if (options.clock === undefined) clock.destroy();
    executor.destroy();
  }
}
