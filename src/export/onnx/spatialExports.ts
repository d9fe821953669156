// conv, pool and global_pool as ONNX nodes. cnnc stores a 1-D layer with height 1 (kernel [1, F]); ONNX
// gets the 1-D form ([N, C, L] in, kernel_shape [F]). Pads are ONNX's [begins..., ends...] per axis.
import type { Padding2d, PoolAttrs, Shape } from "../../ir/graph.js";
import { onlyInput } from "../../ops/definition.js";
import { intAttribute, intsAttribute, stringAttribute } from "./graphBuilder.js";
import type { LayerExport, LayerExporter } from "./layerExport.js";

/** The spatial axes' values of an [height, width] pair: both for 2-D, the width alone for 1-D. */
function spatial(rank: 1 | 2, pair: readonly [number, number]): number[] {
  return rank === 2 ? [pair[0], pair[1]] : [pair[1]];
}

/** ONNX's pads: begins then ends, one per spatial axis. */
function onnxPads(rank: 1 | 2, padding: Padding2d): number[] {
  return rank === 2 ? [padding.top, padding.left, padding.bottom, padding.right] : [padding.left, padding.right];
}

const NO_PADDING: Padding2d = { top: 0, bottom: 0, left: 0, right: 0 };

function hasPadding(padding: Padding2d): boolean {
  return padding.top + padding.bottom + padding.left + padding.right > 0;
}

/** A spatial axis of a [N, C, H, W] or [N, C, L] value: its ONNX axis, size and pads, and its index in cnnc's [height, width] pairs. */
interface SpatialAxis {
  axis: number;
  pairIndex: 0 | 1;
  size: number;
  before: number;
  after: number;
}

/** The spatial axes of a value of per-sample shape [C, H, W] or [C, L]. */
function spatialAxes(rank: 1 | 2, shape: Shape, padding: Padding2d): SpatialAxis[] {
  const width: SpatialAxis = { axis: rank + 1, pairIndex: 1, size: shape[rank]!, before: padding.left, after: padding.right };
  return rank === 2 ? [{ axis: 2, pairIndex: 0, size: shape[1]!, before: padding.top, after: padding.bottom }, width] : [width];
}

/** An ONNX Pad node: pads for every axis of the [N, C, ...] value (none on N and C), in `mode`. */
function padExplicitly(layer: LayerExport<"conv" | "pool">, input: string, padding: Padding2d, mode: "constant" | "reflect" | "edge"): string {
  const { builder, node } = layer;
  const rank = layer.attrs.spatialRank;
  const pads = onnxPads(rank, padding);
  const allPads = [0, 0, ...pads.slice(0, rank), 0, 0, ...pads.slice(rank)];
  const padded = layer.temporary("pad");
  builder.addNode("Pad", [input, builder.addInt64s(`${node.name}/pads`, allPads, node.name)], [padded], [stringAttribute("mode", mode)]);
  return padded;
}

/**
 * The input padded as PyTorch's padding_mode does before its conv: reflect (mirror without repeating the
 * edge, ONNX Pad's `reflect`) and replicate (ONNX's `edge`) with Pad; circular, which Pad gains only in
 * opset 19, as the wrapped slices concatenated around the input, one axis at a time as PyTorch does.
 * Shape inference has checked the pads against the input (reflect < size, circular <= size).
 */
function padWithMode(layer: LayerExport<"conv">, input: string): string {
  const { attrs, builder, node } = layer;
  const rank = attrs.spatialRank;
  const inputShape = onlyInput(layer.inputShapes);
  if (attrs.paddingMode !== "circular") {
    return padExplicitly(layer, input, attrs.padding, attrs.paddingMode === "reflect" ? "reflect" : "edge");
  }
  let current = input;
  for (const { axis, size, before, after } of spatialAxes(rank, inputShape, attrs.padding)) {
    if (before + after === 0) continue;
    const axes = builder.addInt64s(`${node.name}/axis${axis}`, [axis], node.name);
    const slice = (from: number, to: number): string => {
      const part = layer.temporary(`wrap${axis}`);
      const bounds = [builder.addInt64s(`${node.name}/start`, [from], node.name), builder.addInt64s(`${node.name}/end`, [to], node.name)];
      builder.addNode("Slice", [current, ...bounds, axes], [part]);
      return part;
    };
    const parts = [...(before > 0 ? [slice(size - before, size)] : []), current, ...(after > 0 ? [slice(0, after)] : [])];
    const wrapped = layer.temporary(`circular${axis}`);
    builder.addNode("Concat", parts, [wrapped], [intAttribute("axis", axis)]);
    current = wrapped;
  }
  return current;
}

export const exportConv: LayerExporter<"conv"> = (layer) => {
  const { attrs, builder } = layer;
  const rank = attrs.spatialRank;
  checkOneDimensional(layer.node.name, rank, attrs.kernel[0], attrs.padding);
  const explicit = attrs.paddingMode !== "zeros" && hasPadding(attrs.padding);
  const source = explicit ? padWithMode(layer, onlyInput(layer.inputs)) : onlyInput(layer.inputs);
  const inputs = [source, layer.weight("weight"), ...(attrs.bias ? [layer.weight("bias")] : [])];
  builder.addNode("Conv", inputs, [layer.output], [
    intsAttribute("kernel_shape", spatial(rank, attrs.kernel)),
    intsAttribute("strides", spatial(rank, attrs.stride)),
    intsAttribute("dilations", spatial(rank, attrs.dilation)),
    intsAttribute("pads", onnxPads(rank, explicit ? NO_PADDING : attrs.padding)),
    intAttribute("group", attrs.groups),
  ]);
};

/** cnnc's 1-D layers are stored with height 1 and no vertical padding; anything else is a bug upstream. */
function checkOneDimensional(name: string, rank: 1 | 2, height: number, padding: Padding2d): void {
  if (rank === 1 && (height !== 1 || padding.top !== 0 || padding.bottom !== 0)) {
    throw new Error(`internal: 1-D layer ${name} is not stored with height 1 and no vertical padding`);
  }
}

/**
 * The padding at the end of each axis that makes floor rounding give the layer's output size: its own
 * pads plus, under rounding=ceil, what the last window reaches past them. Every window still holds an
 * input cell (shape inference keeps pads <= half the window, and ceil keeps a last window only when it
 * starts inside the input or its left padding, as PyTorch does), so the extra cells are never all a
 * window sees, and ONNX's ceil_mode (whose last-window rule differs between versions) is not needed.
 */
function floorPadding(attrs: PoolAttrs, inputShape: Shape, outputShape: Shape): Padding2d {
  const extra: [number, number] = [0, 0];
  for (const { axis, pairIndex, size, before, after } of spatialAxes(attrs.spatialRank, inputShape, attrs.padding)) {
    const reached = (outputShape[axis - 1]! - 1) * attrs.stride[pairIndex] + attrs.window[pairIndex];
    extra[pairIndex] = Math.max(0, reached - (size + before + after));
  }
  return { ...attrs.padding, bottom: attrs.padding.bottom + extra[0], right: attrs.padding.right + extra[1] };
}

export const exportPool: LayerExporter<"pool"> = (layer) => {
  const { attrs, builder, node } = layer;
  const rank = attrs.spatialRank;
  checkOneDimensional(node.name, rank, attrs.window[0], attrs.padding);
  const input = onlyInput(layer.inputs);
  const padding = floorPadding(attrs, onlyInput(layer.inputShapes), node.shape);
  const window = [intsAttribute("kernel_shape", spatial(rank, attrs.window)), intsAttribute("strides", spatial(rank, attrs.stride))];
  if (attrs.kind === "max") {
    builder.addNode("MaxPool", [input], [layer.output], [...window, intsAttribute("pads", onnxPads(rank, padding))]);
    return;
  }
  if (attrs.kind === "l2") {
    // LpPool sums over the window's input cells only: padding contributes 0, as in cnnc's l2 pooling.
    builder.addNode("LpPool", [input], [layer.output], [...window, intAttribute("p", 2), intsAttribute("pads", onnxPads(rank, padding))]);
    return;
  }
  const ceilExtra = padding.bottom !== attrs.padding.bottom || padding.right !== attrs.padding.right;
  if (attrs.countPadding && hasPadding(attrs.padding) && ceilExtra) {
    // The divisor counts the zero padding but not the cells a ceil window reaches past it (PyTorch's
    // rule): pad with zeros explicitly, then average over cells inside the padded input only.
    const padded = padExplicitly(layer, input, attrs.padding, "constant");
    const extraOnly = { top: 0, left: 0, bottom: padding.bottom - attrs.padding.bottom, right: padding.right - attrs.padding.right };
    builder.addNode("AveragePool", [padded], [layer.output], [...window, intsAttribute("pads", onnxPads(rank, extraOnly)), intAttribute("count_include_pad", 0)]);
    return;
  }
  // Without ceil's extra cells, count_include_pad=1 divides by the whole window, as countPadding does.
  const countPad = attrs.countPadding && hasPadding(attrs.padding) ? 1 : 0;
  builder.addNode("AveragePool", [input], [layer.output], [...window, intsAttribute("pads", onnxPads(rank, padding)), intAttribute("count_include_pad", countPad)]);
};

export const exportGlobalPool: LayerExporter<"global_pool"> = (layer) => {
  const opType = layer.attrs.kind === "max" ? "GlobalMaxPool" : "GlobalAveragePool";
  layer.builder.addNode(opType, [onlyInput(layer.inputs)], [layer.output]);
};
