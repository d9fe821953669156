// Transposed convolution (PyTorch's ConvTranspose2d): output [K, H', W'] with, per axis,
//   out = (in - 1)*S - 2P + D*(F - 1) + output_padding + 1
// weight [C_in, K/groups, kh, kw] (PyTorch's layout: the input channels first). Every input pixel
// spreads a dilated F x F window over the output, stride S apart; `pad` crops P from both sides and
// output_padding adds rows at the bottom (columns at the right), which PyTorch allows only below
// max(S, D): they choose among the output sizes a stride-S conv would map back to the same input.
import { type ConvAttrs, type ConvTransposeAttrs, type ParamSpec, type Shape, shapeSize } from "../graph.js";
import { formatAlternatives, formatDims } from "../format.js";
import { checkGroups } from "./conv.js";
import { checkPositive, describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

const LABEL = "conv_transpose";

interface TransposedAxis {
  name: "height" | "width";
  input: number;
  kernel: number;
  stride: number;
  dilation: number;
  padding: number;
  outputPadding: number;
}

/** One axis's output size (may be < 1: the caller reports it). */
export function transposedOutputSize(axis: Omit<TransposedAxis, "name">): number {
  return (axis.input - 1) * axis.stride - 2 * axis.padding + axis.dilation * (axis.kernel - 1) + axis.outputPadding + 1;
}

/** `(4 - 1)*2 - 2*1 + 1*(3 - 1) + 1 + 1`: the formula with the numbers filled in. */
function formulaText(axis: TransposedAxis): string {
  return `(${axis.input} - 1)*${axis.stride} - 2*${axis.padding} + ${axis.dilation}*(${axis.kernel} - 1) + ${axis.outputPadding} + 1`;
}

export function inferConvTransposeShape(attrs: ConvTransposeAttrs, input: Shape): ShapeResult {
  if (input.length !== 3) {
    return shapeProblem("wrong-rank", `${LABEL} needs a CxHxW input, but its input is ${describeInput(input)}`, {
      hint: input.length === 1 ? "conv_transpose must come before fc/flatten; a flat vector has no spatial layout left" : "give the input as CxHxW (conv_transpose is 2-D only)",
    });
  }
  const bad = checkPositive(LABEL, [
    ["filters", attrs.outChannels],
    ["kernel", ...attrs.kernel],
    ["stride", ...attrs.stride],
    ["dilation", ...attrs.dilation],
    ["groups", attrs.groups],
  ]);
  if (bad !== undefined) return bad;
  for (const [name, values] of [["pad", attrs.padding], ["output_padding", attrs.outputPadding]] as const) {
    if (!values.every((value) => Number.isInteger(value) && value >= 0)) {
      return shapeProblem("bad-attribute", `${LABEL} ${name} must be whole numbers >= 0, got [${values.join(", ")}]`);
    }
  }
  const channels = input[0]!;
  const groupProblem = checkGroups(LABEL, attrs.groups, channels, attrs.outChannels);
  if (groupProblem !== undefined) return groupProblem;

  const axes: TransposedAxis[] = (["height", "width"] as const).map((name, i) => ({
    name,
    input: input[i + 1]!,
    kernel: attrs.kernel[i]!,
    stride: attrs.stride[i]!,
    dilation: attrs.dilation[i]!,
    padding: attrs.padding[i]!,
    outputPadding: attrs.outputPadding[i]!,
  }));
  for (const axis of axes) {
    const limit = Math.max(axis.stride, axis.dilation);
    if (axis.outputPadding >= limit) {
      const allowed = Array.from({ length: limit }, (_, value) => value);
      return shapeProblem("output-padding-too-large", `${LABEL} output_padding ${axis.outputPadding} (${axis.name}) must be smaller than max(stride, dilation) = ${limit}`, {
        notes: [
          limit === 1
            ? "output_padding picks among the output sizes a strided or dilated conv maps back to the same input; with stride 1 and dilation 1 there is one, so PyTorch allows only 0"
            : `output_padding adds rows at the bottom (columns at the right) to pick one of the ${limit} output sizes a stride-${axis.stride} conv maps back to the same input; PyTorch allows 0 to ${limit - 1}`,
        ],
        hint: limit === 1 ? "remove output_padding, or use stride=2 with output_padding=1" : `use output_padding=${formatAlternatives(allowed.map(String))}`,
      });
    }
  }
  for (const axis of axes) {
    const size = transposedOutputSize(axis);
    if (size < 1) {
      const largestPad = Math.floor(((axis.input - 1) * axis.stride + axis.dilation * (axis.kernel - 1) + axis.outputPadding) / 2);
      return shapeProblem("output-too-small", `${LABEL} output ${axis.name} is ${size}: the padding crops away the whole output`, {
        notes: [`(in - 1)*S - 2P + D*(F - 1) + output_padding + 1 = ${formulaText(axis)} = ${size}`, `the input is ${formatDims(input)} (CxHxW)`],
        hint: `use pad <= ${largestPad} for the ${axis.name}, or a larger kernel or stride`,
      });
    }
  }
  const sizes = axes.map(transposedOutputSize);
  const filtersPerGroup = attrs.outChannels / attrs.groups;
  const params: ParamSpec[] = [{ name: "weight", shape: [channels, filtersPerGroup, attrs.kernel[0], attrs.kernel[1]], trainable: true, init: "kaiming" }];
  if (attrs.bias) params.push({ name: "bias", shape: [attrs.outChannels], trainable: true, init: "uniform_fan_in" });
  // Each input value meets K/groups filters of kh x kw taps.
  const macs = channels * shapeSize(input.slice(1)) * filtersPerGroup * attrs.kernel[0] * attrs.kernel[1];
  return shapeOk([attrs.outChannels, ...sizes], params, macs);
}

/**
 * The conv whose input gradient this transposed conv computes: from the transposed conv's output
 * ([K, H', W'], that conv's input) to its input ([C_in, H, W]), with the same weight, stride, dilation
 * and groups. Its bottom/right padding is what the output_padding leaves of P (the rows past H' it
 * reads are zeros). The GPU forward runs that conv's data-gradient kernel, and the weight gradient its
 * filter-gradient kernel (src/ops/upsampling.ts).
 */
export function transposedConvAsConv(attrs: ConvTransposeAttrs, inputChannels: number): ConvAttrs {
  const [padH, padW] = attrs.padding;
  const [extraH, extraW] = attrs.outputPadding;
  return {
    op: "conv",
    spatialRank: 2,
    outChannels: inputChannels,
    kernel: attrs.kernel,
    stride: attrs.stride,
    dilation: attrs.dilation,
    padding: { top: padH, bottom: Math.max(padH - extraH, 0), left: padW, right: Math.max(padW - extraW, 0) },
    paddingMode: "zeros",
    groups: attrs.groups,
    bias: false,
    rounding: "floor",
  };
}

/** A 1x1 conv from `channels` channels to as many: its bias gradient (a per-channel sum of dy) is the transposed conv's. */
export function pointwiseConv(channels: number): ConvAttrs {
  const none = { top: 0, bottom: 0, left: 0, right: 0 };
  return { op: "conv", spatialRank: 2, outChannels: channels, kernel: [1, 1], stride: [1, 1], dilation: [1, 1], padding: none, paddingMode: "zeros", groups: 1, bias: true };
}
