// `cnnc export`: a format is required, the files are written, and a network PyTorch cannot hold as
// named is a diagnostic at the layer (nothing written). --onnx writes a model that runs in
// onnxruntime, with cnnc's initial weights or --weights; weights that do not match, --weights without
// --onnx and a value ONNX cannot store are errors that write nothing.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { initWeights } from "../../runtime/init.js";
import { writeSafetensorsFile } from "../../runtime/safetensors.js";
import { decodeModel } from "../../src/export/onnx/onnxSchema.js";
import { formatBytes } from "../../src/ir/format.js";
import { compileLayerNetwork } from "../export/onnx/layerCases.js";
import { expectModelMatchesReference } from "../export/onnx/onnxHarness.js";
import { cnnc, tempFile } from "./cliHelpers.js";

const SMALL = "network M {\n  input x: 2x4x4\n  conv(3, 3, pad=1) as c1 -> relu -> fc(2) as head\n}\n";

describe("cnnc export", () => {
  it("needs a format", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2)\n}\n");
    const result = await cnnc(["export", model]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: cnnc export needs a format to write\n  = help: give --pytorch FILE or --onnx FILE, e.g. cnnc export ${model} --pytorch net.py\n`);
  });

  it("writes a PyTorch module (an input named x, the chain variable, is renamed)", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2) as head.0\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`wrote ${out}: M as a PyTorch module (class M)\n`);
    const text = readFileSync(out, "utf8");
    expect(text).toContain('self.head = nn.ModuleDict({\n            "0": nn.Linear(4, 2),\n        })');
    expect(text).toContain('head_0 = self.head["0"](x_2)  # head.0: [2]');
  });

  it("reports a layer name PyTorch cannot register, at the layer, and writes nothing", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2) as forward\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${model}:3:3: error[export-reserved-name]: layer \`forward\` cannot keep its name in PyTorch: \`forward\` would be a submodule named \`forward\`, which is already an attribute of the module holding it\n` +
        "   |\n 3 |   fc(2) as forward\n   |   ^^^^^^^^^^^^^^^^\n  = help: rename the layer with `as NAME` (its weight names change with it)\n\n" +
        "error: M cannot be exported to PyTorch exactly; nothing was written\n",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("will not overwrite the model", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2)\n}\n");
    const result = await cnnc(["export", model, "--pytorch", model]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is a source file of the model: cnnc will not overwrite it");
    expect(readFileSync(model, "utf8")).toContain("network M");
  });

  it("will not overwrite the --weights file, nor write two formats to one file", async () => {
    const model = tempFile("m.cnn", SMALL);
    const weights = join(dirname(model), "w.safetensors");
    writeSafetensorsFile(weights, initWeights(compileLayerNetwork(SMALL), 3));
    const before = readFileSync(weights);
    const overWeights = await cnnc(["export", model, "--onnx", weights, "--weights", weights]);
    expect(overWeights.code).toBe(1);
    expect(overWeights.stderr).toContain(`--onnx \`${weights}\` is the --weights file: cnnc will not overwrite it`);
    expect(readFileSync(weights).equals(before)).toBe(true);
    const out = join(dirname(model), "both");
    const twice = await cnnc(["export", model, "--pytorch", out, "--onnx", out]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`--onnx and --pytorch name the same file \`${out}\``);
    expect(existsSync(out)).toBe(false);
  });

  it("names a file of the format in the hint when the output is a directory", async () => {
    const model = tempFile("m.cnn", SMALL);
    const result = await cnnc(["export", model, "--onnx", dirname(model)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`e.g. ${join(dirname(model), "net.onnx")}`);
  });

  it("reports a layer named like nn.Module's private attributes (a leading _)", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2) as _parameters\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("names starting with `_` are nn.Module's own attributes");
    expect(existsSync(out)).toBe(false);
  });

  it("names the class in CapWords, so a network called like the file's functions does not shadow them", async () => {
    const model = tempFile("m.cnn", "network load_safetensors {\n  input x: 4\n  fc(2) as head\n  float = relu\n  fc(2) as out\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.stdout).toBe(`wrote ${out}: load_safetensors as a PyTorch module (class Load_safetensors)\n`);
    const text = readFileSync(out, "utf8");
    expect(text).toContain("class Load_safetensors(nn.Module):");
    expect(text).not.toMatch(/^\s+float = /m);
  });

  it("writes an ONNX model with cnnc run's initial weights, which onnxruntime runs as the reference does", async () => {
    const model = tempFile("m.cnn", SMALL);
    const out = join(dirname(model), "m.onnx");
    const result = await cnnc(["export", model, "--onnx", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    expect(result.stdout).toBe(`wrote ${out}: M as an ONNX model (opset 17, ${formatBytes(bytes.length)}, cnnc run's initial weights (seed 0))\n`);
    const graph = compileLayerNetwork(SMALL);
    await expectModelMatchesReference(bytes, graph, 2, initWeights(graph, 0), "cnnc export --onnx");
  });

  it("writes the weights of --weights (a safetensors file) into the ONNX model, beside a PyTorch module", async () => {
    const model = tempFile("m.cnn", SMALL);
    const graph = compileLayerNetwork(SMALL);
    const weights = initWeights(graph, 7);
    const weightsFile = join(dirname(model), "trained.safetensors");
    writeSafetensorsFile(weightsFile, weights);
    const out = join(dirname(model), "m.onnx");
    const script = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", script, "--onnx", out, "--weights", weightsFile]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    expect(result.stdout).toBe(
      `wrote ${script}: M as a PyTorch module (class M)\nwrote ${out}: M as an ONNX model (opset 17, ${formatBytes(bytes.length)}, weights from ${weightsFile})\n`,
    );
    const stored = decodeModel(bytes).graph.initializer.map((tensor) => [tensor.name, Array.from(new Float32Array(new Uint8Array(tensor.raw_data).buffer))]);
    expect(stored).toEqual([...weights].map(([name, tensor]) => [name, Array.from(tensor.data)]));
    await expectModelMatchesReference(bytes, graph, 1, weights, "cnnc export --onnx --weights");
  });

  it("refuses --weights without --onnx", async () => {
    const model = tempFile("m.cnn", SMALL);
    const result = await cnnc(["export", model, "--pytorch", join(dirname(model), "net.py"), "--weights", "w.safetensors"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: --weights goes into the ONNX model only: give --onnx FILE too\n" +
        "  = help: the PyTorch module reads its weights when it runs: model.load_state_dict(load_safetensors(W))\n",
    });
    expect(existsSync(join(dirname(model), "net.py"))).toBe(false);
  });

  it("refuses weights that do not match the network, naming the file, and writes neither format", async () => {
    const model = tempFile("m.cnn", SMALL);
    const weights = initWeights(compileLayerNetwork(SMALL), 0);
    weights.delete("head.bias");
    weights.set("c1.weight", { shape: [3, 2, 1, 1], data: new Float32Array(6) });
    const weightsFile = join(dirname(model), "other.safetensors");
    writeSafetensorsFile(weightsFile, weights);
    const out = join(dirname(model), "m.onnx");
    const script = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", script, "--onnx", out, "--weights", weightsFile]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `error: \`${weightsFile}\` does not match the network (2 problems):\n` +
        "  c1.weight has shape [3, 2, 1, 1], expected [3, 2, 3, 3]\n" +
        "  missing head.bias, expected shape [2]\n" +
        "  = help: weights are matched by PyTorch state_dict name and shape (conv weight [out, in/groups, kH, kW], fc weight [out, in]); the network expects 4 tensors, and `cnnc weights MODEL.cnn` lists them\n",
    });
    expect([existsSync(out), existsSync(script)]).toEqual([false, false]);
  });

  it("refuses a value ONNX cannot store, at the layer, and writes nothing", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  leaky_relu(1e-50) as act\n}\n");
    const out = join(dirname(model), "m.onnx");
    const result = await cnnc(["export", model, "--onnx", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${model}:3:3: error: ONNX export: layer \`act\`'s alpha 1e-50 is outside float32's range: ONNX would store 0\n` +
        "  = help: ONNX keeps alpha as a float32; use a value between 1.2e-38 and 3.4e38 in magnitude\n",
    );
    expect(existsSync(out)).toBe(false);
  });
});
