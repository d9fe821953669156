// Optimizer update kernels: one invocation per parameter element applies PyTorch's SGD, Adam or AdamW
// step to that element and its state, in float32 as PyTorch computes it. The per-step values (learning
// rate, Adam's bias corrections) come from the `hyper` buffer, so one program serves every step; the
// update is skipped once `metrics` records a non-finite loss, leaving the parameters that produced it.
import type { OptimizerConfig } from "../../ir/graph.js";
import { type AdamSettings, type SgdSettings, optimizerSettings } from "../../training/optimizerSettings.js";
import { f32Literal, foldedDispatch, kernelSource, type StorageBindingSpec, u32Literal } from "../wgsl.js";
import { HYPER_LENGTH, HYPER_SLOTS, METRICS_SLOTS, type TrainingKernels } from "./trainingKernel.js";

/** One invocation per element; a flat, loop-free kernel, as the elementwise kernels. */
const UPDATE_WORKGROUP_SIZE = 256;

const HYPER_BINDING: StorageBindingSpec = { name: "hyper", access: "read" };
/** Read as u32: only the non-finite flag (u32 bits) is needed, and reading it as f32 could flush its denormal bits. */
const METRICS_BINDING: StorageBindingSpec = { name: "metrics", access: "read", element: "u32" };

const SKIP_AFTER_NON_FINITE_LOSS = [
  `  if (metrics[${u32Literal(METRICS_SLOTS.firstNonFiniteStep)}] != 0u) {`,
  "    return; // a non-finite loss was seen: keep the parameters that produced it",
  "  }",
];

const hyperSlot = (slot: keyof typeof HYPER_SLOTS) => `hyper[${u32Literal(HYPER_SLOTS[slot])}]`;

/** The update of `elements` parameters by PyTorch's SGD (dampening 0). */
export function sgdUpdate(options: { elements: number } & SgdSettings): TrainingKernels {
  const { elements, momentum, nesterov, weightDecay } = options;
  if (nesterov && !(momentum > 0)) throw new Error("internal: Nesterov momentum needs momentum > 0");
  const bindings: StorageBindingSpec[] = [
    { name: "param", access: "read_write" },
    { name: "grad", access: "read" },
    ...(momentum !== 0 ? [{ name: "momentum_buffer", access: "read_write" as const }] : []),
    HYPER_BINDING,
    METRICS_BINDING,
  ];
  const gradient = weightDecay !== 0 ? `grad[index] + ${f32Literal(weightDecay)} * value` : "grad[index]";
  const body = [
    ...SKIP_AFTER_NON_FINITE_LOSS,
    `  let learning_rate = ${hyperSlot("learningRate")};`,
    "  let value = param[index];",
    `  let g = ${gradient};`,
    ...(momentum !== 0
      ? [
          // A zero-initialized buffer makes the first step's buffer g, as PyTorch's clone of the gradient.
          `  let buffer = ${f32Literal(momentum)} * momentum_buffer[index] + g;`,
          "  momentum_buffer[index] = buffer;",
          `  let update = ${nesterov ? `g + ${f32Literal(momentum)} * buffer` : "buffer"};`,
        ]
      : ["  let update = g;"]),
    "  param[index] = value - learning_rate * update;",
  ];
  const details = { momentum, nesterov, "weight decay": weightDecay };
  return updateKernels("sgd_update", "SGD parameter update", elements, details, bindings, body);
}

/** The update of `elements` parameters by PyTorch's Adam (`decoupled` false) or AdamW (`decoupled`). */
export function adamUpdate(options: { elements: number } & AdamSettings): TrainingKernels {
  const { elements, beta1, beta2, eps, weightDecay, decoupled } = options;
  const bindings: StorageBindingSpec[] = [
    { name: "param", access: "read_write" },
    { name: "grad", access: "read" },
    { name: "exp_avg", access: "read_write" },
    { name: "exp_avg_sq", access: "read_write" },
    HYPER_BINDING,
    METRICS_BINDING,
  ];
  const decay = weightDecay !== 0;
  const body = [
    ...SKIP_AFTER_NON_FINITE_LOSS,
    `  let learning_rate = ${hyperSlot("learningRate")};`,
    `  let step_size = learning_rate / ${hyperSlot("biasCorrection1")};`,
    `  let bias_correction2_sqrt = sqrt(${hyperSlot("biasCorrection2")});`,
    decay && decoupled ? `  let value = param[index] * (1.0f - learning_rate * ${f32Literal(weightDecay)});` : "  let value = param[index];",
    `  let g = ${decay && !decoupled ? `grad[index] + ${f32Literal(weightDecay)} * value` : "grad[index]"};`,
    // exp_avg.lerp_(g, 1 - beta1) and exp_avg_sq·beta2 + (1 - beta2)·g·g, as PyTorch writes them.
    "  let average = exp_avg[index];",
    `  let m = average + ${f32Literal(1 - beta1)} * (g - average);`,
    `  let v = ${f32Literal(beta2)} * exp_avg_sq[index] + ${f32Literal(1 - beta2)} * g * g;`,
    "  exp_avg[index] = m;",
    "  exp_avg_sq[index] = v;",
    `  let denominator = sqrt(v) / bias_correction2_sqrt + ${f32Literal(eps)};`,
    "  param[index] = value - step_size * (m / denominator);",
  ];
  const details = { beta1, beta2, eps, "weight decay": `${weightDecay}${decoupled ? " (decoupled, AdamW)" : " (L2, Adam)"}` };
  return updateKernels("adam_update", `${decoupled ? "AdamW" : "Adam"} parameter update`, elements, details, bindings, body);
}

function updateKernels(
  kernel: string,
  title: string,
  elements: number,
  details: Record<string, string | number | boolean>,
  bindings: StorageBindingSpec[],
  body: string[],
): TrainingKernels {
  if (!Number.isSafeInteger(elements) || elements < 1) throw new Error(`internal: an optimizer update of ${elements} elements`);
  const dispatch = foldedDispatch(elements, UPDATE_WORKGROUP_SIZE);
  const wgsl = kernelSource({
    title,
    details: { elements, ...details, "learning rate": "hyper (per step)", schedule: "one invocation per element" },
    bindings,
    declarations: [],
    dispatch,
    body,
  });
  return { kernels: [{ kernel, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}

/** The update kernels of `config`'s optimizer for a parameter of `elements` elements. */
export function optimizerUpdate(config: OptimizerConfig, elements: number): TrainingKernels {
  const settings = optimizerSettings(config);
  return settings.kind === "sgd" ? sgdUpdate({ elements, ...settings }) : adamUpdate({ elements, ...settings });
}

/** The per-parameter state buffers `config`'s update binds (and a checkpoint saves as `<param>.<state>`), zeros before the first step. */
export function optimizerStateNames(config: OptimizerConfig): string[] {
  const settings = optimizerSettings(config);
  if (settings.kind === "sgd") return settings.momentum !== 0 ? ["momentum_buffer"] : [];
  return ["exp_avg", "exp_avg_sq"];
}

/**
 * The `hyper` buffer of 0-based optimizer step `step`: its learning rate, Adam's bias corrections
 * 1 − beta^t for t = step + 1 (computed in float64; 1 for SGD), the dropout seed and the step (u32 bits).
 */
export function hyperValues(config: OptimizerConfig, learningRate: number, step: number, dropoutSeed = 0): Float32Array {
  if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`internal: optimizer step ${step}`);
  if (!Number.isInteger(dropoutSeed) || dropoutSeed < 0 || dropoutSeed > 0xffffffff) throw new Error(`internal: dropout seed ${dropoutSeed}`);
  const settings = optimizerSettings(config);
  const bits = new Uint32Array(HYPER_LENGTH);
  const values = new Float32Array(bits.buffer);
  values[HYPER_SLOTS.learningRate] = learningRate;
  values[HYPER_SLOTS.biasCorrection1] = settings.kind === "adam" ? 1 - settings.beta1 ** (step + 1) : 1;
  values[HYPER_SLOTS.biasCorrection2] = settings.kind === "adam" ? 1 - settings.beta2 ** (step + 1) : 1;
  bits[HYPER_SLOTS.dropoutSeed] = dropoutSeed;
  bits[HYPER_SLOTS.step] = step;
  return values;
}
