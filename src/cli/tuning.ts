// What `cnnc tune` and `cnnc build --tune` share: open the device, load the tuning cache, tune the
// network's kernels (only what the cache lacks for this adapter), save the cache. The device side
// (reading the target, timing schedules), the workloads of a kernel graph, the candidates and the
// plan built with tuned schedules come in as a TuningBackend, wired to the real implementations in
// runtime/tuning/tuneGraph.ts; tests pass fakes.
import { escapeUnsafe } from "../../grammar/displayText.js";
import type { BackendChoice } from "../../runtime/device.js";
import type { Plan } from "../codegen/plan.js";
import type { Graph, Schedule } from "../ir/graph.js";
import type { ScheduleConvsOptions } from "../passes/scheduleOptions.js";
import { TuneCache, tuneCachePath } from "../schedule/tune/cache.js";
import { tuneWorkloads, type ScheduleTiming, type TunedWorkload, type TuningStage } from "../schedule/tune/tuner.js";
import type { Target, Workload } from "../schedule/types.js";
import type { CliIo } from "./io.js";

export const TUNE_CACHE_HELP = "the tuning cache file (default: $CNNC_TUNE_CACHE, else $XDG_CACHE_HOME/cnnc/tune-cache.json, else ~/.cache/cnnc/tune-cache.json)";

/** An open device, ready to time schedules. */
export interface TuningDevice {
  /** For people: the adapter, as `cnnc profile` prints it. */
  description: string;
  target: Target;
  /** Times `schedules` of `workload` (warm-up excluded, GPU-synchronized): one row per schedule, in order. */
  measure(workload: Workload, schedules: Schedule[], stage: TuningStage): Promise<ScheduleTiming[]>;
  destroy(): void;
}

/** One scheduled kernel of the network whose schedule is free to tune (not forced by `@kind` or --schedule). */
export interface KernelWorkload {
  /** The kernel's name, as `cnnc explain` and `cnnc profile` print it. */
  kernel: string;
  /** The source layers it computes. */
  layers: string[];
  key: string;
  workload: Workload;
}

export interface PlanBuildOptions {
  fuse: boolean;
  schedule?: ScheduleConvsOptions;
  target: Target;
}

export interface TuningBackend {
  openDevice(backend: BackendChoice): Promise<TuningDevice>;
  /** The kernels of `graph` at `batch` that have a schedule to tune, with their workloads. */
  kernelWorkloads(graph: Graph, batch: number, options: PlanBuildOptions): KernelWorkload[];
  /** The legal candidates of `workload` on `target`, the cost model's pick first. */
  candidates(workload: Workload, target: Target): Schedule[];
  scheduleText(schedule: Schedule): string;
  /** The plan with `tuned` winners for the workloads it knows (choose-schedules' `requests.tuned`). */
  buildPlan(graph: Graph, batch: number, options: PlanBuildOptions & { tuned(workloadKey: string): Schedule | undefined }): Plan;
}

export interface TuneRunOptions extends Omit<PlanBuildOptions, "target"> {
  batch: number;
  backend: BackendChoice;
  /** --tune-cache, when given. */
  cachePath?: string;
  retune: boolean;
  cnncVersion: string;
}

export interface TuneRun {
  device: TuningDevice;
  cache: TuneCache;
  kernels: KernelWorkload[];
  /** One per kernel, in order. */
  results: TunedWorkload[];
  /** Entries measured now and saved to the cache file. */
  measured: number;
}

/**
 * Opens the device, tunes the kernels the cache lacks, saves the cache. The caller destroys
 * `run.device` (also on failure after this returns); a failure inside destroys it here.
 */
export async function tuneNetwork(graph: Graph, options: TuneRunOptions, io: CliIo, backend: TuningBackend): Promise<TuneRun> {
  const warn = (message: string) => io.stderr(`warning: ${escapeUnsafe(message)}\n`);
  const cache = TuneCache.load(tuneCachePath(options.cachePath), { warn, cnncVersion: options.cnncVersion });
  const device = await backend.openDevice(options.backend);
  try {
    const planOptions = { fuse: options.fuse, target: device.target, ...(options.schedule === undefined ? {} : { schedule: options.schedule }) };
    const kernels = backend.kernelWorkloads(graph, options.batch, planOptions);
    const requests = kernels.map((kernel) => ({ key: kernel.key, workload: kernel.workload, label: `${kernel.kernel} (${kernel.layers.join("+")})` }));
    const results = await tuneWorkloads(requests, {
      candidates: (workload) => backend.candidates(workload, device.target),
      measure: (workload, schedules, stage) => device.measure(workload, schedules, stage),
      scheduleText: (schedule) => backend.scheduleText(schedule),
      cache,
      target: device.target,
      retune: options.retune,
      log: (line) => io.stderr(`${escapeUnsafe(line)}\n`),
    });
    const measured = cache.recordedCount;
    if (measured > 0) cache.save();
    return { device, cache, kernels, results, measured };
  } catch (error) {
    device.destroy();
    throw error;
  }
}
