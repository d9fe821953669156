// The compiler's back half as one flat list: the layer graph (from compile.ts: parse -> elaborate ->
// mark-in-place) is lowered to a kernel graph, and each step below is a pure function of the previous
// result, verified after it runs when asked (tests always ask):
//
//   lower-to-kernels -> fold-batchnorm -> fuse-epilogues -> fuse-conv-pool -> concat-in-place ->
//   fuse-elementwise-chains -> choose-schedules -> plan-memory(batch) -> emit-kernels(batch)
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
import type { Graph, LossKind, OptimizerConfig } from "./ir/graph.js";
import { fuseTrainingEpiloguesPass } from "./passes/fuseTraining.js";
import { differentiatePass } from "./training/differentiate.js";
import { DEFAULT_STORAGE_BINDING_LIMIT } from "./kernels/analysis.js";
import type { KernelGraph } from "./kernels/kernelGraph.js";
import { lowerToKernels } from "./kernels/lower.js";
import { planMemory, validateMemoryPlan, type MemoryPlan } from "./kernels/memoryPlan.js";
import { chooseSchedulesPass } from "./passes/chooseSchedules.js";
import { concatInPlacePass } from "./passes/concatInPlace.js";
import { foldBatchnormPass } from "./passes/foldBatchnorm.js";
import { fuseConvPoolPass } from "./passes/fuseConvPool.js";
import { fuseElementwiseChainsPass } from "./passes/fuseElementwiseChains.js";
import { fuseEpiloguesPass } from "./passes/fuseEpilogues.js";
import { assertValidKernelGraph, runKernelPass, type KernelPass } from "./passes/kernelPass.js";
import { checkScheduleOptions, type ScheduleConvsOptions } from "./passes/scheduleOptions.js";
import { PORTABLE_TARGET } from "./schedule/types.js";

export interface BuildPlanOptions {
  /** Run the fusion passes (default true); false keeps one kernel per layer (`--no-fuse`). */
  fuse?: boolean;
  /** choose-schedules' options (`--schedule`): one kind for all convs and/or per layer; default: the default rule. */
  schedule?: ScheduleConvsOptions;
  /** Storage buffers one kernel may bind (a device's maxStorageBuffersPerShaderStage); default 8, what every device grants. */
  maxStorageBindings?: number;
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

/** The kernel passes, in order, for these options. */
export function kernelPasses(options: BuildPlanOptions): KernelPass[] {
  const schedule = options.schedule ?? {};
  const limit = options.maxStorageBindings ?? DEFAULT_STORAGE_BINDING_LIMIT;
  const fusion = [fuseEpiloguesPass(limit), fuseConvPoolPass(schedule, limit), concatInPlacePass, fuseElementwiseChainsPass(limit)];
  return [foldBatchnormPass, ...(options.fuse === false ? [] : fusion), chooseSchedulesPass(schedule)];
}

export const PASS_NAMES: readonly string[] = ["lower-to-kernels", ...kernelPasses({}).map((pass) => pass.name)];

/** The kernel passes of a training step, in order. */
export function trainingKernelPasses(options: TrainingPlanOptions, batch: number): KernelPass[] {
  const limit = options.maxStorageBindings ?? DEFAULT_STORAGE_BINDING_LIMIT;
  const fusion = options.fuse === false ? [] : [fuseTrainingEpiloguesPass(limit)];
  return [...fusion, differentiatePass(options), chooseSchedulesPass(options.schedule ?? {}, { batch, target: PORTABLE_TARGET })];
}

/** The training step's kernel graph at `batch` (the backward kernels' schedules depend on it): forward (training mode), loss, backward and updates. */
export function buildTrainingKernelGraph(graph: Graph, options: TrainingPlanOptions, batch: number): KernelGraph {
  requireValidScheduleOptions(graph, options.schedule);
  const verify = options.verify === true ? { maxStorageBindings: options.maxStorageBindings ?? DEFAULT_STORAGE_BINDING_LIMIT } : undefined;
  let kernels = lowerToKernels(graph, { training: true });
  if (verify !== undefined) assertValidKernelGraph(kernels, "after lowering for training", verify);
  options.afterPass?.("lower-to-kernels", kernels);
  for (const pass of trainingKernelPasses(options, batch)) {
    kernels = runKernelPass(pass, kernels, verify);
    options.afterPass?.(pass.name, kernels);
  }
  return kernels;
}

/** The training step at `batch`: its kernel graph, memory plan and Plan (no outputs; metrics and state buffers). */
export function compileTrainingPlan(graph: Graph, batch: number, options: TrainingPlanOptions): CompiledPlan {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`internal: a plan needs a positive integer batch, got ${batch}`);
  const kernels = buildTrainingKernelGraph(graph, options, batch);
  const memory = planMemory(kernels, batch);
  if (options.verify === true) {
    const problems = validateMemoryPlan(kernels, memory);
    if (problems.length > 0) throw new Error(`invalid memory plan:\n  ${problems.join("\n  ")}`);
  }
  const plan = emitPlan(kernels, memory, planWeights(graph), options.fuse !== false);
  return { plan, kernels, memory };
}

/** The kernel graph after every kernel pass (before memory planning, which depends on the batch). */
export function buildKernelGraph(graph: Graph, options: BuildPlanOptions = {}): KernelGraph {
  requireValidScheduleOptions(graph, options.schedule);
  const verify = options.verify === true ? { maxStorageBindings: options.maxStorageBindings ?? DEFAULT_STORAGE_BINDING_LIMIT } : undefined;
  let kernels = lowerToKernels(graph);
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
  const kernels = buildKernelGraph(graph, options);
  const memory = planMemory(kernels, batch);
  if (options.verify === true) {
    const problems = validateMemoryPlan(kernels, memory);
    if (problems.length > 0) throw new Error(`invalid memory plan:\n  ${problems.join("\n  ")}`);
  }
  const plan = emitPlan(kernels, memory, planWeights(graph), options.fuse !== false, { deriveOnDevice: options.deriveOnDevice === true });
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
