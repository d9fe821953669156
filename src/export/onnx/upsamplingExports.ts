// conv_transpose and upsample as ONNX nodes. cnnc's attributes are PyTorch's ConvTranspose2d and
// nn.Upsample ones, which ONNX's ConvTranspose and Resize express exactly: the weight layout
// [C_in, K/groups, F, F] is the same, and Resize's coordinate modes name PyTorch's sampling rules.
import { onlyInput } from "../../ops/definition.js";
import { intAttribute, intsAttribute, stringAttribute } from "./graphBuilder.js";
import type { LayerExporter } from "./layerExport.js";

export const exportConvTranspose: LayerExporter<"conv_transpose"> = (layer) => {
  const { attrs, builder } = layer;
  const [padH, padW] = attrs.padding;
  const inputs = [onlyInput(layer.inputs), layer.weight("weight"), ...(attrs.bias ? [layer.weight("bias")] : [])];
  builder.addNode("ConvTranspose", inputs, [layer.output], [
    intsAttribute("kernel_shape", attrs.kernel),
    intsAttribute("strides", attrs.stride),
    intsAttribute("dilations", attrs.dilation),
    intsAttribute("pads", [padH, padW, padH, padW]),
    intsAttribute("output_padding", attrs.outputPadding),
    intAttribute("group", attrs.groups),
  ]);
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
