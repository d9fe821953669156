// Training-mode batchnorm on the GPU: the forward pass normalizing by the batch's own statistics (and
// updating the running ones), optionally followed by an activation in the same pass, and its backward
// pass through those statistics. Each per-channel reduction is split into chunks (channelChunks.ts).
// The statistics are accurate in float32: each chunk takes its mean and then the centered sum of
// squares of its own values (two passes over values still in cache), and the chunks are merged with
// Chan et al.'s pairwise update, never as sum(x^2) - sum(x)^2 / n.
import { CnncUserError } from "../../errors.js";
import type { ActivationAttrs } from "../../ir/graph.js";
import { activationDefinition } from "../../ops/activations.js";
import { describeShape } from "../../tensor.js";
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { activationExpression } from "../epilogue.js";
import { loopPasses } from "../loopLimit.js";
import { f32Literal, foldedDispatch, kernelSource, type HeaderDetails, type StorageBindingSpec } from "../wgsl.js";
import { keepNanWgsl } from "../nanWgsl.js";
import { channelElementSchedule, type ChannelElementSchedule } from "./channelRows.js";
import { CHUNK_PROLOGUE, chunkDeclarations, channelChunks, chunkLoop, type ChannelChunks } from "./channelChunks.js";
import type { TrainingKernel, TrainingKernels } from "./trainingKernel.js";

export interface BatchNormTrainingShape {
  batch: number;
  channels: number;
  /** Values per channel and sample: H * W, L, or 1 for a [C] feature vector. */
  inner: number;
  /** Applied to the normalized value in the same pass (forward), its derivative first (backward). */
  activation?: ActivationAttrs;
}

export interface BatchNormTrainForwardOptions extends BatchNormTrainingShape {
  eps: number;
  momentum: number;
}

/** Scratch of the forward pass: per (channel, chunk) its mean and centered sum of squares. */
const STATISTICS_PARTIALS = "batchnorm_statistics_partials";
/** Scratch of the backward pass: per (channel, chunk) sum(dz) and sum(dz * x^). */
const GRADIENT_PARTIALS = "batchnorm_gradient_partials";

const read = (name: string): StorageBindingSpec => ({ name, access: "read" });
const readWrite = (name: string): StorageBindingSpec => ({ name, access: "read_write" });

function checkedLayout(shape: BatchNormTrainingShape): ChannelChunks {
  const layout = channelChunks(shape.batch, shape.channels, shape.inner);
  if (layout.count < 2) {
    throw new CnncUserError(`batchnorm in training needs more than 1 value per channel, but a batch of ${shape.batch} gives it ${layout.count}`, {
      hint: "train with a batch of at least 2 samples",
    });
  }
  return layout;
}

function shapeDetails(shape: BatchNormTrainingShape, layout: ChannelChunks): Record<string, string> {
  return {
    "x and y": `${describeShape([shape.batch, shape.channels, shape.inner])} (N, C, values per sample)`,
    activation: shape.activation === undefined ? "none" : activationDefinition(shape.activation.op).label(shape.activation),
    chunks: `${layout.chunks} per channel of ${layout.chunkLength} values`,
  };
}

/** A per-element kernel laid out by channelElementSchedule. */
function scheduledKernel(
  kernel: string,
  title: string,
  details: HeaderDetails,
  bindings: StorageBindingSpec[],
  declarations: string[],
  schedule: ChannelElementSchedule,
): TrainingKernel {
  const wgsl = kernelSource({ title, details: { ...details, schedule: schedule.description }, bindings, declarations, dispatch: schedule.dispatch, body: schedule.lines });
  return { kernel, wgsl, workgroups: schedule.dispatch.workgroups, bindings, loopIterations: schedule.passes };
}

/** A kernel of `invocations` flat invocations. */
function flatKernel(
  kernel: string,
  title: string,
  details: HeaderDetails,
  bindings: StorageBindingSpec[],
  declarations: string[],
  invocations: number,
  body: string[],
  loopIterations: number,
): TrainingKernel {
  const dispatch = foldedDispatch(invocations, ELEMENTWISE_WORKGROUP_SIZE);
  const wgsl = kernelSource({ title, details, bindings, declarations, dispatch, body });
  return { kernel, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations };
}

/**
 * Bindings: `x`, `weight`, `bias`, `running_mean` (rw), `running_var` (rw), `saved` (rw: the batch
 * mean per channel, then 1 / sqrt(biased variance + eps)), `y` (rw), scratch `batchnorm_statistics_partials`
 * (each kernel binds those it uses, in this order).
 * y = activation((x - mean) * invstd * weight + bias); running = (1 - momentum) * running + momentum *
 * batch statistic, the unbiased variance for running_var (PyTorch's update).
 */
export function batchnormTrainForward(options: BatchNormTrainForwardOptions): TrainingKernels {
  const layout = checkedLayout(options);
  const details = { ...shapeDetails(options, layout), eps: options.eps, momentum: options.momentum };
  const declarations = [chunkDeclarations(layout), "fn squared(value: f32) -> f32 {\n  return value * value;\n}"];
  const sums = chunkLoop(layout, (j) => [`sum += x[element_index(channel, ${j})];`]);
  const squares = chunkLoop(layout, (j) => [`squares += squared(x[element_index(channel, ${j})] - chunk_mean);`]);
  const partial = flatKernel(
    "batchnorm_statistics_partial",
    "batchnorm training statistics: each chunk's mean and centered sum of squares",
    { ...details, schedule: "one invocation per (channel, chunk): a sum, then the squares about the chunk's mean" },
    [read("x"), readWrite(STATISTICS_PARTIALS)],
    declarations,
    layout.channels * layout.chunks,
    [
      ...CHUNK_PROLOGUE,
      "  var sum = 0.0f;",
      ...sums.lines,
      "  let chunk_mean = sum / f32(length);",
      "  var squares = 0.0f;",
      ...squares.lines,
      `  ${STATISTICS_PARTIALS}[2u * index] = chunk_mean;`,
      `  ${STATISTICS_PARTIALS}[2u * index + 1u] = squares;`,
    ],
    sums.passes + squares.passes,
  );
  const momentum = f32Literal(options.momentum);
  const keep = f32Literal(1 - options.momentum);
  const partials = (k: string, slot: number): string => `${STATISTICS_PARTIALS}[2u * (base + ${k}) + ${slot}u]`;
  const statistics = flatKernel(
    "batchnorm_statistics",
    "batchnorm training statistics: merge the chunks, save mean and invstd, update the running statistics",
    { ...details, schedule: "one invocation per channel, merging its chunks in order (Chan et al.)" },
    [readWrite("running_mean"), readWrite("running_var"), readWrite("saved"), read(STATISTICS_PARTIALS)],
    [chunkDeclarations(layout)],
    layout.channels,
    [
      "  let channel = index;",
      "  let base = channel * CHUNKS;",
      `  var mean = ${partials("0u", 0)};`,
      `  var squares = ${partials("0u", 1)};`,
      "  var counted = f32(min(CHUNK, COUNT));",
      "  for (var k = 1u; k < CHUNKS; k++) {",
      "    let length = f32(min(CHUNK, COUNT - k * CHUNK));",
      `    let delta = ${partials("k", 0)} - mean;`,
      "    let total = counted + length;",
      "    mean += delta * (length / total);",
      `    squares += ${partials("k", 1)} + delta * delta * (counted * length / total);`,
      "    counted = total;",
      "  }",
      `  saved[channel] = mean;`,
      `  saved[C + channel] = 1.0f / sqrt(squares / f32(COUNT) + ${f32Literal(options.eps)});`,
      `  running_mean[channel] = ${keep} * running_mean[channel] + ${momentum} * mean;`,
      `  running_var[channel] = ${keep} * running_var[channel] + ${momentum} * (squares / f32(COUNT - 1u));`,
    ],
    loopPasses(layout.chunks - 1),
  );
  const output = options.activation === undefined ? "z" : activationExpression(options.activation, "z");
  const normalizeSchedule = channelElementSchedule(
    options.batch,
    layout.channels,
    layout.inner,
    ["let mean = saved[channel];", "let invstd = saved[C + channel];", "let gamma = weight[channel];", "let beta = bias[channel];"],
    // z as the backward pass recomputes it (output_gradient), so both see the same side of a kink.
    ["let z = ((x[element] - mean) * invstd) * gamma + beta;", `y[element] = ${output};`],
  );
  const normalize = scheduledKernel(
    "batchnorm_normalize",
    "batchnorm training: normalize by the batch statistics",
    details,
    [read("x"), read("weight"), read("bias"), read("saved"), readWrite("y")],
    [chunkDeclarations(layout)],
    normalizeSchedule,
  );
  const partialsBytes = 2 * layout.channels * layout.chunks * 4;
  return { kernels: [partial, statistics, normalize], scratch: [{ name: STATISTICS_PARTIALS, bytes: partialsBytes }] };
}

/**
 * Bindings: `dy`, `x`, `weight`, `bias` (only with an activation), `saved` (the forward's), `dx` (rw),
 * `dweight` (rw), `dbias` (rw), scratch `batchnorm_gradient_partials` (each kernel binds those it uses,
 * in this order); dx, dweight and dbias are overwritten. With an activation, dy is the gradient of the activation's output: dz = dy * f'(z) at the
 * recomputed z = x^ * weight + bias. With M values per channel and x^ = (x - mean) * invstd:
 * dbias = sum(dz), dweight = sum(dz * x^), dx = weight * invstd * (dz - (dbias + x^ * dweight) / M).
 */
export function batchnormTrainBackward(shape: BatchNormTrainingShape): TrainingKernels {
  const layout = checkedLayout(shape);
  const details = shapeDetails(shape, layout);
  const activation = shape.activation;
  const outputGradient =
    activation === undefined
      ? ""
      : [
          "// dy is the gradient of the activation's output: through the activation at the recomputed z first.",
          "fn output_gradient(element: u32, normalized: f32, gamma: f32, beta: f32) -> f32 {",
          "  let z = normalized * gamma + beta;",
          `  return dy[element] * ${keepNanWgsl("z", activationDefinition(activation.op).derivativeWgsl(activation, "input", "z", f32Literal))};`,
          "}",
        ].join("\n");
  const declarations = [chunkDeclarations(layout), ...(outputGradient === "" ? [] : [outputGradient])];
  // With an activation, each invocation reads its channel's weight and bias once, for output_gradient.
  const channelParameters = activation === undefined ? [] : ["let gamma = weight[channel];", "let beta = bias[channel];"];
  const gradientCall = activation === undefined ? "dy[element]" : "output_gradient(element, normalized, gamma, beta)";
  // A kernel binds only what its WGSL uses (an unused binding is absent from the pipeline's layout).
  const parameters = activation === undefined ? [] : [read("weight"), read("bias")];
  const sums = chunkLoop(layout, (j) => [
    "{",
    `  let element = element_index(channel, ${j});`,
    "  let normalized = (x[element] - mean) * invstd;",
    `  let dz = ${gradientCall};`,
    "  sum_dz += dz;",
    "  sum_dz_normalized += dz * normalized;",
    "}",
  ]);
  const partial = flatKernel(
    "batchnorm_backward_partial",
    "batchnorm training backward: each chunk's sum(dz) and sum(dz * x^)",
    { ...details, schedule: "one invocation per (channel, chunk)" },
    [read("dy"), read("x"), ...parameters, read("saved"), readWrite(GRADIENT_PARTIALS)],
    declarations,
    layout.channels * layout.chunks,
    [
      ...CHUNK_PROLOGUE,
      "  let mean = saved[channel];",
      "  let invstd = saved[C + channel];",
      ...channelParameters.map((line) => `  ${line}`),
      "  var sum_dz = 0.0f;",
      "  var sum_dz_normalized = 0.0f;",
      ...sums.lines,
      `  ${GRADIENT_PARTIALS}[2u * index] = sum_dz;`,
      `  ${GRADIENT_PARTIALS}[2u * index + 1u] = sum_dz_normalized;`,
    ],
    sums.passes,
  );
  const parameterGradients = flatKernel(
    "batchnorm_backward_parameters",
    "batchnorm training backward: dweight = sum(dz * x^) and dbias = sum(dz) from the chunks",
    { ...details, schedule: "one invocation per channel, adding its chunks in order" },
    [readWrite("dweight"), readWrite("dbias"), read(GRADIENT_PARTIALS)],
    [chunkDeclarations(layout)],
    layout.channels,
    [
      "  let base = index * CHUNKS;",
      "  var sum_dz = 0.0f;",
      "  var sum_dz_normalized = 0.0f;",
      "  for (var k = 0u; k < CHUNKS; k++) {",
      `    sum_dz += ${GRADIENT_PARTIALS}[2u * (base + k)];`,
      `    sum_dz_normalized += ${GRADIENT_PARTIALS}[2u * (base + k) + 1u];`,
      "  }",
      "  dbias[index] = sum_dz;",
      "  dweight[index] = sum_dz_normalized;",
    ],
    loopPasses(layout.chunks),
  );
  const dataSchedule = channelElementSchedule(
    shape.batch,
    layout.channels,
    layout.inner,
    [
      "let mean = saved[channel];",
      "let invstd = saved[C + channel];",
      ...channelParameters,
      "let scale = weight[channel] * invstd;",
      `let mean_dz = dbias[channel] * ${f32Literal(1 / layout.count)};`,
      `let mean_dz_normalized = dweight[channel] * ${f32Literal(1 / layout.count)};`,
    ],
    [
      "let normalized = (x[element] - mean) * invstd;",
      `let dz = ${gradientCall};`,
      "dx[element] = scale * (dz - mean_dz - normalized * mean_dz_normalized);",
    ],
  );
  const data = scheduledKernel(
    "batchnorm_backward_data",
    "batchnorm training backward: dx through the batch statistics",
    details,
    [read("dy"), read("x"), read("weight"), ...(activation === undefined ? [] : [read("bias")]), read("saved"), readWrite("dx"), read("dweight"), read("dbias")],
    declarations,
    dataSchedule,
  );
  const partialsBytes = 2 * layout.channels * layout.chunks * 4;
  return { kernels: [partial, parameterGradients, data], scratch: [{ name: GRADIENT_PARTIALS, bytes: partialsBytes }] };
}
