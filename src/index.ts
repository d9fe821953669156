// The cnnc package entry point: compile `.cnn` sources to the IR, inspect it, format diagnostics,
// and run networks on the GPU through Dawn.
export { compileFile, compileSource, type CompileOptions, type CompileResult } from "./compile.js";
export { parseProgram } from "../grammar/parse.js";
export { formatDiagnostic, formatDiagnostics, hasErrors, type Diagnostic, type Severity } from "../grammar/diagnostics.js";
export type { Program, SourceSpan } from "../grammar/ast.js";
export type {
  ConvAttrs,
  FcAttrs,
  Graph,
  LossKind,
  Node,
  OpAttrs,
  OpKind,
  OptimizerConfig,
  Padding2d,
  ParamSpec,
  PoolAttrs,
  Shape,
  TrainConfig,
} from "./ir/graph.js";
export { paramFullName, shapeSize } from "./ir/graph.js";
export { verifyGraph } from "./ir/verify.js";
export { inferNodeFacts } from "./ir/shapes/infer.js";
export { summarizeGraph, summaryToJson, type Summary, type SummaryJson, type SummaryRow } from "./ir/summary.js";
export { opLabel } from "./ir/opLabel.js";
export { CnncUserError } from "./errors.js";
export type { NamedTensors, Tensor, WeightMap } from "./tensor.js";
export { compile, compileNetwork, type CompiledNetwork } from "../runtime/compileNetwork.js";
export { createSession, type Session, type SessionInputs, type SessionOptions } from "../runtime/session.js";
export { openDevice, type BackendChoice, type GpuContext } from "../runtime/device.js";
// The NaN/Inf detector `run --check` uses (how it judges the reference's values stays internal).
export {
  describeNonFinite,
  locateFirstNonFinite,
  scanNonFinite,
  type LayerByLayerRunner,
  type NonFiniteOrigin,
  type NonFiniteScan,
} from "../runtime/nonFinite.js";
export { readNpy, writeNpy } from "../runtime/npy.js";
export { profilePlan, summarizeKernelTimes, type KernelTime, type PlanProfile, type ProfileOptions } from "../runtime/profile.js";
export { defaultKernelClock, submissionClock, timestampClock, type KernelClock } from "../runtime/kernelClock.js";
export { readSafetensors, writeSafetensors } from "../runtime/safetensors.js";
export { runReference } from "./reference/interpret.js";
export { exportOnnx, type OnnxExportOptions } from "./export/onnx/exportOnnx.js";
export { buildPlan, compilePlan, buildKernelGraph, type BuildPlanOptions } from "./pipeline.js";
export type { Plan, KernelStep, PlanBuffer } from "./codegen/plan.js";
export { loadPlanDirectory } from "./planFile/loadPlanDirectory.js";
export { serializePlan, type SerializedPlan } from "./planFile/serializePlan.js";
export { checkScheduleOptions, type ScheduleConvsOptions } from "./passes/scheduleOptions.js";
export { PORTABLE_TARGET, workloadKey, type Target, type Workload } from "./schedule/types.js";
export { targetOf } from "../runtime/target.js";
// Training on the GPU (`cnnc train` is built on these).
export { createTrainer, type CreateTrainerOptions } from "../runtime/training/createTrainer.js";
export { Trainer, type TrainerSettings, type TrainingBatch, type StepMetrics } from "../runtime/training/trainer.js";
export type { EvaluationResult } from "../runtime/training/evaluation.js";
export { datasetFromIdx, datasetFromNpy, type Dataset } from "../runtime/data/dataset.js";
export { BatchLoader } from "../runtime/data/loader.js";
export type { Batch, BatchOptions } from "../runtime/data/batches.js";
export { channelStatistics, normalizeImages, type Normalization } from "../runtime/data/normalize.js";
export { findFashionMnist, FASHION_MNIST_DIR } from "../runtime/data/fashionMnist.js";
