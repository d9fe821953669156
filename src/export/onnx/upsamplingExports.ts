// conv_transpose and upsample as ONNX nodes. cnnc's attributes are PyTorch's ConvTranspose2d and
// nn.Upsample ones, which ONNX's ConvTranspose and Resize express exactly: the weight layout
// [C_in, K/groups, F, F] is the same, and Resize's coordinate modes name PyTorch's sampling rules.
import { onlyInput } from "../../ops/definition.js";
import { intAttribute, intsAttribute, stringAttribute } from "./graphBuilder.js";
import type { LayerExporter } from "./layerExport.js";

/**
 * ConvTranspose without ONNX's output_padding, which onnxruntime refuses at or past the stride (PyTorch
 * allows it below max(stride, dilation)): PyTorch's output is the full transposed conv cropped by `pad`
 * at the start and by `pad - output_padding` at the end. Where output_padding exceeds pad, the rows
 * past the full output hold no input's contribution, only the bias: they are zero-padded on, and the
 * bias is added after.
 */
export const exportConvTranspose: LayerExporter<"conv_transpose"> = (layer) => {
  const { attrs, builder, node } = layer;
  const [padH, padW] = attrs.padding;
  const [extraH, extraW] = [0, 1].map((axis) => Math.max(0, attrs.outputPadding[axis]! - attrs.padding[axis]!)) as [number, number];
  const endPads = [0, 1].map((axis) => Math.max(0, attrs.padding[axis]! - attrs.outputPadding[axis]!));
  const extended = extraH + extraW > 0;
  const biasInNode = attrs.bias && !extended;
  const convolved = extended ? layer.temporary("convolved") : layer.output;
  builder.addNode("ConvTranspose", [onlyInput(layer.inputs), layer.weight("weight"), ...(biasInNode ? [layer.weight("bias")] : [])], [convolved], [
    intsAttribute("kernel_shape", attrs.kernel),
    intsAttribute("strides", attrs.stride),
    intsAttribute("dilations", attrs.dilation),
    intsAttribute("pads", [padH, padW, ...endPads]),
    intAttribute("group", attrs.groups),
  ]);
  if (!extended) return;
  const padded = attrs.bias ? layer.temporary("extended") : layer.output;
  builder.addNode("Pad", [convolved, builder.addInt64s(`${node.name}/pads`, [0, 0, 0, 0, 0, 0, extraH, extraW], node.name)], [padded], [stringAttribute("mode", "constant")]);
  if (!attrs.bias) return;
  const bias = layer.temporary("bias");
  builder.addNode("Unsqueeze", [layer.weight("bias"), builder.addInt64s(`${node.name}/axes`, [1, 2], node.name)], [bias]);
  builder.addNode("Add", [padded, bias], [layer.output]);
};

/**
 * Resize with the output scale per axis. Nearest: PyTorch's rule floor(out * in / out_size) is the
 * `asymmetric` transform with `floor` rounding. Bilinear without align_corners: `pytorch_half_pixel`
 * (half-pixel centers, PyTorch's exporter's choice); with it: `align_corners`.
 */
export const exportUpsample: LayerExporter<"upsample"> = (layer) => {
  const { attrs, builder, node } = layer;
  const scales = builder.addFloats(`${node.name}/scales`, [1, 1, ...attrs.scale], node, "scale");
  const sampling =
    attrs.mode === "nearest"
      ? [stringAttribute("mode", "nearest"), stringAttribute("coordinate_transformation_mode", "asymmetric"), stringAttribute("nearest_mode", "floor")]
      : [stringAttribute("mode", "linear"), stringAttribute("coordinate_transformation_mode", attrs.alignCorners ? "align_corners" : "pytorch_half_pixel")];
  builder.addNode("Resize", [onlyInput(layer.inputs), "", scales], [layer.output], sampling);
};
