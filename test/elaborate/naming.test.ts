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
      "u.0.conv", "u.0.bn", "u.0.relu1",
      "u.1.conv", "u.1.bn", "u.1.relu1",
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

  describe("numbers a statement of block calls and their repetitions like nn.Sequential", () => {
    const blocks = `
block unit(ch) {
  conv(ch, 3, pad=1, bias=false) as conv1 -> batchnorm as bn1
}
block down(ch) {
  conv(ch, 1) as conv1
}
`;
    /** The block instances: each layer name less its last part (`layer2.1` of `layer2.1.conv1`). */
    const instances = (body: string): string[] => {
      const names = layerNames(compileOk(`${blocks}network N {\n  input x: 4x8x8\n${body}\n}\n`)).slice(1);
      return [...new Set(names.map((name) => name.slice(0, name.lastIndexOf("."))))];
    };

    it("a call then a repetition: layer2.0, layer2.1, layer2.2, down to the weight names", () => {
      const graph = compileOk(`${blocks}network N {\n  input x: 4x8x8\n  layer2 = down(4) -> [unit(4)] * 2\n}\n`);
      const weights = graph.nodes.flatMap((node) => node.params.filter((param) => param.trainable).map((param) => paramFullName(node, param)));
      expect(weights).toEqual([
        "layer2.0.conv1.weight", "layer2.0.conv1.bias",
        "layer2.1.conv1.weight", "layer2.1.bn1.weight", "layer2.1.bn1.bias",
        "layer2.2.conv1.weight", "layer2.2.bn1.weight", "layer2.2.bn1.bias",
      ]);
    });

    it("chains of calls, repeated chains and nested repetitions count on across the statement", () => {
      expect(instances("  a = unit(4) -> unit(4) -> unit(4)")).toEqual(["a.0", "a.1", "a.2"]);
      expect(instances("  b = [unit(4) -> down(4)] * 2")).toEqual(["b.0", "b.1", "b.2", "b.3"]);
      expect(instances("  c = [[unit(4)] * 2 -> down(4)] * 2")).toEqual(["c.0", "c.1", "c.2", "c.3", "c.4", "c.5"]);
      expect(instances("  d = [unit(4)] * 1")).toEqual(["d.0"]);
    });

    it("a chain starting from a value numbers the calls after it", () => {
      expect(instances("  a = unit(4)\n  b = x -> unit(4) -> unit(4)\n  add(a, b)").slice(0, 3)).toEqual(["a", "b.0", "b.1"]);
    });

    it("inside a block, under the instance's prefix", () => {
      const graph = compileOk(`${blocks}block stage(ch) {\n  blocks = [unit(ch)] * 2\n}\nnetwork N {\n  input x: 4x8x8\n  layer1 = stage(4)\n}\n`);
      expect(layerNames(graph).filter((name) => name.endsWith(".conv1"))).toEqual(["layer1.blocks.0.conv1", "layer1.blocks.1.conv1"]);
    });

    it("leaves other chains to the statement rules: one call, a built-in layer, an `as`", () => {
      expect(instances("  a = unit(4)")).toEqual(["a"]);
      expect(layerNames(compileOk(`${blocks}network N {\n  input x: 4x8x8\n  b = unit(4) -> relu -> unit(4)\n}\n`)).slice(1)).toEqual([
        "b.conv1", "b.bn1", "b.relu", "b.unit.conv1", "b.unit.bn1",
      ]);
      expect(instances("  c = down(4) as first -> [unit(4)] * 2")).toEqual(["first", "c.repeat.0", "c.repeat.1"]);
      expect(instances("  d = [unit(4) as u] * 2")).toEqual(["d.0.u", "d.1.u"]);
    });

    it("reports a later `as` that spells out a number the statement already gave", () => {
      expect(diagnosticsText(`${blocks}network N {\n  input x: 4x8x8\n  layer1 = [unit(4)] * 2\n  relu as layer1.1\n}\n`)).toBe(
        [
          "main.cnn:11:11: error[duplicate-name]: layer name `layer1.1` is already used",
          "    |",
          " 11 |   relu as layer1.1",
          "    |           ^^^^^^^^",
          "  = note: first used at main.cnn:10:13",
          "  = help: layer names must be unique (they name the weights); pick another with `as`",
        ].join("\n"),
      );
    });
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
