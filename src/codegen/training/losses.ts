// The loss kernels of a training step: softmax cross-entropy on logits with integer labels, and mean
// squared error, both PyTorch's reduction="mean". Each writes the gradient w.r.t. the network's output
// (one invocation per sample) and its per-sample losses into scratch; then one invocation adds them up
// in sample order (deterministic, unlike atomics: the same bits every run) into the `metrics` buffer
// (METRICS_SLOTS), and records the first step whose batch loss is not finite.
import { CnncUserError } from "../../errors.js";
import { describeShape } from "../../tensor.js";
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { f32Literal, foldedDispatch, kernelSource, RUN_TIME_ZERO, u32Constants, type StorageBindingSpec } from "../wgsl.js";
import { HYPER_SLOTS, METRICS_SLOTS, type TrainingKernel, type TrainingKernels } from "./trainingKernel.js";

/** Scratch: each sample's loss, then (cross-entropy) whether it was classified correctly (1 or 0). */
const SAMPLE_TERMS = "loss_sample_terms";

const read = (name: string, element?: "u32"): StorageBindingSpec => ({ name, access: "read", ...(element === undefined ? {} : { element }) });
const readWrite = (name: string): StorageBindingSpec => ({ name, access: "read_write" });

/**
 * A NaN (WGSL has no literal for one, and refuses a constant expression that is one): its bits plus a
 * run-time zero.
 */
const NAN_WGSL = `bitcast<f32>(0x7fc00000u + ${RUN_TIME_ZERO})`;

function checkBatch(batch: number, what: string, size: number): void {
  if (!Number.isSafeInteger(batch) || batch < 1 || !Number.isSafeInteger(size) || size < 1) {
    throw new Error(`internal: a ${what} loss over a batch of ${batch} with ${size} values per sample`);
  }
}

/**
 * The kernel adding the per-sample terms into `metrics`: lossSum += sum of losses, correct += sum of
 * hits (when `countsCorrect`), samples += batch; and, when that batch loss is not finite and no step
 * was flagged yet, firstNonFiniteStep = step + 1. One invocation: the order of the sums is fixed.
 */
function metricsKernel(batch: number, countsCorrect: boolean): TrainingKernel {
  const bindings = [read("hyper"), readWrite("metrics"), read(SAMPLE_TERMS)];
  const dispatch = foldedDispatch(1, 1);
  const wgsl = kernelSource({
    title: `loss metrics: add ${batch} per-sample losses${countsCorrect ? " and hits" : ""} into the metrics`,
    details: { schedule: "one invocation, summing in sample order (deterministic)" },
    bindings,
    declarations: [u32Constants({ BATCH: batch })],
    dispatch,
    body: [
      "  var loss = 0.0f;",
      "  var correct = 0.0f;",
      "  for (var n = 0u; n < BATCH; n++) {",
      `    loss += ${SAMPLE_TERMS}[n];`,
      ...(countsCorrect ? [`    correct += ${SAMPLE_TERMS}[BATCH + n];`] : []),
      "  }",
      `  metrics[${METRICS_SLOTS.lossSum}] += loss;`,
      ...(countsCorrect ? [`  metrics[${METRICS_SLOTS.correct}] += correct;`] : []),
      `  metrics[${METRICS_SLOTS.samples}] += ${f32Literal(batch)};`,
      "  // Not finite: exponent bits all ones (a test on the bits, which no float optimization folds away).",
      "  let finite = (bitcast<u32>(loss) & 0x7f800000u) != 0x7f800000u;",
      `  if (!finite && bitcast<u32>(metrics[${METRICS_SLOTS.firstNonFiniteStep}]) == 0u) {`,
      `    metrics[${METRICS_SLOTS.firstNonFiniteStep}] = bitcast<f32>(bitcast<u32>(hyper[${HYPER_SLOTS.step}]) + 1u);`,
      "  }",
    ],
  });
  return { kernel: "loss_metrics", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(batch) };
}

/**
 * Bindings: `logits` ([batch, classes]), `labels` (u32 per sample), `hyper`, `metrics` (rw), `dlogits`
 * (rw), scratch `loss_sample_terms` (each kernel binds those it uses, in this order).
 * loss_n = log(sum_k exp(logit_k - max)) - (logit_label - max); dlogits = (softmax - onehot) / batch.
 * A label >= classes reads nothing out of bounds: that sample's loss and gradient are NaN (so the step
 * is flagged), as are those of a sample with a NaN or +Inf logit or only -Inf ones.
 */
export function softmaxCrossEntropy(options: { batch: number; classes: number }): TrainingKernels {
  const { batch, classes } = options;
  checkBatch(batch, "cross-entropy", classes);
  if (classes < 2) {
    throw new CnncUserError(`cross-entropy needs at least 2 classes, but the network's output has ${classes}`, {
      hint: "end a classifier with an fc layer of one output per class (the logits; no softmax: the loss applies it)",
    });
  }
  const bindings = [read("logits"), read("labels", "u32"), readWrite("dlogits"), readWrite(SAMPLE_TERMS)];
  const dispatch = foldedDispatch(batch, ELEMENTWISE_WORKGROUP_SIZE);
  const wgsl = kernelSource({
    title: "softmax cross-entropy: per-sample loss, hit and d loss / d logits",
    details: { logits: describeShape([batch, classes]), schedule: "one invocation per sample, three passes over its classes" },
    bindings,
    declarations: [u32Constants({ BATCH: batch, K: classes })],
    dispatch,
    body: [
      "  let base = index * K;",
      "  let label = labels[index];",
      // NaN or +Inf anywhere makes PyTorch's loss NaN; tested on the bits (comparisons may drop a NaN).
      "  var largest = logits[base];",
      "  var predicted = 0u;",
      "  var unusable = (bitcast<u32>(largest) & 0x7fffffffu) > 0x7f800000u || bitcast<u32>(largest) == 0x7f800000u;",
      "  for (var k = 1u; k < K; k++) {",
      "    let logit = logits[base + k];",
      "    unusable = unusable || (bitcast<u32>(logit) & 0x7fffffffu) > 0x7f800000u || bitcast<u32>(logit) == 0x7f800000u;",
      "    if (logit > largest) {",
      "      largest = logit;",
      "      predicted = k;",
      "    }",
      "  }",
      "  // Every logit -Inf: PyTorch's loss is NaN (-Inf - -Inf).",
      "  unusable = unusable || bitcast<u32>(largest) == 0xff800000u;",
      "  var sum = 0.0f;",
      "  for (var k = 0u; k < K; k++) {",
      "    sum += exp(logits[base + k] - largest);",
      "  }",
      "  let invalid = unusable || label >= K;",
      `  let not_a_number = ${NAN_WGSL};`,
      "  // min: a label past the classes must not read out of bounds (its loss is NaN below anyway).",
      "  let label_logit = logits[base + min(label, K - 1u)];",
      `  ${SAMPLE_TERMS}[index] = select(log(sum) - (label_logit - largest), not_a_number, invalid);`,
      `  ${SAMPLE_TERMS}[BATCH + index] = select(0.0f, 1.0f, !invalid && predicted == label);`,
      "  let inverse_sum = 1.0f / sum;",
      "  for (var k = 0u; k < K; k++) {",
      "    let probability = exp(logits[base + k] - largest) * inverse_sum;",
      `    let gradient = (probability - select(0.0f, 1.0f, k == label)) * ${f32Literal(1 / batch)};`,
      `    dlogits[base + k] = select(gradient, not_a_number, invalid);`,
      "  }",
    ],
  });
  const perSample: TrainingKernel = {
    kernel: "softmax_cross_entropy",
    wgsl,
    workgroups: dispatch.workgroups,
    bindings,
    loopIterations: loopPasses(classes - 1) + 2 * loopPasses(classes),
  };
  return { kernels: [perSample, metricsKernel(batch, true)], scratch: [{ name: SAMPLE_TERMS, bytes: 2 * batch * 4 }] };
}

/**
 * Bindings: `outputs` ([batch, elements]), `targets` (the same layout), `hyper`, `metrics` (rw),
 * `doutputs` (rw), scratch `loss_sample_terms` (each kernel binds those it uses, in this order).
 * doutputs = 2 (y - t) / (batch * elements); metrics: lossSum += batch * loss (each sample adds its mean
 * squared error, so lossSum / samples is the mean loss), samples += batch, correct untouched.
 */
export function meanSquaredError(options: { batch: number; elements: number }): TrainingKernels {
  const { batch, elements } = options;
  checkBatch(batch, "mean squared error", elements);
  const bindings = [read("outputs"), read("targets"), readWrite("doutputs"), readWrite(SAMPLE_TERMS)];
  const dispatch = foldedDispatch(batch, ELEMENTWISE_WORKGROUP_SIZE);
  const wgsl = kernelSource({
    title: "mean squared error: per-sample loss and d loss / d outputs",
    details: { outputs: describeShape([batch, elements]), schedule: "one invocation per sample" },
    bindings,
    declarations: [u32Constants({ ELEMENTS: elements })],
    dispatch,
    body: [
      "  let base = index * ELEMENTS;",
      "  var squares = 0.0f;",
      "  for (var e = 0u; e < ELEMENTS; e++) {",
      "    let difference = outputs[base + e] - targets[base + e];",
      "    squares += difference * difference;",
      `    doutputs[base + e] = difference * ${f32Literal(2 / (batch * elements))};`,
      "  }",
      `  ${SAMPLE_TERMS}[index] = squares * ${f32Literal(1 / elements)};`,
    ],
  });
  const perSample: TrainingKernel = { kernel: "mean_squared_error", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(elements) };
  return { kernels: [perSample, metricsKernel(batch, false)], scratch: [{ name: SAMPLE_TERMS, bytes: batch * 4 }] };
}
