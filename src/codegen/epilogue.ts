// The composable epilogue of the conv / GEMM / fc kernels: a list of stages applied, in order, to each
// accumulated output value just before it is stored. A stage is data (the buffers it reads and the WGSL
// expression it contributes), so fusing more work into a kernel (batchnorm scale/shift, a residual add)
// means appending a stage, not editing the generators.
import type { ActivationAttrs } from "../ir/graph.js";
import { activationDefinition } from "../ops/activations.js";
import { keepNanWgsl } from "./nanWgsl.js";
import { kernelBindingsOf, type KernelBinding, type KernelStorage } from "./plan.js";
import { f32Literal, u32Literal, type StorageBindingSpec } from "./wgsl.js";

/** Where the value being finished lives, as WGSL u32 expressions available to every stage. */
export interface EpilogueSite {
  /** Output channel (conv) or output feature (fc). */
  channel: string;
  /** Flat element index into the node's output buffer (batch included). */
  index: string;
}

export interface EpilogueBinding {
  /** WGSL name of the read-only f32 array; unique among the stages of one kernel. */
  name: string;
  buffer: number;
}

export interface EpilogueStage {
  /** Short name for the kernel header comment: `bias`, `relu`, `leaky_relu(0.01)`. */
  label: string;
  bindings: EpilogueBinding[];
  /** The stage's result as a WGSL f32 expression of `value` (an identifier) and the site. */
  expression(value: string, site: EpilogueSite): string;
}

/** Adds a per-channel bias: `value + bias[channel]`. */
export function biasStage(buffer: number, name = "bias"): EpilogueStage {
  return {
    label: "bias",
    bindings: [{ name, buffer }],
    expression: (value, site) => `${value} + ${name}[${site.channel}]`,
  };
}

/**
 * Checks a binding-name suffix: stages of one kind appear more than once in a kernel (two residual
 * adds), so callers pass a suffix (`0`, `1`, or `` for a lone stage) making the names unique. It must
 * keep the name a WGSL identifier, and never holds a layer name (kernel text must not name layers).
 */
function suffixed(name: string, suffix: string): string {
  if (!/^[A-Za-z0-9_]*$/.test(suffix)) throw new Error(`internal: epilogue binding suffix "${suffix}" is not identifier characters`);
  return `${name}${suffix}`;
}

/** Folded batchnorm: `value * scale[channel] + shift[channel]` (scale and shift derived at weight upload). */
export function scaleShiftStage(scaleBuffer: number, shiftBuffer: number, suffix: string): EpilogueStage {
  const scale = suffixed("scale", suffix);
  const shift = suffixed("shift", suffix);
  return {
    label: "scale_shift",
    bindings: [
      { name: scale, buffer: scaleBuffer },
      { name: shift, buffer: shiftBuffer },
    ],
    expression: (value, site) => `${value} * ${scale}[${site.channel}] + ${shift}[${site.channel}]`,
  };
}

/** The parameter buffers of an unfolded batchnorm stage, each the state_dict tensor of that name. */
export interface BatchnormBuffers {
  weight: number;
  bias: number;
  runningMean: number;
  runningVar: number;
}

/**
 * Batchnorm at inference from its four tensors, the standalone batchnorm's formula:
 * `(value - running_mean[c]) * (weight[c] / sqrt(running_var[c] + eps)) + bias[c]`.
 */
export function batchnormStage(buffers: BatchnormBuffers, eps: number, suffix: string): EpilogueStage {
  const weight = suffixed("bn_weight", suffix);
  const bias = suffixed("bn_bias", suffix);
  const mean = suffixed("bn_mean", suffix);
  const variance = suffixed("bn_var", suffix);
  return {
    label: `batchnorm(eps=${eps})`,
    bindings: [
      { name: weight, buffer: buffers.weight },
      { name: bias, buffer: buffers.bias },
      { name: mean, buffer: buffers.runningMean },
      { name: variance, buffer: buffers.runningVar },
    ],
    expression: (value, { channel }) =>
      `(${value} - ${mean}[${channel}]) * (${weight}[${channel}] / sqrt(${variance}[${channel}] + ${f32Literal(eps)})) + ${bias}[${channel}]`,
  };
}

/**
 * Adds a value of the kernel's own output shape: `value + residual[index]`, `index` being the dense
 * flat index (batch included) of the kernel's output, whatever its store mode.
 */
export function residualAddStage(buffer: number, suffix: string): EpilogueStage {
  const name = suffixed("residual", suffix);
  return {
    label: "add",
    bindings: [{ name, buffer }],
    expression: (value, site) => `${value} + ${name}[${site.index}]`,
  };
}

/**
 * Multiplies by a `mul` layer's second operand: `value * gate[index]` for one of the output's own
 * shape, `value * gate[index / elementsPerGate]` for one value per channel (each sample's channels in
 * order, so the dense index over a channel's elements is the gate's).
 */
export function gateMultiplyStage(buffer: number, suffix: string, elementsPerGate: number): EpilogueStage {
  const name = suffixed("gate", suffix);
  if (!Number.isSafeInteger(elementsPerGate) || elementsPerGate < 1) throw new Error(`internal: a mul stage with ${elementsPerGate} elements per gate value`);
  return {
    label: elementsPerGate === 1 ? "mul" : "mul(per channel)",
    bindings: [{ name, buffer }],
    expression: (value, site) => (elementsPerGate === 1 ? `${value} * ${name}[${site.index}]` : `${value} * ${name}[${site.index} / ${u32Literal(elementsPerGate)}]`),
  };
}

/** Applies an activation function to the value. */
export function activationStage(attrs: ActivationAttrs): EpilogueStage {
  return {
    label: activationLabel(attrs),
    bindings: [],
    expression: (value) => activationExpression(attrs, value),
  };
}

export function activationLabel(attrs: ActivationAttrs): string {
  return activationDefinition(attrs.op).label(attrs);
}

/**
 * The activation of `x` as a WGSL f32 expression. `x` is evaluated several times, so pass an
 * identifier (or another side-effect-free, cheap expression). No form overflows for large |x|:
 * exponentials only ever see non-positive arguments, because WGSL's own tanh/exp may produce inf/NaN
 * for large inputs on some backends. NaN maps to NaN, as in PyTorch, by an explicit test (nanWgsl.ts):
 * max, the comparisons and sign may otherwise turn it into a number. +-Inf give PyTorch's limits.
 */
export function activationExpression(attrs: ActivationAttrs, x: string): string {
  return keepNanWgsl(x, finiteActivationExpression(attrs, x));
}

/** The activation for every input but NaN. */
function finiteActivationExpression(attrs: ActivationAttrs, x: string): string {
  // The activation table's WGSL (src/ops/activations.ts), with codegen's literal formatter.
  return activationDefinition(attrs.op).finiteWgsl(attrs, x, f32Literal);
}

/** The epilogue as a WGSL function plus the bindings it adds to the kernel. */
export interface EpilogueCode {
  /** `fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 { ... }` */
  functionWgsl: string;
  /** Binding declarations to append after the kernel's own (binding numbers start at firstBinding). */
  bindingSpecs: StorageBindingSpec[];
  /** The matching KernelStep bindings, in the same order. */
  kernelBindings: KernelBinding[];
  /** `bias -> relu`, or `none`, for the header comment. */
  description: string;
}

/**
 * Composes the stages into `apply_epilogue`, one `let` per stage so the generated code reads like the
 * stage list. Binding names must be unique across stages and distinct from the kernel's own names.
 */
export function composeEpilogue(stages: readonly EpilogueStage[], reservedNames: readonly string[]): EpilogueCode {
  const names = new Set(reservedNames);
  const bindingSpecs: StorageBindingSpec[] = [];
  const kernelBindings: KernelBinding[] = [];
  for (const stage of stages) {
    for (const binding of stage.bindings) {
      if (names.has(binding.name)) {
        throw new Error(`internal: epilogue binding name "${binding.name}" is used twice in one kernel`);
      }
      names.add(binding.name);
      bindingSpecs.push({ name: binding.name, access: "read" });
      kernelBindings.push({ buffer: binding.buffer, access: "read" });
    }
  }
  const site: EpilogueSite = { channel: "channel", index: "index" };
  const lines = ["fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {", "  let stage0 = value;"];
  stages.forEach((stage, position) => {
    lines.push(`  let stage${position + 1} = ${stage.expression(`stage${position}`, site)}; // ${stage.label}`);
  });
  lines.push(`  return stage${stages.length};`, "}");
  return {
    functionWgsl: lines.join("\n"),
    bindingSpecs,
    kernelBindings,
    description: stages.length === 0 ? "none" : stages.map((stage) => stage.label).join(" -> "),
  };
}

/** A kernel ending in an epilogue: the epilogue, and all its storage (its own buffers, then the stages'). */
export interface EpilogueKernelStorage {
  epilogue: EpilogueCode;
  bindingSpecs: StorageBindingSpec[];
  kernelBindings: KernelBinding[];
}

/**
 * Composes `stages` after a kernel's own buffers, checking the total stays within the target's
 * storage-binding limit (fusion already did: this is an internal error); `kernel` names the kernel in
 * that error, e.g. `c1: direct conv kernel`.
 */
export function epilogueKernelStorage(
  kernel: string,
  own: readonly KernelStorage[],
  stages: readonly EpilogueStage[],
  maxStorageBindings: number,
): EpilogueKernelStorage {
  const epilogue = composeEpilogue(stages, own.map((storage) => storage.name));
  const bindingSpecs: StorageBindingSpec[] = [...own, ...epilogue.bindingSpecs];
  if (bindingSpecs.length > maxStorageBindings) {
    throw new Error(`internal: ${kernel} needs ${bindingSpecs.length} storage buffers, more than the ${maxStorageBindings} a kernel may bind on the target`);
  }
  const kernelBindings = [...kernelBindingsOf(own), ...epilogue.kernelBindings];
  return { epilogue, bindingSpecs, kernelBindings };
}
