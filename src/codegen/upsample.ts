// Upsampling (nearest / bilinear, PyTorch's nn.Upsample) as one invocation per output element, and the
// per-axis WGSL its backward shares. Output o of an axis reads `tap_<axis>(o)`: inputs `first` and
// `second` with weights 1 - `weight` and `weight` (src/reference/upsample.ts defines them):
//   nearest:  first = second = o / s;
//   bilinear: src = max((o + 0.5)/s - 0.5, 0) (half-pixel centers) or o * (in - 1)/(out - 1) (align_corners),
//             first = floor(src), second = min(first + 1, in - 1), weight = src - first.
// A bilinear output blends its four cells in PyTorch's order, so a NaN among them gives NaN; nearest copies.
import type { Node, UpsampleAttrs } from "../ir/graph.js";
import { describeShape } from "../tensor.js";
import { ELEMENTWISE_WORKGROUP_SIZE, imageDims, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { emitKernel, type KernelContext } from "./plan.js";
import { requireDenseSeparateOutput } from "./store.js";
import { f32Literal, foldedDispatch, kernelSource, u32Constants, u32Literal } from "./wgsl.js";

/** One spatial axis of an upsample: its input and output sizes and whole-number factor. */
export interface UpsampleAxis {
  name: "row" | "col";
  input: number;
  output: number;
  scale: number;
}

export function upsampleAxes(attrs: UpsampleAttrs, inputShape: readonly number[]): [UpsampleAxis, UpsampleAxis] {
  const { H, W } = imageDims(inputShape);
  return [
    { name: "row", input: H, output: H * attrs.scale[0], scale: attrs.scale[0] },
    { name: "col", input: W, output: W * attrs.scale[1], scale: attrs.scale[1] },
  ];
}

/** `struct Tap` and `fn tap_row(o: u32) -> Tap`, `fn tap_col(o: u32) -> Tap`. */
export function upsampleTapWgsl(attrs: UpsampleAttrs, axes: readonly UpsampleAxis[]): string {
  const functions = axes.map((axis) => {
    const last = u32Literal(axis.input - 1);
    if (attrs.mode === "nearest") {
      return [`fn tap_${axis.name}(o: u32) -> Tap {`, `  let first = o / ${u32Literal(axis.scale)};`, `  return Tap(first, first, 0.0f);`, `}`].join("\n");
    }
    const source = attrs.alignCorners
      ? `f32(o) * ${f32Literal(axis.output > 1 ? (axis.input - 1) / (axis.output - 1) : 0)}`
      : `max((f32(o) + 0.5f) / ${f32Literal(axis.scale)} - 0.5f, 0.0f)`;
    return [
      `fn tap_${axis.name}(o: u32) -> Tap {`,
      `  let source = ${source};`,
      `  let first = min(u32(floor(source)), ${last});`,
      `  return Tap(first, min(first + 1u, ${last}), source - f32(first));`,
      `}`,
    ].join("\n");
  });
  return ["struct Tap {", "  first: u32,", "  second: u32,", "  weight: f32,", "}", "", ...functions.flatMap((text) => [text, ""])].join("\n").trimEnd();
}

export function upsampleDetails(attrs: UpsampleAttrs, batch: number, inputShape: readonly number[], outputShape: readonly number[]): Record<string, string> {
  const mode = attrs.mode === "bilinear" ? `bilinear, align_corners=${attrs.alignCorners}` : "nearest";
  return {
    input: describeShape([batch, ...inputShape]),
    output: describeShape([batch, ...outputShape]),
    scale: `${attrs.scale[0]}x${attrs.scale[1]}, ${mode}`,
  };
}

export function generateUpsample(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (attrs.op !== "upsample") throw new Error(`internal: generateUpsample called on ${node.name} (${attrs.op})`);
  requireDenseSeparateOutput(context, `${node.name}: upsample kernel`);
  const inputShape = context.graph.nodes[node.inputs[0]!]!.shape;
  const { C, H, W } = imageDims(inputShape);
  const [rows, cols] = upsampleAxes(attrs, inputShape);
  const dispatch = foldedDispatch(context.batch * C * rows.output * cols.output, ELEMENTWISE_WORKGROUP_SIZE);
  const read = (row: string, col: string): string => `x[base + ${row} * W + ${col}]`;
  const blend =
    attrs.mode === "nearest"
      ? [`  y[index] = ${read("r.first", "c.first")};`]
      : [
          `  let top = (1.0f - c.weight) * ${read("r.first", "c.first")} + c.weight * ${read("r.first", "c.second")};`,
          `  let bottom = (1.0f - c.weight) * ${read("r.second", "c.first")} + c.weight * ${read("r.second", "c.second")};`,
          `  y[index] = (1.0f - r.weight) * top + r.weight * bottom;`,
        ];
  const wgsl = kernelSource({
    title: `upsample, ${attrs.mode}`,
    details: { ...upsampleDetails(attrs, context.batch, inputShape, node.shape), schedule: "one invocation per output element" },
    bindings: INPUT_OUTPUT_BINDINGS,
    declarations: [u32Constants({ H, W, OH: rows.output, OW: cols.output }), upsampleTapWgsl(attrs, [rows, cols])],
    dispatch,
    body: [
      `  let ow = index % OW;`,
      `  let oh = (index / OW) % OH;`,
      `  let base = (index / (OW * OH)) * H * W;`,
      `  let r = tap_row(oh);`,
      `  let c = tap_col(ow);`,
      ...blend,
    ],
  });
  emitKernel(context, node, "upsample", wgsl, dispatch.workgroups, inputOutputBindings(context), 0);
}
