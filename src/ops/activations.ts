// The activation table: per activation, its label, its float64 reference and its WGSL. The CPU
// reference (src/reference/activations.ts) and the kernels' epilogue (src/codegen/epilogue.ts) both
// read it, so adding an activation is one entry here (plus its IR attrs and its layer in the language).
// `reference` and `finiteWgsl` are written independently, each from the function's definition: the
// reference is the oracle the WGSL is tested against, so neither is derived from the other.
import type { ActivationAttrs, OpAttrs } from "../ir/graph.js";
import type { OpAttrsOf } from "./definition.js";

export type ActivationKind = ActivationAttrs["op"];

/** Writes a number as a WGSL f32 literal (codegen's f32Literal; passed in, as src/ops does not import codegen). */
export type F32Literal = (value: number) => string;

export interface ActivationDefinition<K extends ActivationKind = ActivationKind> {
  /** Short name with its parameter, for kernel headers and epilogue stages: `relu`, `leaky_relu(0.01)`. */
  label(attrs: OpAttrsOf<K>): string;
  /**
   * The function in float64, per its PyTorch definition. NaN maps to NaN (torch.relu(nan) is nan), and
   * +-Inf to the function's limits.
   */
  reference(attrs: OpAttrsOf<K>, x: number): number;
  /**
   * d reference / dx at input `x` with output `y` (= reference(attrs, x)), in float64, as PyTorch's
   * backward defines it at kinks (relu'(0) = 0). A NaN input gives NaN.
   */
  referenceDerivative(attrs: OpAttrsOf<K>, x: number, y: number): number;
  /**
   * The function of `x` as a WGSL f32 expression, for every input but NaN (the caller adds the NaN
   * test, nanWgsl.ts). `x` is evaluated several times, so it must be an identifier or another cheap,
   * side-effect-free expression. No form may overflow for large |x|: exponentials only ever see
   * non-positive arguments, because WGSL's own tanh/exp may produce inf/NaN for large inputs on some
   * backends. +-Inf give PyTorch's limits.
   */
  finiteWgsl(attrs: OpAttrsOf<K>, x: string, f32: F32Literal): string;
  /**
   * Whether f'(x) is a function of y = f(x) alone, so that a backward pass may keep the output instead
   * of the input (and an in-place activation needs no copy of its input). It is where f is one-to-one
   * on the side that decides the branch (y > 0 exactly when x > 0) and f' has a closed form in y.
   */
  derivativeFromOutput(attrs: OpAttrsOf<K>): boolean;
  /**
   * f' as a WGSL f32 expression of the saved value `saved`: the input x (`from` "input") or the output
   * y ("output", only where derivativeFromOutput holds), for every saved value but NaN (the caller
   * adds the NaN test). `saved` is evaluated several times (pass an identifier). Written from the
   * derivative's definition, like `referenceDerivative`, and tested against it; exponentials only see
   * non-positive arguments, so no form overflows.
   */
  derivativeWgsl(attrs: OpAttrsOf<K>, from: "input" | "output", saved: string, f32: F32Literal): string;
}

const ACTIVATIONS: { [K in ActivationKind]: ActivationDefinition<K> } = {
  relu: {
    label: () => "relu",
    // Math.max, unlike a comparison, keeps a NaN.
    reference: (_attrs, x) => Math.max(x, 0),
    referenceDerivative: (_attrs, x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : 0),
    finiteWgsl: (_attrs, x) => `max(${x}, 0.0f)`,
    // y > 0 exactly when x > 0.
    derivativeFromOutput: () => true,
    derivativeWgsl: (_attrs, _from, saved) => `select(0.0f, 1.0f, ${saved} > 0.0f)`,
  },
  leaky_relu: {
    label: (attrs) => `leaky_relu(${attrs.alpha})`,
    reference: (attrs, x) => (x >= 0 ? x : attrs.alpha * x),
    // PyTorch's leaky_relu_backward: x > 0 ? 1 : alpha (the forward's two branches agree at 0).
    referenceDerivative: (attrs, x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : attrs.alpha),
    finiteWgsl: (attrs, x, f32) => `select(${f32(attrs.alpha)} * ${x}, ${x}, ${x} >= 0.0f)`,
    // With alpha > 0, y > 0 exactly when x > 0; alpha <= 0 maps negative x to y >= 0 (and -Inf to NaN at 0).
    derivativeFromOutput: (attrs) => attrs.alpha > 0,
    derivativeWgsl: (attrs, _from, saved, f32) => `select(${f32(attrs.alpha)}, 1.0f, ${saved} > 0.0f)`,
  },
  elu: {
    label: (attrs) => `elu(${attrs.alpha})`,
    reference: (attrs, x) => (x > 0 ? x : attrs.alpha * (Math.exp(x) - 1)),
    referenceDerivative: (attrs, x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : attrs.alpha * Math.exp(x)),
    finiteWgsl: (attrs, x, f32) => `select(${f32(attrs.alpha)} * (exp(min(${x}, 0.0f)) - 1.0f), ${x}, ${x} > 0.0f)`,
    // With alpha > 0, y > 0 exactly when x > 0, and below alpha * exp(x) = y + alpha (PyTorch's
    // elu_backward on the result); alpha <= 0 loses the sign.
    derivativeFromOutput: (attrs) => attrs.alpha > 0,
    derivativeWgsl: (attrs, from, saved, f32) =>
      from === "input"
        ? `select(${f32(attrs.alpha)} * exp(min(${saved}, 0.0f)), 1.0f, ${saved} > 0.0f)`
        : `select(${saved} + ${f32(attrs.alpha)}, 1.0f, ${saved} > 0.0f)`,
  },
  tanh: {
    label: () => "tanh",
    reference: (_attrs, x) => Math.tanh(x),
    referenceDerivative: (_attrs, _x, y) => 1 - y * y,
    // tanh(x) = sign(x) * (1 - e) / (1 + e) with e = exp(-2|x|) in [0, 1].
    finiteWgsl: (_attrs, x) => `(sign(${x}) * (1.0f - exp(-2.0f * abs(${x}))) / (1.0f + exp(-2.0f * abs(${x}))))`,
    // 1 - y^2. From x, with e = exp(-2|x|): 4e / (1 + e)^2, which keeps its precision where y^2 rounds to 1.
    derivativeFromOutput: () => true,
    derivativeWgsl: (_attrs, from, saved) =>
      from === "input"
        ? `(4.0f * exp(-2.0f * abs(${saved})) / ((1.0f + exp(-2.0f * abs(${saved}))) * (1.0f + exp(-2.0f * abs(${saved})))))`
        : `(1.0f - ${saved} * ${saved})`,
  },
  sigmoid: {
    label: () => "sigmoid",
    // Two forms so that exp never overflows (it would still give the right limit in float64, but the
    // split states the intent).
    reference: (_attrs, x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    referenceDerivative: (_attrs, _x, y) => y * (1 - y),
    // With e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below.
    finiteWgsl: (_attrs, x) => `(select(exp(-abs(${x})), 1.0f, ${x} >= 0.0f) / (1.0f + exp(-abs(${x}))))`,
    // y (1 - y). From x, with e = exp(-|x|) (the function is even in x): e / (1 + e)^2.
    derivativeFromOutput: () => true,
    derivativeWgsl: (_attrs, from, saved) =>
      from === "input"
        ? `(exp(-abs(${saved})) / ((1.0f + exp(-abs(${saved}))) * (1.0f + exp(-abs(${saved})))))`
        : `(${saved} * (1.0f - ${saved}))`,
  },
  // The hard activations of MobileNetV3 and SiLU follow PyTorch's formulas and its backward kernels
  // (aten/src/ATen/native/cuda/Activation*.cu) at the kinks, where the derivative is one-sided:
  // relu6 is hardtanh(x, 0, 6), whose backward is 0 at x = 0 and x = 6; hardsigmoid's is 0 at x = -3
  // and 3; hardswish's is x / 3 + 1/2 on [-3, 3] (so -1/2 at -3 and 3/2 at 3), 0 below and 1 above.
  relu6: {
    label: () => "relu6",
    // Math.max and Math.min keep a NaN.
    reference: (_attrs, x) => Math.min(Math.max(x, 0), 6),
    referenceDerivative: (_attrs, x) => (Number.isNaN(x) ? NaN : x > 0 && x < 6 ? 1 : 0),
    finiteWgsl: (_attrs, x) => `clamp(${x}, 0.0f, 6.0f)`,
    // 0 < y < 6 exactly when 0 < x < 6.
    derivativeFromOutput: () => true,
    derivativeWgsl: (_attrs, _from, saved) => `select(0.0f, 1.0f, ${saved} > 0.0f && ${saved} < 6.0f)`,
  },
  hardsigmoid: {
    label: () => "hardsigmoid",
    reference: (_attrs, x) => Math.min(Math.max(x + 3, 0), 6) / 6,
    referenceDerivative: (_attrs, x) => (Number.isNaN(x) ? NaN : x > -3 && x < 3 ? 1 / 6 : 0),
    finiteWgsl: (_attrs, x) => `(clamp(${x} + 3.0f, 0.0f, 6.0f) / 6.0f)`,
    // 0 < y < 1 exactly when -3 < x < 3 (in f32 too: y is 1 exactly where the forward is flat at 1).
    derivativeFromOutput: () => true,
    derivativeWgsl: (_attrs, from, saved) =>
      from === "input"
        ? `select(0.0f, 1.0f / 6.0f, ${saved} > -3.0f && ${saved} < 3.0f)`
        : `select(0.0f, 1.0f / 6.0f, ${saved} > 0.0f && ${saved} < 1.0f)`,
  },
  hardswish: {
    label: () => "hardswish",
    // PyTorch's arithmetic, so hardswish(-Inf) = -Inf * 0 = NaN, as torch.nn.functional.hardswish gives.
    reference: (_attrs, x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
    referenceDerivative: (_attrs, x) => (Number.isNaN(x) ? NaN : x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
    finiteWgsl: (_attrs, x) => `(${x} * clamp(${x} + 3.0f, 0.0f, 6.0f) / 6.0f)`,
    // Not one-to-one (it dips below 0 on (-3, 0)): the backward needs the input.
    derivativeFromOutput: () => false,
    derivativeWgsl: (_attrs, _from, saved) => `select(select(1.0f, ${saved} / 3.0f + 0.5f, ${saved} <= 3.0f), 0.0f, ${saved} < -3.0f)`,
  },
  silu: {
    label: () => "silu",
    // PyTorch's x / (1 + exp(-x)): silu(-Inf) = -Inf / Inf = NaN there, and here.
    reference: (_attrs, x) => x / (1 + Math.exp(-x)),
    // PyTorch's silu_backward: s (1 + x (1 - s)) with s = sigmoid(x).
    referenceDerivative: (_attrs, x) => {
      const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      return s * (1 + x * (1 - s));
    },
    // x * sigmoid(x) with e = exp(-|x|) in [0, 1]: x / (1 + e) for x >= 0, x e / (1 + e) below (which
    // is -Inf * 0 = NaN at -Inf, as PyTorch's form gives).
    finiteWgsl: (_attrs, x) => `(${x} * select(exp(-abs(${x})), 1.0f, ${x} >= 0.0f) / (1.0f + exp(-abs(${x}))))`,
    // Not one-to-one (its minimum is near x = -1.28): the backward needs the input.
    derivativeFromOutput: () => false,
    // s (1 + x (1 - s)), with s and 1 - s from e = exp(-|x|) as in the forward.
    derivativeWgsl: (_attrs, _from, saved) =>
      `(select(exp(-abs(${saved})), 1.0f, ${saved} >= 0.0f) / (1.0f + exp(-abs(${saved}))) * (1.0f + ${saved} * (select(1.0f, exp(-abs(${saved})), ${saved} >= 0.0f) / (1.0f + exp(-abs(${saved}))))))`,
  },
};

/** Every activation kind, in the table's order. */
export const ACTIVATION_KINDS: readonly ActivationKind[] = Object.keys(ACTIVATIONS) as ActivationKind[];

/** The table entry of one activation; called as `activationDefinition(attrs.op).label(attrs)`. */
export function activationDefinition<K extends ActivationKind>(op: K): ActivationDefinition<K> {
  return ACTIVATIONS[op];
}

export function isActivationAttrs(attrs: OpAttrs): attrs is ActivationAttrs {
  return Object.hasOwn(ACTIVATIONS, attrs.op);
}
