// Convolution: output [K, H', W'] (or [K, L'] for 1-D), weights in PyTorch layout — Conv2d
// [K, C/groups, kh, kw], Conv1d [K, C/groups, F] — so weights move to and from PyTorch unchanged.
import { type ConvAttrs, type ParamSpec, type Shape, shapeSize } from "../graph.js";
import { convLabel } from "../../ops/labels.js";
import { checkPositive, describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";
import { inferWindowedSizes, spatialAxes } from "./spatial.js";

export function inferConvShape(attrs: ConvAttrs, input: Shape): ShapeResult {
  const label = convLabel(attrs);
  const expectedRank = attrs.spatialRank + 1;
  if (input.length !== expectedRank) {
    const wanted = attrs.spatialRank === 2 ? "a CxHxW input (or CxL for a 1-D conv)" : "a CxL input";
    return shapeProblem("wrong-rank", `${label} needs ${wanted}, but its input is ${describeInput(input)}`, {
      hint:
        input.length === 1
          ? "convolutions must come before fc/flatten; a flat vector has no spatial layout left"
          : attrs.spatialRank === 1
            ? "use conv on CxHxW inputs; conv1d is for CxL sequences"
            : "give the input as CxHxW (image) or CxL (sequence)",
    });
  }
  const bad = checkPositive(label, [
    ["filters", attrs.outChannels],
    ["kernel", ...attrs.kernel],
    ["stride", ...attrs.stride],
    ["dilation", ...attrs.dilation],
    ["groups", attrs.groups],
  ]);
  if (bad !== undefined) return bad;
  const { top, bottom, left, right } = attrs.padding;
  if (Math.min(top, bottom, left, right) < 0 || ![top, bottom, left, right].every(Number.isInteger)) {
    return shapeProblem("bad-attribute", `${label} padding must be whole numbers >= 0, got [${top}, ${bottom}, ${left}, ${right}]`);
  }

  const channels = input[0]!;
  const groupProblem = checkGroups(label, attrs.groups, channels, attrs.outChannels);
  if (groupProblem !== undefined) return groupProblem;

  const axes = spatialAxes(input, attrs.spatialRank, attrs);
  const wrapping = checkPaddingMode(label, attrs, axes.map((axis) => ({ name: axis.name, size: axis.window.input, pads: [axis.window.padBefore, axis.window.padAfter] })));
  if (wrapping !== undefined) return wrapping;
  const sizes = inferWindowedSizes(label, "kernel", input, axes, attrs.rounding ?? "exact");
  if (!sizes.ok) return { ok: false, problem: sizes.problem };

  const inPerGroup = channels / attrs.groups;
  const kernelShape = attrs.spatialRank === 2 ? [attrs.kernel[0], attrs.kernel[1]] : [attrs.kernel[1]];
  const params: ParamSpec[] = [
    { name: "weight", shape: [attrs.outChannels, inPerGroup, ...kernelShape], trainable: true, init: "kaiming" },
  ];
  if (attrs.bias) params.push({ name: "bias", shape: [attrs.outChannels], trainable: true, init: "uniform_fan_in" });
  const shape = [attrs.outChannels, ...sizes.sizes];
  const macs = attrs.outChannels * shapeSize(sizes.sizes) * inPerGroup * shapeSize(kernelShape);
  return shapeOk(shape, params, macs);
}

/** PyTorch's rule for non-zero padding modes: reflect needs pad < size, circular needs pad <= size. */
function checkPaddingMode(label: string, attrs: ConvAttrs, axes: { name: string; size: number; pads: number[] }[]): ShapeResult | undefined {
  if (attrs.paddingMode !== "reflect" && attrs.paddingMode !== "circular") return undefined;
  for (const axis of axes) {
    const pad = Math.max(...axis.pads);
    const limit = attrs.paddingMode === "reflect" ? axis.size - 1 : axis.size;
    if (pad > limit) {
      return shapeProblem("padding-too-large", `${label} ${attrs.paddingMode} padding of ${pad} is too large for an input ${axis.name} of ${axis.size}`, {
        notes: [`${attrs.paddingMode} padding can add at most ${limit} on each side of an axis of size ${axis.size}`],
        hint: `use pad <= ${limit}, or padding_mode=zeros or replicate`,
      });
    }
  }
  return undefined;
}

/** groups must divide both the input channels and the filters (conv and conv_transpose alike). */
export function checkGroups(label: string, groups: number, channels: number, filters: number): ShapeResult | undefined {
  if (channels % groups === 0 && filters % groups === 0) return undefined;
  const divisors = commonDivisors(channels, filters);
  return shapeProblem("groups-not-dividing", `${label} groups=${groups} does not divide ${channels % groups !== 0 ? `the ${channels} input channels` : `the ${filters} filters`}`, {
    notes: [`groups must divide both the input channels (${channels}) and the filters (${filters})`],
    hint: `use groups=${divisors.join(", ")}`.replace(/, (\d+)$/, " or $1"),
  });
}

function commonDivisors(a: number, b: number): number[] {
  const divisors: number[] = [];
  for (let d = 1; d <= Math.min(a, b); d++) if (a % d === 0 && b % d === 0) divisors.push(d);
  return divisors;
}

