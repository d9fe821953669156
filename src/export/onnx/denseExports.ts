// The layers without a sliding window as ONNX nodes: input, fc, flatten, the activations, softmax,
// batchnorm, dropout, add and concat. Channels are ONNX's axis 1 (cnnc's per-sample axis 0).
import { onlyInput } from "../../ops/definition.js";
import { floatAttribute, intAttribute } from "./graphBuilder.js";
import type { LayerExport, LayerExporter } from "./layerExport.js";

/** A layer that is one ONNX node of the same meaning, reading the layer's input. */
function oneNode(opType: string): LayerExporter<"relu" | "tanh" | "sigmoid" | "dropout"> {
  return (layer) => layer.builder.addNode(opType, [onlyInput(layer.inputs)], [layer.output]);
}

export const exportInput: LayerExporter<"input"> = (layer) => layer.builder.addInput(layer.output, layer.node.shape);

/** [N, ...] -> [N, everything else], PyTorch's torch.flatten(x, 1). */
function flatten(layer: LayerExport<"fc" | "flatten">, output: string): void {
  layer.builder.addNode("Flatten", [onlyInput(layer.inputs)], [output], [intAttribute("axis", 1)]);
}

export const exportFlatten: LayerExporter<"flatten"> = (layer) => flatten(layer, layer.output);

/** PyTorch's Linear: x W^T + b, on the input flattened first when it is a volume. */
export const exportFc: LayerExporter<"fc"> = (layer) => {
  let input = onlyInput(layer.inputs);
  if (onlyInput(layer.inputShapes).length > 1) {
    input = layer.temporary("flatten");
    flatten(layer, input);
  }
  const inputs = [input, layer.weight("weight"), ...(layer.attrs.bias ? [layer.weight("bias")] : [])];
  layer.builder.addNode("Gemm", inputs, [layer.output], [intAttribute("transB", 1)]);
};

export const exportRelu = oneNode("Relu");
export const exportTanh = oneNode("Tanh");
export const exportSigmoid = oneNode("Sigmoid");
/** Inference: dropout is the identity. */
export const exportDropout = oneNode("Identity");

export const exportLeakyRelu: LayerExporter<"leaky_relu"> = (layer) =>
  layer.builder.addNode("LeakyRelu", [onlyInput(layer.inputs)], [layer.output], [floatAttribute("alpha", layer.attrs.alpha, layer.node)]);

export const exportElu: LayerExporter<"elu"> = (layer) =>
  layer.builder.addNode("Elu", [onlyInput(layer.inputs)], [layer.output], [floatAttribute("alpha", layer.attrs.alpha, layer.node)]);

/** Over the channels at every position (opset 13's Softmax reduces the one axis it is given). */
export const exportSoftmax: LayerExporter<"softmax"> = (layer) =>
  layer.builder.addNode("Softmax", [onlyInput(layer.inputs)], [layer.output], [intAttribute("axis", 1)]);

/**
 * Inference with the running statistics. ONNX's momentum is the weight of the old running value
 * (1 - PyTorch's momentum, as torch.onnx writes it); it does not change inference.
 */
export const exportBatchnorm: LayerExporter<"batchnorm"> = (layer) => {
  const { node, attrs } = layer;
  const inputs = [onlyInput(layer.inputs), layer.weight("weight"), layer.weight("bias"), layer.weight("running_mean"), layer.weight("running_var")];
  layer.builder.addNode("BatchNormalization", inputs, [layer.output], [floatAttribute("epsilon", attrs.eps, node), floatAttribute("momentum", 1 - attrs.momentum, node)]);
};

/** Add for two values, Sum (the same, variadic) for more. */
export const exportAdd: LayerExporter<"add"> = (layer) =>
  layer.builder.addNode(layer.inputs.length === 2 ? "Add" : "Sum", layer.inputs, [layer.output]);

export const exportConcat: LayerExporter<"concat"> = (layer) =>
  layer.builder.addNode("Concat", layer.inputs, [layer.output], [intAttribute("axis", 1)]);
