// Timing schedules of one workload on the device: a one-layer network of the workload
// (workloadNetwork.ts) is compiled once, and one plan per schedule is built with that exact schedule
// requested for the workload's layer. Every plan runs warm-up rounds (shader compilation, caches) and then
// timed rounds; within a round every candidate runs once, in turn, so that noise (another process,
// the CPU's clock) hits every candidate alike rather than whichever was timed during it, and the turn
// order rotates each round, so that no candidate always runs right after the same other one. Every step
// of a plan is the workload's (its kernel, or two for im2col), timed GPU-synchronized by
// runtime/kernelClock.ts.
import type { Plan } from "../../src/codegen/plan.js";
import type { Graph, Schedule } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import type { Target, Workload } from "../../src/schedule/types.js";
import type { Tensor } from "../../src/tensor.js";
import { compile } from "../compileNetwork.js";
import type { GpuContext } from "../device.js";
import { DeviceWeights } from "../deviceWeights.js";
import { PlanExecutor } from "../executor.js";
import { initWeights, randomNormalTensor } from "../init.js";
import { defaultKernelClock, type KernelClock } from "../kernelClock.js";
import { median } from "../profile.js";
import { targetOf } from "../target.js";
import { workloadNetwork } from "./workloadNetwork.js";

export interface MeasureOptions {
  warmupRuns: number;
  runs: number;
  /** How kernels are timed (default: defaultKernelClock for the largest plan); tests give fake ones. */
  clock?: KernelClock;
  /** Activation and scratch bytes of the plans alive at once; more candidates run in several groups (default 512 MiB). */
  maxLiveBytes?: number;
}

export interface ScheduleTiming {
  schedule: Schedule;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Each timed round's milliseconds of the scheduled kernel's steps. */
  samples: number[];
}

const DEFAULT_MAX_LIVE_BYTES = 512 * 1024 * 1024;

/** The workload's plan with `schedule` on its kernel (the exact schedule request, see the file's comment). */
export function planWithSchedule(graph: Graph, batch: number, schedule: Schedule, target: Target): Plan {
  const scheduled = graph.nodes.filter((node) => node.attrs.op === "conv" || node.attrs.op === "fc");
  if (scheduled.length !== 1) throw new Error(`internal: a workload's network has ${scheduled.length} scheduled layers, not 1`);
  return buildPlan(graph, batch, { target, exactSchedules: { [scheduled[0]!.name]: schedule } });
}

function liveBytes(plan: Plan): number {
  return plan.buffers.reduce((sum, buffer) => sum + (buffer.role === "param" ? 0 : buffer.bytes), 0);
}

export async function measureSchedules(gpu: GpuContext, workload: Workload, schedules: readonly Schedule[], options: MeasureOptions): Promise<ScheduleTiming[]> {
  if (!Number.isInteger(options.warmupRuns) || options.warmupRuns < 0) throw new Error(`internal: ${options.warmupRuns} warm-up runs`);
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`internal: ${options.runs} timed runs`);
  const { source, batch } = workloadNetwork(workload);
  const graph = compile(source, { file: "<measured workload>.cnn" });
  const target = targetOf(gpu);
  const plans = schedules.map((schedule) => planWithSchedule(graph, batch, schedule, target));
  const inputs = new Map<string, Tensor>(
    graph.inputs.map((id) => {
      const input = graph.nodes[id]!;
      return [input.name, randomNormalTensor([batch, ...input.shape], 1, input.name)];
    }),
  );
  const weights = new DeviceWeights(gpu.device, initWeights(graph, 1));
  const clock = options.clock ?? defaultKernelClock(gpu.device, Math.max(...plans.map((plan) => plan.steps.length)));
  const samples: number[][] = plans.map(() => []);
  try {
    for (const group of liveGroups(plans, options.maxLiveBytes ?? DEFAULT_MAX_LIVE_BYTES)) {
      const executors: PlanExecutor[] = [];
      try {
        for (const index of group) {
          const executor = await PlanExecutor.create(gpu, plans[index]!, weights);
          executors.push(executor);
          executor.loadInputs(inputs);
        }
        for (let round = 0; round < options.warmupRuns + options.runs; round++) {
          for (let offset = 0; offset < group.length; offset++) {
            const position = (round + offset) % group.length;
            const index = group[position]!;
            const times = await clock.timeSteps(executors[position]!);
            if (round < options.warmupRuns) continue;
            samples[index]!.push(times.reduce((sum, time) => sum + time, 0));
          }
        }
      } finally {
        for (const executor of executors) executor.destroy();
      }
    }
  } finally {
    if (options.clock === undefined) clock.destroy();
    weights.destroy();
  }
  return schedules.map((schedule, index) => {
    const times = samples[index]!;
    const bad = times.find((time) => !Number.isFinite(time) || time < 0);
    if (bad !== undefined) throw new Error(`the time measured for a ${schedule.kind} schedule is ${bad} ms, not a duration`);
    return { schedule, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), samples: times };
  });
}

/** Consecutive plans whose live bytes fit `maxBytes` together (a plan larger alone is a group alone). */
function liveGroups(plans: readonly Plan[], maxBytes: number): number[][] {
  const groups: number[][] = [];
  let bytes = 0;
  for (const [index, plan] of plans.entries()) {
    const size = liveBytes(plan);
    const last = groups.at(-1);
    if (last !== undefined && bytes + size <= maxBytes) {
      last.push(index);
      bytes += size;
    } else {
      groups.push([index]);
      bytes = size;
    }
  }
  return groups;
}
