// The MobileNet/EfficientNet activations and the squeeze-and-excitation multiply as ONNX nodes.
// hardsigmoid is PyTorch's relu6(x + 3) / 6 = clamp(x / 6 + 1/2, 0, 1), ONNX's HardSigmoid with
// alpha 1/6 and beta 1/2 (HardSwish is x times the same, with those constants fixed by the spec).
import { onlyInput } from "../../ops/definition.js";
import { floatAttribute } from "./graphBuilder.js";
import type { LayerExporter } from "./layerExport.js";

/** min(max(x, 0), 6): Clip with its bounds as scalar inputs (opset 11 on). */
export const exportRelu6: LayerExporter<"relu6"> = (layer) => {
  const { builder, node } = layer;
  const low = builder.addScalar(`${node.name}/min`, 0, node, "relu6's lower bound");
  const high = builder.addScalar(`${node.name}/max`, 6, node, "relu6's upper bound");
  builder.addNode("Clip", [onlyInput(layer.inputs), low, high], [layer.output]);
};

export const exportHardsigmoid: LayerExporter<"hardsigmoid"> = (layer) =>
  layer.builder.addNode("HardSigmoid", [onlyInput(layer.inputs)], [layer.output], [
    floatAttribute("alpha", 1 / 6, layer.node),
    floatAttribute("beta", 0.5, layer.node),
  ]);

export const exportHardswish: LayerExporter<"hardswish"> = (layer) => layer.builder.addNode("HardSwish", [onlyInput(layer.inputs)], [layer.output]);

/** x * sigmoid(x): opset 17 has no SiLU node. */
export const exportSilu: LayerExporter<"silu"> = (layer) => {
  const input = onlyInput(layer.inputs);
  const gate = layer.temporary("sigmoid");
  layer.builder.addNode("Sigmoid", [input], [gate]);
  layer.builder.addNode("Mul", [input, gate], [layer.output]);
};

/**
 * The value times its gate. ONNX broadcasts from the last axis, so a per-channel gate of fewer axes
 * ([N, C] from an fc) gets unit spatial axes first ([N, C, 1, 1]), as cnnc's mul lines it up by channel.
 */
export const exportMul: LayerExporter<"mul"> = (layer) => {
  const { builder, node } = layer;
  const [value, gate] = layer.inputs;
  const [valueShape, gateShape] = layer.inputShapes;
  if (value === undefined || gate === undefined || valueShape === undefined || gateShape === undefined || layer.inputs.length !== 2) {
    throw new Error(`internal: mul ${node.name} has ${layer.inputs.length} inputs, not 2`);
  }
  const missing = valueShape.length - gateShape.length;
  let aligned = gate;
  if (missing > 0) {
    aligned = layer.temporary("gate");
    const axes = Array.from({ length: missing }, (_, index) => gateShape.length + 1 + index);
    builder.addNode("Unsqueeze", [gate, builder.addInt64s(`${node.name}/axes`, axes, node.name)], [aligned]);
  }
  builder.addNode("Mul", [value, aligned], [layer.output]);
};
