import { describe, expect, it } from "vitest";
import type { ConvAttrs, PoolAttrs } from "../../src/ir/graph.js";
import { compileOk, compileText, layerNames, net, nodeNamed } from "./compileHelpers.js";

describe("chains and values", () => {
  it("feeds each statement the previous statement's value", () => {
    const graph = compileOk(net("a = conv(4, 3)\nrelu\nb = maxpool(2)", "3x10x10"));
    expect(graph.nodes.map((n) => [n.name, n.inputs, n.shape])).toEqual([
      ["x", [], [3, 10, 10]],
      ["a", [0], [4, 8, 8]],
      ["relu1", [1], [4, 8, 8]],
      ["b", [2], [4, 4, 4]],
    ]);
    expect(graph.outputs).toEqual([3]);
  });

  it("starts a chain from a named value and merges values with add and concat", () => {
    const graph = compileOk(net("a = conv(4, 3, pad=1)\nb = x -> conv(4, 1)\ns = add(a, b) -> relu\nconcat(s, a, x)"));
    expect(nodeNamed(graph, "b").inputs).toEqual([0]);
    expect(nodeNamed(graph, "s").inputs).toEqual([1, 2]);
    expect(nodeNamed(graph, "concat1").inputs).toEqual([4, 1, 0]);
    expect(nodeNamed(graph, "concat1").shape).toEqual([11, 8, 8]);
  });

  it("reads `in` and block arguments inside blocks, with defaults that use earlier parameters", () => {
    const graph = compileOk(`
block bottleneck(ch, mid=ch / 4, stride=1) {
  r = conv(mid, 1) -> relu -> conv(ch, 3, stride=stride, pad=1)
  s = in -> conv(ch, 1, stride=stride)
  add(r, s)
}
network N {
  input x: 8x9x9
  b = bottleneck(16, stride=2)
}
`);
    expect(nodeNamed(graph, "b.r").attrs).toMatchObject({ op: "conv", outChannels: 4 });
    expect(nodeNamed(graph, "b.s").inputs).toEqual([0]);
    expect(nodeNamed(graph, "b.add1").shape).toEqual([16, 5, 5]);
  });

  it("evaluates constants and integer arithmetic, locally and from imports", () => {
    const graph = compileOk(
      `use "lib/sizes.cnn"
const K = 3
network N {
  const HALF = WIDTH / 2
  input x: [CH, 8, 8]
  conv(WIDTH * 2, K, pad=(K - 1) / 2) -> fc(HALF % 5 + 1)
}`,
      { "lib/sizes.cnn": "const WIDTH = 64\nconst CH = 2 + 1\n" },
    );
    expect(graph.nodes.map((n) => n.shape)).toEqual([[3, 8, 8], [128, 8, 8], [3]]);
  });

  it("resolves `use` relative to the importing file and parses a shared file once", () => {
    const files = {
      "models/blocks/a.cnn": 'use "common.cnn"\nblock a(ch) { conv(ch, 1) -> unit }',
      "models/blocks/b.cnn": 'use "common.cnn"\nblock b(ch) { conv(ch, 1) -> unit }',
      "models/blocks/common.cnn": "block unit { relu }",
    };
    const result = compileText('use "blocks/a.cnn"\nuse "blocks/b.cnn"\nnetwork N {\n  input x: 3x4x4\n  a(4) -> b(4)\n}', files, "models/main.cnn");
    expect(result.diagnostics).toEqual([]);
    expect(layerNames(result.graph!)).toEqual(["x", "a1.conv1", "a1.unit1.relu1", "b1.conv1", "b1.unit1.relu1"]);
    expect([...result.sources.keys()]).toEqual(["models/main.cnn", "models/blocks/a.cnn", "models/blocks/common.cnn", "models/blocks/b.cnn"]);
  });

  it("builds 1-D layers over CxL inputs", () => {
    const graph = compileOk(net("conv(8, 3, pad=[0, 2]) -> maxpool(2, pad=1) -> conv1d(4, 2, pad=same, stride=2)", "5x7"));
    expect(graph.nodes.map((n) => n.shape)).toEqual([[5, 7], [8, 7], [8, 4], [4, 2]]);
    expect((nodeNamed(graph, "conv1").attrs as ConvAttrs).padding).toEqual({ top: 0, bottom: 0, left: 0, right: 2 });
    expect(nodeNamed(graph, "conv1").params[0]!.shape).toEqual([8, 5, 3]);
  });
});

describe("padding and rounding forms", () => {
  const paddingOf = (source: string, input = "1x7x7") => (compileOk(net(source, input)).nodes[1]!.attrs as ConvAttrs | PoolAttrs).padding;

  it("accepts an int, HxW, four sides and valid", () => {
    expect(paddingOf("conv(1, 3, pad=1)")).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(paddingOf("conv(1, 3, pad=2x1)")).toEqual({ top: 2, bottom: 2, left: 1, right: 1 });
    expect(paddingOf("conv(1, 3, pad=[1, 0, 2, 3])")).toEqual({ top: 1, bottom: 0, left: 2, right: 3 });
    expect(paddingOf("conv(1, 3, pad=valid)")).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
  });

  it("resolves same with the extra pixel at the bottom/right", () => {
    const graph = compileOk(net("conv(4, 7, stride=2, pad=same)", "3x224x224"));
    expect((graph.nodes[1]!.attrs as ConvAttrs).padding).toEqual({ top: 2, bottom: 3, left: 2, right: 3 });
    expect(graph.nodes[1]!.shape).toEqual([4, 112, 112]);
    expect(paddingOf("conv(1, 4, pad=same)", "1x5x6")).toEqual({ top: 1, bottom: 2, left: 1, right: 2 });
    expect(paddingOf("maxpool(3, stride=2, pad=same)", "1x7x8")).toEqual({ top: 1, bottom: 1, left: 0, right: 1 });
  });

  it("floors a conv on request and turns ceil into bottom/right padding", () => {
    const floor = compileOk(net("conv(1, 3, stride=3, rounding=floor)", "1x7x7"));
    expect(floor.nodes[1]!.shape).toEqual([1, 2, 2]);
    expect((floor.nodes[1]!.attrs as ConvAttrs).rounding).toBe("floor");
    const ceil = compileOk(net("conv(1, 3, stride=3, rounding=ceil)", "1x7x7"));
    expect(ceil.nodes[1]!.shape).toEqual([1, 3, 3]);
    expect((ceil.nodes[1]!.attrs as ConvAttrs).padding).toEqual({ top: 0, bottom: 2, left: 0, right: 2 });
    expect((ceil.nodes[1]!.attrs as ConvAttrs).rounding).toBeUndefined();
  });

  it("pools with floor by default, ceil on request, and avg pooling without padded cells", () => {
    expect(compileOk(net("maxpool(2)", "1x7x7")).nodes[1]!.shape).toEqual([1, 3, 3]);
    expect(compileOk(net("maxpool(2, rounding=ceil)", "1x7x7")).nodes[1]!.shape).toEqual([1, 4, 4]);
    const avg = compileOk(net("avgpool(3, stride=2, pad=1, count_pad=false)", "1x7x7"));
    expect(avg.nodes[1]!.attrs).toMatchObject({ kind: "avg", countPadding: false, stride: [2, 2] });
    expect(avg.nodes[1]!.shape).toEqual([1, 4, 4]);
  });
});

describe("train section", () => {
  it("types every setting", () => {
    const graph = compileOk(`
const BASE = 0.1
network N {
  input x: 1x4x4
  fc(2)
}
train {
  loss = mse
  optimizer = adam(beta1=0.8, eps=1e-7)
  learning_rate = BASE / 10
  batch = 32
  epochs = 3
  data = fashion_mnist("/data/fm")
}`);
    expect(graph.train).toMatchObject({
      loss: "mse",
      optimizer: { kind: "adam", beta1: 0.8, beta2: 0.999, eps: 1e-7, weightDecay: 0 },
      learningRate: 0.01,
      batch: 32,
      epochs: 3,
      data: { kind: "fashion_mnist", path: "/data/fm" },
    });
  });

  it("types optimizers, schedules and warmup", () => {
    const train = (settings: string) => compileOk(`network N {\n  input x: 1x4x4\n  fc(2)\n}\ntrain {\n${settings}\n}`).train;
    expect(train("  optimizer = sgd(momentum=0.9, nesterov=true, weight_decay=5e-4)")?.optimizer).toEqual({ kind: "sgd", momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    expect(train("  optimizer = adamw")?.optimizer).toEqual({ kind: "adamw", beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    expect(train("  optimizer = adamw(beta2=0.99, weight_decay=0)")?.optimizer).toMatchObject({ kind: "adamw", beta2: 0.99, weightDecay: 0 });
    expect(train("  schedule = constant")?.schedule).toEqual({ kind: "constant" });
    expect(train("  schedule = step(every=3)")?.schedule).toEqual({ kind: "step", everyEpochs: 3, gamma: 0.1 });
    expect(train("  schedule = step(every=2, gamma=0.5)")?.schedule).toEqual({ kind: "step", everyEpochs: 2, gamma: 0.5 });
    expect(train("  schedule = cosine")?.schedule).toEqual({ kind: "cosine", minLr: 0 });
    expect(train("  schedule = cosine(min_lr=1e-4)")?.schedule).toEqual({ kind: "cosine", minLr: 1e-4 });
    expect(train("  schedule = one_cycle")?.schedule).toEqual({ kind: "one_cycle", pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 });
    expect(train("  schedule = one_cycle(pct_start=0.25, div_factor=10, final_div_factor=100)")?.schedule).toEqual({
      kind: "one_cycle",
      pctStart: 0.25,
      divFactor: 10,
      finalDivFactor: 100,
    });
    expect(train("  warmup = 0.5")?.warmupEpochs).toBe(0.5);
    expect(train("  warmup = 2")?.warmupEpochs).toBe(2);
  });

  it("refuses bad optimizer and schedule values", () => {
    const codes = (settings: string) =>
      compileText(`network N {\n  input x: 1x4x4\n  fc(2)\n}\ntrain {\n${settings}\n}`).diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes("  optimizer = sgd(momentum=0, nesterov=true)")).toEqual(["error bad-train-value"]);
    expect(codes("  optimizer = sgd(nesterov=1)")).toEqual(["error wrong-argument-type"]);
    expect(codes("  optimizer = adamw(eps=0)")).toEqual(["error bad-argument-value"]);
    expect(codes("  schedule = step(every=0)")).toEqual(["error bad-argument-value"]);
    expect(codes("  schedule = step(every=2, gamma=0)")).toEqual(["error bad-argument-value"]);
    expect(codes("  schedule = cosine(min_lr=-1)")).toEqual(["error bad-argument-value"]);
    expect(codes("  schedule = one_cycle(div_factor=0)")).toEqual(["error bad-argument-value"]);
    expect(codes("  schedule = constant(gamma=0.1)")).toEqual(["error unknown-argument"]);
    expect(codes("  schedule = 3")).toEqual(["error bad-train-value"]);
    expect(codes("  warmup = cosine()")).toEqual(["error bad-train-value"]);
  });

  it("defaults what is not given", () => {
    const graph = compileOk("network N {\n  input x: 1x4x4\n  fc(2)\n}\ntrain {\n  optimizer = sgd\n}");
    expect(graph.train).toMatchObject({ loss: "cross_entropy", optimizer: { kind: "sgd", momentum: 0, weightDecay: 0 }, learningRate: 0.01, batch: 64, epochs: 1 });
    expect(graph.train?.data).toBeUndefined();
  });
});

describe("input layout", () => {
  it("warns about inputs that look channels-last, and only those", () => {
    const warned = (dims: string) => compileText(`network N {\n  input x: ${dims}\n  flatten\n}\n`).diagnostics.map((d) => `${d.severity} ${d.code}`);
    for (const dims of ["28x28x1", "224x224x3", "32x32x3", "64x48x4"]) expect(warned(dims), dims).toEqual(["warning channels-last-input"]);
    for (const dims of ["1x28x28", "3x224x224", "3x32x32", "64x8x4", "8x7x3", "5x7", "3"]) expect(warned(dims), dims).toEqual([]);
  });

  it("still compiles a channels-last input: the warning does not stop it", () => {
    const result = compileText("network N {\n  input x: 28x28x1\n  fc(10)\n}\n");
    expect(result.graph?.nodes[0]?.shape).toEqual([28, 28, 1]);
  });
});

describe("robustness", () => {
  it("reports every independent mistake in one run", () => {
    const result = compileText(net("conv(4, 3, strid=2)\ncnv(3)\nfc(2.5)\nrelu"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["unknown-argument", "unknown-layer", "wrong-argument-type"]);
    expect(result.graph).toBeUndefined();
  });

  it("keeps going after a shape error without cascading", () => {
    const result = compileText(net("conv(4, 9)\nconv(4, 3) -> relu\nfc(10, bias=maybe)"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["kernel-too-large", "undefined-name"]);
  });

  it("stops a runaway repetition", () => {
    const result = compileText(net("[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10000\n[relu] * 10"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["network-too-large"]);
  });
});

describe("schedule annotations", () => {
  it("carry `@kind` onto the layer's node with the annotation's span, in every repetition and with an alias", () => {
    const graph = compileOk(net("c1 = conv(4, 3, pad=1) @winograd -> relu\n[conv(4, 3, pad=1) as c @implicit_gemm] * 2\nflatten -> fc(10) @gemm"));
    expect(nodeNamed(graph, "c1").scheduleAnnotation).toMatchObject({ kind: "winograd", span: { startLine: 3, startColumn: 26, endColumn: 34 } });
    expect(nodeNamed(graph, "c1.relu").scheduleAnnotation).toBeUndefined();
    expect(nodeNamed(graph, "repeat1.0.c").scheduleAnnotation?.kind).toBe("implicit_gemm");
    expect(nodeNamed(graph, "repeat1.1.c").scheduleAnnotation?.kind).toBe("implicit_gemm");
    expect(nodeNamed(graph, "fc1").scheduleAnnotation?.kind).toBe("gemm");
    expect(graph.nodes.filter((node) => node.scheduleAnnotation !== undefined)).toHaveLength(4);
  });

  it("is a syntax error without a kind after `@`", () => {
    const result = compileText(net("conv(4, 3) @ -> relu"));
    // At the `->` where the kind should be.
    expect(result.diagnostics.map((d) => [d.code, d.span.startLine, d.span.startColumn])).toEqual([["syntax", 3, 16]]);
    expect(result.diagnostics[0]!.message).toMatch(/expected a name/);
  });
});
