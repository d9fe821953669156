// The exported model's structure (decoded back with the same schema): opset and IR version, cnnc's
// input, output and state_dict names, the symbolic batch axis, initializers typed and shaped, nodes in
// topological order with every value defined once; and the errors a user can get, word for word.
import { describe, expect, it } from "vitest";

import { initWeights } from "../../../runtime/init.js";
import { exportOnnx } from "../../../src/export/onnx/exportOnnx.js";
import { decodeModel, TENSOR_FLOAT, type OnnxModel } from "../../../src/export/onnx/onnxSchema.js";
import { compileLayerNetwork } from "./layerCases.js";
import { expectOnnxMatchesReference, randomWeights } from "./onnxHarness.js";
import { userError } from "../../support/userError.js";

const RESIDUAL = `network Residual {
  input image: 3x8x8
  input extra: 4x8x8
  c1 = image -> conv(4, 3, pad=1) -> batchnorm as bn1 -> relu
  s = add(c1, extra) -> maxpool(2, rounding=ceil)
  logits = s -> fc(5)
}
`;

const HEADS = `network Heads {
  input image: 1x6x6
  trunk = conv(3, 3, pad=1) -> relu
  boxes = trunk -> conv(2, 1)
  scores = trunk -> global_avgpool -> fc(5) -> softmax
  outputs boxes, trunk, scores
}
`;

/** Every value a node reads is a graph input, an initializer or an earlier node's output, and each is defined once. */
function definedBeforeUse(model: OnnxModel): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const define = (name: string): void => {
    if (defined.has(name)) problems.push(`${name} defined twice`);
    defined.add(name);
  };
  model.graph.input.forEach((input) => define(input.name));
  model.graph.initializer.forEach((tensor) => define(tensor.name));
  for (const node of model.graph.node) {
    for (const input of node.input) if (!defined.has(input)) problems.push(`${node.name} reads ${input} before it is defined`);
    node.output.forEach(define);
  }
  return problems;
}

describe("exportOnnx", () => {
  const graph = compileLayerNetwork(RESIDUAL);
  const model = decodeModel(exportOnnx(graph, undefined, { producerVersion: "9.9.9" }));

  it("writes opset 17 at IR version 8, produced by cnnc", () => {
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ domain: "", version: 17 }]);
    expect([model.producer_name, model.producer_version]).toEqual(["cnnc", "9.9.9"]);
  });

  it("names the inputs and outputs as cnnc does, with a symbolic batch axis", () => {
    const describe = (values: OnnxModel["graph"]["input"]) =>
      values.map((value) => [value.name, value.type.tensor_type.elem_type, value.type.tensor_type.shape.dim]);
    expect(describe(model.graph.input)).toEqual([
      ["image", TENSOR_FLOAT, [{ dim_param: "batch" }, { dim_value: 3 }, { dim_value: 8 }, { dim_value: 8 }]],
      ["extra", TENSOR_FLOAT, [{ dim_param: "batch" }, { dim_value: 4 }, { dim_value: 8 }, { dim_value: 8 }]],
    ]);
    expect(describe(model.graph.output)).toEqual([["logits", TENSOR_FLOAT, [{ dim_param: "batch" }, { dim_value: 5 }]]]);
  });

  it("stores every weight as a float32 initializer under its state_dict name and shape", () => {
    const initializers = model.graph.initializer.filter((tensor) => tensor.data_type === TENSOR_FLOAT);
    expect(initializers.map((tensor) => [tensor.name, tensor.dims])).toEqual([
      ["c1.weight", [4, 3, 3, 3]],
      ["c1.bias", [4]],
      ["bn1.weight", [4]],
      ["bn1.bias", [4]],
      ["bn1.running_mean", [4]],
      ["bn1.running_var", [4]],
      ["logits.weight", [5, 64]],
      ["logits.bias", [5]],
    ]);
    const weights = initWeights(graph, 0);
    for (const tensor of initializers) {
      const values = new Float32Array(new Uint8Array(tensor.raw_data).buffer);
      expect(Array.from(values), tensor.name).toEqual(Array.from(weights.get(tensor.name)!.data));
    }
  });

  it("lists the nodes in topological order, every value defined once", () => {
    expect(definedBeforeUse(model)).toEqual([]);
    expect(model.graph.node.map((node) => node.op_type)).toEqual(["Conv", "BatchNormalization", "Relu", "Add", "MaxPool", "Flatten", "Gemm"]);
    expect(new Set(model.graph.node.map((node) => node.name)).size).toBe(model.graph.node.length);
  });

  it("writes the given weights, and a different seed draws different ones", () => {
    const weights = initWeights(graph, 5);
    const given = decodeModel(exportOnnx(graph, weights));
    const seeded = decodeModel(exportOnnx(graph, undefined, { seed: 5 }));
    const bytesOf = (decoded: OnnxModel) => decoded.graph.initializer.map((tensor) => Array.from(tensor.raw_data));
    expect(bytesOf(given)).toEqual(bytesOf(seeded));
    expect(bytesOf(given)).not.toEqual(bytesOf(model));
  });

  it("makes every output of a network with several a named graph output, in the network's order", async () => {
    const heads = compileLayerNetwork(HEADS);
    const decoded = decodeModel(exportOnnx(heads, undefined));
    expect(decoded.graph.output.map((value) => [value.name, value.type.tensor_type.shape.dim.map((dim) => ("dim_value" in dim ? dim.dim_value : dim.dim_param))])).toEqual([
      ["boxes", ["batch", 2, 6, 6]],
      ["trunk.relu", ["batch", 3, 6, 6]],
      ["scores.softmax", ["batch", 5]],
    ]);
    expect(definedBeforeUse(decoded)).toEqual([]);
    await expectOnnxMatchesReference(heads, 2, randomWeights(heads, 1), "Heads");
  });

  it("refuses weights that do not match the network, naming the file", () => {
    const weights = initWeights(graph, 0);
    weights.delete("bn1.running_var");
    weights.set("c1.bias", { shape: [3], data: new Float32Array(3) });
    const error = userError(() => exportOnnx(graph, weights, { weightsSource: "model.safetensors" }));
    expect(error.describe()).toBe(
      "error: `model.safetensors` does not match the network (2 problems):\n" +
        "  c1.bias has shape [3], expected [4]\n" +
        "  missing bn1.running_var, expected shape [4]\n" +
        "  = help: weights are matched by PyTorch state_dict name and shape (conv weight [out, in/groups, kH, kW], fc weight [out, in]); the network expects 8 tensors, and `cnnc weights MODEL.cnn` lists them",
    );
  });

  it("refuses an attribute float32 cannot hold, naming the layer", () => {
    const error = userError(() => exportOnnx(compileLayerNetwork("network N {\n  input x: 4\n  leaky_relu(1e-50) as act\n}\n"), undefined));
    expect(error.describe()).toBe(
      "layer.cnn:3:3: error: ONNX export: layer `act`'s alpha 1e-50 is outside float32's range: ONNX would store 0\n" +
        "  = help: ONNX keeps alpha as a float32; use a value between 1.2e-38 and 3.4e38 in magnitude",
    );
  });

  it("refuses a layer named like another layer's weight", () => {
    const error = userError(() => exportOnnx(compileLayerNetwork("network N {\n  input x: 4\n  fc(3) as c1 -> relu as c1.weight\n}\n"), undefined));
    expect(error.describe()).toBe(
      "error: ONNX export: the output of layer c1.weight and weight c1.weight of layer c1 both need the value name `c1.weight`\n" +
        "  = help: ONNX names every value once: rename one of the layers with `as NAME`",
    );
  });
});
