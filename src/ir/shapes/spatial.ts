// Runs the window arithmetic over every spatial axis of a conv or pooling layer and turns failures into
// one explained problem: identical failures on height and width are reported once ("output size").
import type { Padding2d, Shape } from "../graph.js";
import { formatAlternatives, formatDims } from "../format.js";
import type { ShapeProblem } from "./result.js";
import { type AxisOutcome, type AxisWindow, type WindowRounding, windowOutputSize } from "./window.js";

export interface NamedAxis {
  name: "height" | "width" | "length";
  window: AxisWindow;
}

export interface WindowGeometry {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: Padding2d;
}

/** The axes of a [C, H, W] (spatialRank 2) or [C, L] (spatialRank 1, stored as height 1) input. */
export function spatialAxes(input: Shape, spatialRank: 1 | 2, geometry: WindowGeometry): NamedAxis[] {
  const { kernel, stride, dilation, padding } = geometry;
  const width: AxisWindow = {
    input: input[input.length - 1]!,
    kernel: kernel[1],
    stride: stride[1],
    dilation: dilation[1],
    padBefore: padding.left,
    padAfter: padding.right,
  };
  if (spatialRank === 1) return [{ name: "length", window: width }];
  const height: AxisWindow = {
    input: input[1]!,
    kernel: kernel[0],
    stride: stride[0],
    dilation: dilation[0],
    padBefore: padding.top,
    padAfter: padding.bottom,
  };
  return [
    { name: "height", window: height },
    { name: "width", window: width },
  ];
}

type Failure<Reason> = { axis: NamedAxis; outcome: Extract<AxisOutcome, { ok: false; reason: Reason }> };

export function inferWindowedSizes(
  layer: string,
  windowWord: "kernel" | "window",
  input: Shape,
  axes: NamedAxis[],
  rounding: WindowRounding,
): { ok: true; sizes: number[] } | { ok: false; problem: ShapeProblem } {
  const outcomes = axes.map((axis) => ({ axis, outcome: windowOutputSize(axis.window, rounding, windowWord) }));
  const inputNote = `the input is ${formatDims(input)} (${input.length === 3 ? "CxHxW" : "CxL"})`;

  const tooLarge = outcomes.filter((o): o is Failure<"kernel-too-large"> => !o.outcome.ok && o.outcome.reason === "kernel-too-large");
  if (tooLarge.length > 0) {
    return {
      ok: false,
      problem: {
        code: "kernel-too-large",
        message: `${layer} ${windowWord} is larger than its padded input`,
        notes: [...axisNotes(tooLarge.map((f) => ({ axis: f.axis, notes: [f.outcome.note] })), axes.length), inputNote],
        hint: `use a smaller ${windowWord} or more padding, or downsample less before this layer`,
      },
    };
  }

  const fractional = outcomes.filter((o): o is Failure<"not-integer"> => !o.outcome.ok && o.outcome.reason === "not-integer");
  if (fractional.length > 0) {
    const merged = fractional.length === axes.length && sameArithmetic(fractional);
    const where = merged || axes.length === 1 ? (axes.length === 1 ? axes[0]!.name : "size") : formatAlternatives(fractional.map((f) => f.axis.name), "and");
    const plural = !merged && fractional.length > 1;
    const groups = merged ? [fractional[0]!] : fractional;
    return {
      ok: false,
      problem: {
        code: "shape-not-integer",
        message: `${layer} output ${where} ${plural ? "are not whole numbers" : "is not a whole number"}`,
        notes: [...axisNotes(groups.map((f) => ({ axis: f.axis, notes: f.outcome.notes })), merged ? 1 : axes.length), inputNote],
        hint: fittingHint(groups, merged || axes.length === 1),
      },
    };
  }

  return { ok: true, sizes: outcomes.map((o) => (o.outcome.ok ? o.outcome.size : 0)) };
}

/** Prefixes each note with its axis when more than one axis is in play. */
function axisNotes(failures: { axis: NamedAxis; notes: string[] }[], axisCount: number): string[] {
  if (axisCount === 1 || failures.length === 1) {
    return failures.flatMap((f) => (axisCount === 1 ? f.notes : f.notes.map((note) => `${f.axis.name}: ${note}`)));
  }
  const first = failures[0]!;
  if (failures.every((f) => f.notes.join("\n") === first.notes.join("\n"))) {
    return first.notes.map((note) => `${formatAlternatives(failures.map((f) => f.axis.name), "and")}: ${note}`);
  }
  return failures.flatMap((f) => f.notes.map((note) => `${f.axis.name}: ${note}`));
}

function sameArithmetic(failures: Failure<"not-integer">[]): boolean {
  const first = JSON.stringify(failures[0]!.axis.window);
  return failures.every((f) => JSON.stringify(f.axis.window) === first);
}

function fittingHint(failures: Failure<"not-integer">[], unnamed: boolean): string {
  const parts = failures.map((f) => {
    const { fittingStrides, fittingPaddings } = f.outcome;
    const options: string[] = [];
    if (fittingStrides.length > 0) options.push(`strides that fit: ${fittingStrides.join(", ")}`);
    if (fittingPaddings.length > 0) {
      options.push(`paddings that fit with stride ${f.axis.window.stride}: ${fittingPaddings.join(", ")}`);
    }
    const text = options.length > 0 ? options.join("; ") : "no stride or padding below the kernel size fits";
    return unnamed ? text : `for the ${f.axis.name}, ${text}`;
  });
  return `${parts.join("; ")}; or add rounding=floor to drop the incomplete last window (what PyTorch does)`;
}
