// The cnnc package entry point: compile `.cnn` sources to the IR, inspect it, format diagnostics.
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
export type { Tensor, WeightMap } from "./tensor.js";
