// Pooling in PyTorch terms. cnnc's pooling is PyTorch's (MaxPool/AvgPool, ceil_mode's rule that a last
// window must start inside the input or its left padding), but it also allows asymmetric padding and
// L2 pooling without LPPool's rescaling quirk. Where F.max_pool/F.avg_pool with their own padding
// compute exactly cnnc's windows, the call is written plainly; otherwise the input is padded with
// F.pad first (with -inf for max, as PyTorch's own padding behaves), sums are taken with
// divisor_override=1, and a window PyTorch's ceil rule keeps on the explicitly padded input (one
// starting in the right padding) is sliced off.
import type { Node, PoolAttrs, Shape } from "../../ir/graph.js";
import { pythonTuple } from "./pythonText.js";

/** One spatial axis of a pooling window. */
interface PoolAxis {
  size: number;
  window: number;
  stride: number;
  before: number;
  after: number;
  /** cnnc's output size along the axis (from the node's shape). */
  outputs: number;
}

function poolAxes(node: Node, attrs: PoolAttrs, input: Shape): PoolAxis[] {
  const width: PoolAxis = {
    size: input[input.length - 1]!,
    window: attrs.window[1],
    stride: attrs.stride[1],
    before: attrs.padding.left,
    after: attrs.padding.right,
    outputs: node.shape[node.shape.length - 1]!,
  };
  if (attrs.spatialRank === 1) return [width];
  const height: PoolAxis = {
    size: input[1]!,
    window: attrs.window[0],
    stride: attrs.stride[0],
    before: attrs.padding.top,
    after: attrs.padding.bottom,
    outputs: node.shape[1]!,
  };
  return [height, width];
}

/** PyTorch's pooling_output_shape for padding `pad` on both sides (dilation 1). */
function torchOutputs(size: number, window: number, stride: number, pad: number, ceil: boolean): number {
  const span = size + 2 * pad - window;
  let outputs = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (outputs - 1) * stride >= size + pad) outputs--;
  return outputs;
}

/** `kernel_size=..., stride=...[, padding=...][, ceil_mode=True]` for axes PyTorch pads by `pads`. */
function windowArguments(axes: readonly PoolAxis[], pads: readonly number[], ceil: boolean): string[] {
  const sameOrTuple = (values: number[]) => (values.every((value) => value === values[0]) ? String(values[0]) : pythonTuple(values));
  const args = [`kernel_size=${sameOrTuple(axes.map((axis) => axis.window))}`, `stride=${sameOrTuple(axes.map((axis) => axis.stride))}`];
  if (pads.some((pad) => pad > 0)) args.push(`padding=${sameOrTuple([...pads])}`);
  if (ceil) args.push("ceil_mode=True");
  return args;
}

/** F.pad's list: last axis first, (before, after) each. */
function padList(axes: readonly PoolAxis[]): string {
  return pythonTuple([...axes].reverse().flatMap((axis) => [axis.before, axis.after]));
}

/** The forward expression of a pool layer reading `input` (a Python expression of an N, C, ... tensor). */
export function poolExpression(node: Node, attrs: PoolAttrs, input: string, inputShape: Shape): string {
  const axes = poolAxes(node, attrs, inputShape);
  const ceil = attrs.rounding === "ceil";
  const dimensions = axes.length;
  const symmetric = axes.every((axis) => axis.before === axis.after);
  // PyTorch's own padding (symmetric, at most half the window: shape inference already requires the
  // latter) gives cnnc's windows and divisors exactly; it needs no slicing (same output-size rule).
  const pads = symmetric ? axes.map((axis) => axis.before) : axes.map(() => 0);
  const padded = (value: string, fill: string) => (symmetric ? value : `F.pad(${value}, ${padList(axes)}${fill})`);
  const sumPool = (value: string) => sumPoolExpression(value, axes, pads, ceil);
  let expression: string;
  if (attrs.kind === "max") {
    expression = `F.max_pool${dimensions}d(${[padded(input, ', value=-float("inf")'), ...windowArguments(axes, pads, ceil)].join(", ")})`;
  } else if (attrs.kind === "l2") {
    // sqrt of the sum of squares of the window's input cells (padding adds zeros).
    expression = `torch.sqrt(${sumPool(padded(`${input} * ${input}`, ""))})`;
  } else if (symmetric || attrs.countPadding) {
    // With explicit padding, a window past the padded input divides by its cells inside it, as cnnc's does.
    const args = [padded(input, ""), ...windowArguments(axes, pads, ceil)];
    if (!attrs.countPadding) args.push("count_include_pad=False");
    expression = `F.avg_pool${dimensions}d(${args.join(", ")})`;
  } else {
    // Explicit padding, divisor = the window's input cells: a sum over a sum of ones.
    const ones = `torch.ones_like(${input}[:, :1])`;
    expression = `${sumPool(padded(input, ""))} / ${sumPool(padded(ones, ""))}`;
  }
  const torchSizes = axes.map((axis, index) => torchOutputs(axis.size + (symmetric ? 0 : axis.before + axis.after), axis.window, axis.stride, pads[index]!, ceil));
  axes.forEach((axis, index) => {
    if (torchSizes[index]! < axis.outputs) throw new Error(`internal: PyTorch pooling gives ${torchSizes[index]} windows where ${node.name} has ${axis.outputs}`);
  });
  if (torchSizes.every((size, index) => size === axes[index]!.outputs)) return expression;
  // The explicitly padded input lets ceil_mode keep a window starting in the right padding; cnnc's does not.
  const slices = axes.map((axis) => `:${axis.outputs}`).join(", ");
  return `(${expression})[..., ${slices}]`;
}

/**
 * The window sums of `value` (avg pooling with divisor_override=1). avg_pool1d has no divisor_override,
 * so a 1-D pool runs as a 2-D one over a height of 1.
 */
function sumPoolExpression(value: string, axes: readonly PoolAxis[], pads: readonly number[], ceil: boolean): string {
  if (axes.length === 2) return `F.avg_pool2d(${[value, ...windowArguments(axes, pads, ceil), "divisor_override=1"].join(", ")})`;
  const flat: PoolAxis = { size: 1, window: 1, stride: 1, before: 0, after: 0, outputs: 1 };
  return `F.avg_pool2d(${[`${value}.unsqueeze(2)`, ...windowArguments([flat, ...axes], [0, ...pads], ceil), "divisor_override=1"].join(", ")}).squeeze(2)`;
}
