// The compiler's back half as one flat list: the layer graph (from compile.ts: parse -> elaborate ->
// mark-in-place) is lowered to a kernel graph, and each step below is a pure function of the previous
// result, verified after it runs when asked (tests always ask):
//
//   lower-to-kernels -> fold-batchnorm -> fuse-epilogues -> fuse-conv-pool -> concat-in-place ->
//   fuse-elementwise-chains -> choose-schedules(batch, target) -> plan-memory(batch) -> emit-kernels(batch)
//
// `fuse: false` (`--no-fuse`) drops the four fusion steps: one kernel per layer, for A/B comparisons.
//
// A training step is the same list with the training-mode steps in place of inference's:
//
//   lower-to-kernels(training) -> fuse-training-epilogues -> differentiate(loss, optimizer) ->
//   choose-schedules -> plan-memory(batch) -> emit-kernels(batch)
//
// (batchnorm runs on batch statistics and dropout masks, so there is nothing to fold; conv + pool and
// concat-in-place do not apply, since the backward reads the values they would not store.)
import { emitPlan } from "./codegen/emitPlan.js";
import type { Plan } from "./codegen/plan.js";
import { planWeights } from "./codegen/planWeights.js";
import { CnncUserError } from "./errors.js";
import type { Graph, LossKind, OptimizerConfig, Schedule } from "./ir/graph.js";
import { fuseTrainingEpiloguesPass } from "./passes/fuseTraining.js";
import { differentiatePass } from "./training/differentiate.js";
import type { KernelGraph } from "./kernels/kernelGraph.js";
import { lowerToKernels } from "./kernels/lower.js";
import { planMemory, validateMemoryPlan, type MemoryPlan } from "./kernels/memoryPlan.js";
import { chooseSchedulesPass, type ScheduleRequests } from "./passes/chooseSchedules.js";
import { concatInPlacePass } from "./passes/concatInPlace.js";
import { foldBatchnormPass } from "./passes/foldBatchnorm.js";
import { fuseConvPoolPass } from "./passes/fuseConvPool.js";
import { fuseElementwiseChainsPass } from "./passes/fuseElementwiseChains.js";
import { fuseEpiloguesPass } from "./passes/fuseEpilogues.js";
import { assertValidKernelGraph, runKernelPass, type KernelPass } from "./passes/kernelPass.js";
import { checkScheduleOptions, type ScheduleConvsOptions } from "./passes/scheduleOptions.js";
import { PORTABLE_TARGET, type Target } from "./schedule/types.js";

export interface BuildPlanOptions {
  /** Run the fusion passes (default true); false keeps one kernel per layer (`--no-fuse`). */
  fuse?: boolean;
  /** Kinds forced with `--schedule`: one kind for all scheduled layers and/or per layer; default: none (the default choice). */
  schedule?: ScheduleConvsOptions;
  /** Exact schedules by layer name (the tuner, calibration and benches), validated by their kind. */
  exactSchedules?: Readonly<Record<string, Schedule>>;
  /** A tuned schedule for a workload key (the tuning cache). */
  tunedSchedule?: (workloadKey: string) => Schedule | undefined;
  /** Where the kernels run: its limits bound fusion and schedules (default PORTABLE_TARGET, what every adapter grants). */
  target?: Target;
  /** The batch schedules are chosen for (buildKernelGraph; compilePlan passes its own); default 1. */
  batch?: number;
  /** Verify the kernel graph after every step and the memory plan (tests turn this on). */
  verify?: boolean;
  /** Called with the kernel graph after each step (`cnnc explain --dump-ir=PASS`). */
  afterPass?: (pass: string, graph: KernelGraph) => void;
  /** Compute folded batchnorm on the device from the parameter buffers (a trainer's evaluation plan). */
  deriveOnDevice?: boolean;
}

export interface TrainingPlanOptions extends Omit<BuildPlanOptions, "deriveOnDevice"> {
  loss: LossKind;
  optimizer: OptimizerConfig;
}

function scheduleRequests(options: BuildPlanOptions): ScheduleRequests {
  return {
    ...(options.schedule === undefined ? {} : { forced: options.schedule }),
    ...(options.exactSchedules === undefined ? {} : { exact: options.exactSchedules }),
    ...(options.tunedSchedule === undefined ? {} : { tuned: options.tunedSchedule }),
  };
}

/** Storage buffers one kernel may bind on the options' target. */
function storageBindingLimit(options: BuildPlanOptions): number {
  return (options.target ?? PORTABLE_TARGET).limits.maxStorageBuffersPerShaderStage;
}

/** The kernel passes, in order, for these options. */
export function kernelPasses(options: BuildPlanOptions): KernelPass[] {
  const requests = scheduleRequests(options);
  const limit = storageBindingLimit(options);
  const fusion = [fuseEpiloguesPass(limit), fuseConvPoolPass(requests, limit), concatInPlacePass, fuseElementwiseChainsPass(limit)];
  const target = options.target ?? PORTABLE_TARGET;
  const choose = chooseSchedulesPass({ batch: options.batch ?? 1, target, constantWeights: options.deriveOnDevice !== true, requests });
  return [foldBatchnormPass, ...(options.fuse === false ? [] : fusion), choose];
}

export const PASS_NAMES: readonly string[] = ["lower-to-kernels", ...kernelPasses({}).map((pass) => pass.name)];

/** The kernel passes of a training step, in order. */
export function trainingKernelPasses(options: TrainingPlanOptions): KernelPass[] {
  const fusion = options.fuse === false ? [] : [fuseTrainingEpiloguesPass(storageBindingLimit(options))];
  const target = options.target ?? PORTABLE_TARGET;
  // A training step changes its weights on the device.
  const choose = chooseSchedulesPass({ batch: options.batch ?? 1, target, constantWeights: false, requests: scheduleRequests(options) });
  return [...fusion, differentiatePass(options), choose];
}

/** The training step's kernel graph at `options.batch` (default 1; schedules depend on it): forward (training mode), loss, backward and updates. */
export function buildTrainingKernelGraph(graph: Graph, options: TrainingPlanOptions): KernelGraph {
  requireValidScheduleOptions(graph, options.schedule);
  const verify = options.verify === true ? { maxStorageBindings: storageBindingLimit(options) } : undefined;
  let kernels = lowerToKernels(graph, { training: true, maxStorageBindings: storageBindingLimit(options) });
  if (verify !== undefined) assertValidKernelGraph(kernels, "after lowering for training", verify);
  options.afterPass?.("lower-to-kernels", kernels);
  for (const pass of trainingKernelPasses(options)) {
    kernels = runKernelPass(pass, kernels, verify);
    options.afterPass?.(pass.name, kernels);
  }
  return kernels;
}

/** The training step at `batch`: its kernel graph, memory plan and Plan (no outputs; metrics and state buffers). */
export function compileTrainingPlan(graph: Graph, batch: number, options: TrainingPlanOptions): CompiledPlan {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`internal: a plan needs a positive integer batch, got ${batch}`);
  const kernels = buildTrainingKernelGraph(graph, { ...options, batch });
  const memory = planMemory(kernels, batch);
  if (options.verify === true) {
    const problems = validateMemoryPlan(kernels, memory);
    if (problems.length > 0) throw new Error(`invalid memory plan:\n  ${problems.join("\n  ")}`);
  }
  const plan = emitPlan(kernels, memory, planWeights(graph), options.fuse !== false, { maxStorageBindings: storageBindingLimit(options) });
  return { plan, kernels, memory };
}

/** The kernel graph after every kernel pass (before memory planning, which depends on the batch). */
export function buildKernelGraph(graph: Graph, options: BuildPlanOptions = {}): KernelGraph {
  requireValidScheduleOptions(graph, options.schedule);
  const verify = options.verify === true ? { maxStorageBindings: storageBindingLimit(options) } : undefined;
  let kernels = lowerToKernels(graph, { maxStorageBindings: storageBindingLimit(options) });
  if (verify !== undefined) assertValidKernelGraph(kernels, "after lowering", verify);
  options.afterPass?.("lower-to-kernels", kernels);
  for (const pass of kernelPasses(options)) {
    kernels = runKernelPass(pass, kernels, verify);
    options.afterPass?.(pass.name, kernels);
  }
  return kernels;
}

export interface CompiledPlan {
  plan: Plan;
  kernels: KernelGraph;
  memory: MemoryPlan;
}

/** The whole back half at `batch`: the kernel graph, its memory plan, and the Plan the runtime executes. */
export function compilePlan(graph: Graph, batch: number, options: BuildPlanOptions = {}): CompiledPlan {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`internal: a plan needs a positive integer batch, got ${batch}`);
  const kernels = buildKernelGraph(graph, { ...options, batch });
  const memory = planMemory(kernels, batch);
  if (options.verify === true) {
    const problems = validateMemoryPlan(kernels, memory);
    if (problems.length > 0) throw new Error(`invalid memory plan:\n  ${problems.join("\n  ")}`);
  }
  const plan = emitPlan(kernels, memory, planWeights(graph), options.fuse !== false, {
    deriveOnDevice: options.deriveOnDevice === true,
    maxStorageBindings: storageBindingLimit(options),
  });
  return { plan, kernels, memory };
}

/** The Plan of `graph` at `batch` (see compilePlan). */
export function buildPlan(graph: Graph, batch: number, options: BuildPlanOptions = {}): Plan {
  return compilePlan(graph, batch, options).plan;
}

/** Bad `--schedule` entries (unknown layers or kinds) are one user error naming them all. */
function requireValidScheduleOptions(graph: Graph, schedule: ScheduleConvsOptions | undefined): void {
  if (schedule === undefined) return;
  const errors = checkScheduleOptions(graph, schedule);
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  throw new CnncUserError(`--schedule: ${first!.message}${rest.map((error) => `; ${error.message}`).join("")}`, {
    hint: [first!, ...rest].map((error) => error.hint).join("; "),
  });
}
