import { describe, expect, it } from "vitest";
import { paramFullName } from "../../src/ir/graph.js";
import { compileOk, diagnosticsText, layerNames, net } from "./compileHelpers.js";

describe("layer names", () => {
  it("names a named statement's first step after the statement and later ones statement.op", () => {
    const graph = compileOk(net("c1 = conv(6, 3) -> tanh -> conv(6, 3) -> tanh"));
    expect(layerNames(graph)).toEqual(["x", "c1", "c1.tanh", "c1.conv", "c1.tanh_1"]);
  });

  it("numbers the steps of unnamed statements per op", () => {
    const graph = compileOk(net("conv(6, 3) -> relu\nconv(6, 3) -> relu -> maxpool(2)"));
    expect(layerNames(graph)).toEqual(["x", "conv1", "relu1", "conv2", "relu2", "maxpool1"]);
  });

  it("skips automatic names that an explicit name takes, even a later one", () => {
    const graph = compileOk(net("conv(6, 3) -> relu\nconv1 = conv(6, 3)\nconv(6, 1) as relu2"));
    expect(layerNames(graph)).toEqual(["x", "conv2", "relu1", "conv1", "relu2"]);
  });

  it("uses `as` names relative to the enclosing block instance", () => {
    const graph = compileOk(`
block unit(ch) {
  conv(ch, 3, pad=1) as conv -> batchnorm as bn -> relu
}
network N {
  input x: 3x8x8
  unit(4) as stage.0 -> unit(4) as stage.1
  u = unit(4) -> unit(4)
  unit(4)
}
`);
    expect(layerNames(graph)).toEqual([
      "x",
      "stage.0.conv", "stage.0.bn", "stage.0.relu1",
      "stage.1.conv", "stage.1.bn", "stage.1.relu1",
      "u.conv", "u.bn", "u.relu1",
      "u.unit.conv", "u.unit.bn", "u.unit.relu1",
      "unit1.conv", "unit1.bn", "unit1.relu1",
    ]);
  });

  it("prefixes repetitions with NAME.i. (repeatN.i. when unnamed)", () => {
    const graph = compileOk(net("features = [conv(4, 3, pad=1) -> relu] * 2 -> maxpool(2)\n[conv(4, 1) -> relu] * 2"));
    expect(layerNames(graph)).toEqual([
      "x",
      "features.0.conv1", "features.0.relu1", "features.1.conv1", "features.1.relu1", "features.maxpool",
      "repeat1.0.conv1", "repeat1.0.relu1", "repeat1.1.conv1", "repeat1.1.relu1",
    ]);
  });

  it("names a one-call repetition body by the iteration itself, like PyTorch's nn.Sequential", () => {
    const graph = compileOk(`
block unit(ch) {
  conv(ch, 3, pad=1) as conv1 -> relu
}
network N {
  input x: 3x8x8
  layer1 = [unit(4)] * 2
  convs = [conv(4, 1)] * 2
}
`);
    expect(layerNames(graph)).toEqual(["x", "layer1.0.conv1", "layer1.0.relu1", "layer1.1.conv1", "layer1.1.relu1", "convs.0", "convs.1"]);
  });

  it("nests repetitions", () => {
    const graph = compileOk(net("s = [[conv(4, 3, pad=1) -> relu] * 2 -> maxpool(2)] * 2", "3x16x16"));
    expect(layerNames(graph)).toEqual([
      "x",
      "s.0.repeat1.0.conv1", "s.0.repeat1.0.relu1", "s.0.repeat1.1.conv1", "s.0.repeat1.1.relu1", "s.0.maxpool1",
      "s.1.repeat1.0.conv1", "s.1.repeat1.0.relu1", "s.1.repeat1.1.conv1", "s.1.repeat1.1.relu1", "s.1.maxpool1",
    ]);
  });

  it("takes torchvision's names after `as`, whatever letter they start with, down to the weight names", () => {
    const graph = compileOk(
      net(`
conv(4, 1) as features.0 -> relu as features.1
conv(4, 1, bias=false) as expand1x1 -> batchnorm as encoder.0
conv(4, 1, bias=false) as layer1.0.downsample.0 -> batchnorm as layer1.0.downsample.1
fc(2) as embedding -> fc(2) as E.e1`),
    );
    const weights = graph.nodes.flatMap((node) => node.params.filter((param) => param.trainable).map((param) => paramFullName(node, param)));
    expect(weights).toEqual([
      "features.0.weight",
      "features.0.bias",
      "expand1x1.weight",
      "encoder.0.weight",
      "encoder.0.bias",
      "layer1.0.downsample.0.weight",
      "layer1.0.downsample.1.weight",
      "layer1.0.downsample.1.bias",
      "embedding.weight",
      "embedding.bias",
      "E.e1.weight",
      "E.e1.bias",
    ]);
  });

  it("reports a duplicate `as` name", () => {
    expect(diagnosticsText(net("conv(4, 3, pad=1) as a\nconv(4, 3, pad=1) as a"))).toBe(
      [
        "main.cnn:4:24: error[duplicate-name]: layer name `a` is already used",
        "   |",
        " 4 |   conv(4, 3, pad=1) as a",
        "   |                        ^",
        "  = note: first used at main.cnn:3:24",
        "  = help: layer names must be unique (they name the weights); pick another with `as`",
      ].join("\n"),
    );
  });
});
