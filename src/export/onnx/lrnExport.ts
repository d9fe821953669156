// Local response normalization as ONNX nodes. PyTorch's LocalResponseNorm sums the squares of channels
// [c - floor(size/2), c + floor((size-1)/2)]; ONNX's LRN sums [c - floor((size-1)/2), c + ceil((size-1)/2)].
// The two windows agree for an odd size, which is then ONNX's LRN. An even size is written as PyTorch
// computes it: the squares' zero-padded average over the channel window, then x / (k + alpha * avg)^beta.
import { onlyInput } from "../../ops/definition.js";
import { floatAttribute, intAttribute, intsAttribute } from "./graphBuilder.js";
import type { LayerExporter } from "./layerExport.js";

export const exportLrn: LayerExporter<"lrn"> = (layer) => {
  const { attrs, builder, node } = layer;
  const input = onlyInput(layer.inputs);
  const inputRank = onlyInput(layer.inputShapes).length;
  if (attrs.size % 2 === 1) {
    const attributes = [
      intAttribute("size", attrs.size),
      floatAttribute("alpha", attrs.alpha, node),
      floatAttribute("beta", attrs.beta, node),
      floatAttribute("bias", attrs.k, node),
    ];
    if (inputRank === 3) {
      builder.addNode("LRN", [input], [layer.output], attributes);
      return;
    }
    // A [N, C, L] sequence runs as [N, C, 1, L]: onnxruntime's LRN takes 4-D inputs only.
    const heightAxis = builder.addInt64s(`${node.name}/axis2`, [2], node.name);
    const image = layer.temporary("image");
    builder.addNode("Unsqueeze", [input, heightAxis], [image]);
    const normalized = layer.temporary("normalized");
    builder.addNode("LRN", [image], [normalized], attributes);
    builder.addNode("Squeeze", [normalized, heightAxis], [layer.output]);
    return;
  }
  // [N, C, ...] -> [N, 1, C, ...]: the channels become a pooled axis; the window spans `size` channels
  // and 1 cell of every other axis.
  const spatialAxes = inputRank - 1;
  const squares = layer.temporary("squares");
  builder.addNode("Mul", [input, input], [squares]);
  const channelsAxis = builder.addInt64s(`${node.name}/axis1`, [1], node.name);
  const stacked = layer.temporary("stacked");
  builder.addNode("Unsqueeze", [squares, channelsAxis], [stacked]);
  const below = Math.floor(attrs.size / 2);
  const above = Math.floor((attrs.size - 1) / 2);
  const ones = new Array<number>(spatialAxes).fill(1);
  const zeros = new Array<number>(spatialAxes).fill(0);
  const averaged = layer.temporary("average");
  builder.addNode("AveragePool", [stacked], [averaged], [
    intsAttribute("kernel_shape", [attrs.size, ...ones]),
    intsAttribute("pads", [below, ...zeros, above, ...zeros]),
    intAttribute("count_include_pad", 1),
  ]);
  const average = layer.temporary("window_average");
  builder.addNode("Squeeze", [averaged, channelsAxis], [average]);
  const scaled = layer.temporary("scaled");
  builder.addNode("Mul", [average, builder.addScalar(`${node.name}/alpha`, attrs.alpha, node, "alpha")], [scaled]);
  const shifted = layer.temporary("shifted");
  builder.addNode("Add", [scaled, builder.addScalar(`${node.name}/k`, attrs.k, node, "k")], [shifted]);
  const divisor = layer.temporary("divisor");
  builder.addNode("Pow", [shifted, builder.addScalar(`${node.name}/beta`, attrs.beta, node, "beta")], [divisor]);
  builder.addNode("Div", [input, divisor], [layer.output]);
};
