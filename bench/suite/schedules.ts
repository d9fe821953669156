// The one place the benchmark suite asks the compiler about schedules: which schedules to measure for
// a conv layer (the default knobs of every legal kind, plus the model's and the tuner's picks), which
// one the compiler picks by itself (the cost model), which one the tuner picks (cnnc's tuner, timing
// the candidates on this device), and the plans of a whole network as `cnnc build --tune` builds them.
import type { GpuContext } from "../../runtime/device.js";
import { targetOf } from "../../runtime/target.js";
import { measureSchedules } from "../../runtime/tuning/measure.js";
import { TUNING_RUNS, TUNING_WARMUP_RUNS, tuningCandidates, tuningRuns } from "../../runtime/tuning/tuneGraph.js";
import type { Graph, Schedule } from "../../src/ir/graph.js";
import { buildKernelGraph } from "../../src/pipeline.js";
import { scheduleText } from "../../src/schedule/candidates.js";
import { kindsForWorkload } from "../../src/schedule/registry.js";
import { FINALS_MARGIN, FINALS_RUNS_FACTOR, tuneWorkloads, type TuningStore } from "../../src/schedule/tune/tuner.js";
import type { TuneCacheEntry, TunedCandidate } from "../../src/schedule/tune/cache.js";
import { workloadKey, type Target, type Workload } from "../../src/schedule/types.js";

/** One schedule to measure for a layer: its label in the tables (scheduleText) and the schedule. */
export interface ScheduleCandidate {
  label: string;
  kind: string;
  schedule: Schedule;
}

export interface SchedulePick {
  /** A candidate's label. */
  label: string;
  /** Why, as the compiler (or the tuner) says it. */
  reason: string;
  schedule: Schedule;
  /** The tuner's own times of its candidates (its pick's only). */
  tunedTimes?: TunedCandidate[];
}

/**
 * How the bench tunes: a layer as `cnnc tune` does (runtime/tuning/tuneGraph.ts's runs) over fewer
 * candidates; a whole network with fewer runs, to fit the suite's time budget.
 */
export const BENCH_TUNING = { candidates: 8, warmupRuns: TUNING_WARMUP_RUNS, runs: TUNING_RUNS, networkRuns: 3 };

/** Where the tuner's pick comes from, printed next to every tuned figure. */
export const TUNER_SOURCE =
  `cnnc's tuner: the cost model's pick and the next ${BENCH_TUNING.candidates - 1} candidates timed on this device ` +
  `(${BENCH_TUNING.runs} runs after ${BENCH_TUNING.warmupRuns} warm-up, interleaved; ${BENCH_TUNING.networkRuns} for whole networks; ` +
  `those within ${FINALS_MARGIN * 100}% of the fastest timed again with ${FINALS_RUNS_FACTOR}x the runs), fresh in every bench run`;

/** A tuning store living for one bench run: every workload is measured, none read from a user's cache. */
export function benchTuningStore(): TuningStore {
  const entries = new Map<string, TuneCacheEntry>();
  return {
    lookup: (adapter, key) => entries.get(`${adapter}\n${key}`),
    record: (adapter, key, measured) => {
      const entry: TuneCacheEntry = { ...measured, tunedAt: new Date().toISOString(), cnncVersion: "bench" };
      entries.set(`${adapter}\n${key}`, entry);
      return entry;
    },
  };
}

/** The workload of `layer`'s kernel in `graph` at `batch` on `target`, and the schedule the compiler gives it. */
function layerKernel(graph: Graph, layer: string, batch: number, target: Target): { workload: Workload; schedule: Schedule; reason: string } {
  const kernels = buildKernelGraph(graph, { target, batch });
  const kernel = kernels.kernels.find((candidate) => graph.nodes[candidate.anchorLayer]?.name === layer);
  if (kernel?.workload === undefined || kernel.schedule === undefined) throw new Error(`internal: no scheduled kernel computes ${layer}`);
  return { workload: kernel.workload, schedule: kernel.schedule, reason: kernel.scheduleReason ?? "" };
}

/** The workload of `layer`'s kernel (what the tuner and the kernel timing measure). */
export function layerWorkload(graph: Graph, layer: string, batch: number, target: Target): Workload {
  return layerKernel(graph, layer, batch, target).workload;
}

/** The schedule the compiler chooses for `layer` by itself (the cost model), and its reason. */
export function modelPick(graph: Graph, layer: string, batch: number, target: Target): SchedulePick {
  const { schedule, reason } = layerKernel(graph, layer, batch, target);
  return { label: scheduleText(schedule), reason, schedule };
}

/** The tuner's pick for `layer`: its candidates timed on `gpu` (the model's pick first). */
export async function tunerPick(gpu: GpuContext, graph: Graph, layer: string, batch: number): Promise<SchedulePick> {
  const target = targetOf(gpu);
  const { workload } = layerKernel(graph, layer, batch, target);
  const [result] = await tune(gpu, target, [{ key: workloadKey(workload), workload, label: layer }], benchTuningStore(), BENCH_TUNING.runs);
  return { label: scheduleText(result!.winner), reason: `${TUNER_SOURCE}; ${result!.candidates.length} candidates`, schedule: result!.winner, tunedTimes: result!.candidates };
}

function tune(gpu: GpuContext, target: Target, requests: Parameters<typeof tuneWorkloads>[0], store: TuningStore, runs: number): ReturnType<typeof tuneWorkloads> {
  return tuneWorkloads(requests, {
    candidates: (workload) => tuningCandidates(workload, target).slice(0, BENCH_TUNING.candidates),
    measure: (workload, schedules, stage) => measureSchedules(gpu, workload, schedules, { warmupRuns: BENCH_TUNING.warmupRuns, runs: tuningRuns(runs, stage) }),
    scheduleText,
    cache: store,
    target,
  });
}

/** The schedules to measure for `layer`: every legal kind's default knobs, then `picks` not among them. */
export function candidateSchedulesFor(graph: Graph, layer: string, batch: number, target: Target, picks: readonly Schedule[]): ScheduleCandidate[] {
  const { workload } = layerKernel(graph, layer, batch, target);
  const schedules = kindsForWorkload(workload, target)
    .filter((entry) => entry.illegal === undefined)
    .map((entry) => entry.definition.defaultSchedule(workload, target));
  const candidates: ScheduleCandidate[] = [];
  for (const schedule of [...schedules, ...picks]) {
    const label = scheduleText(schedule);
    if (!candidates.some((candidate) => candidate.label === label)) candidates.push({ label, kind: schedule.kind, schedule });
  }
  return candidates;
}

/**
 * Tunes every scheduled kernel of `graph` at `batch` on `gpu` (fused plan) and returns what
 * `cnnc build --tune` gives choose-schedules: the tuned schedule of a workload key.
 */
export async function tunedNetworkSchedule(gpu: GpuContext, graph: Graph, batch: number): Promise<(workloadKey: string) => Schedule | undefined> {
  const target = targetOf(gpu);
  const kernels = buildKernelGraph(graph, { target, batch });
  const requests = kernels.kernels.flatMap((kernel) =>
    kernel.workload === undefined ? [] : [{ key: workloadKey(kernel.workload), workload: kernel.workload, label: graph.nodes[kernel.anchorLayer]!.name }],
  );
  const store = benchTuningStore();
  await tune(gpu, target, requests, store, BENCH_TUNING.networkRuns);
  return (key) => store.lookup(target.adapter, key)?.schedule;
}
