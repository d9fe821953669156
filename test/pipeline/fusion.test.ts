// What the fusion passes make of each example network (tinygrad's schedule tests: count the kernels
// and say which layers each one implements), and what --no-fuse keeps apart.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/pipeline.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { exampleKernels, kernelShapes, kernelsOf } from "../kernels/kernelHelpers.js";

describe("fusion of the example networks", () => {
  it("LeNet-5: one kernel per conv stage (conv+tanh+pool), one per fc with its activation", () => {
    expect(kernelShapes(exampleKernels("lenet5.cnn", { schedule: { all: "direct" } }))).toEqual([
      "conv[c1+c1.tanh+s2]",
      "conv[c3+c3.tanh+s4]",
      "fc[c5+c5.tanh]",
      "fc[f6+f6.tanh]",
      "fc[out]",
      "softmax[out.softmax]",
    ]);
  });

  it("FashionCNN: conv+batchnorm+relu+maxpool in one kernel per stage", () => {
    const graph = exampleKernels("fashion_cnn.cnn", { schedule: { all: "direct" } });
    expect(graph.kernels.map((kernel) => kernel.anchor)).toEqual(["conv", "conv", "fc", "fc"]);
    expect(graph.kernels[0]!.epilogue.map((stage) => stage.kind)).toEqual(["scale_shift", "activation"]);
    expect(graph.kernels[0]!.pool).toBeDefined();
    expect(graph.derived.map((derived) => derived.name)).toEqual(["bn1:scale", "bn1:shift", "bn2:scale", "bn2:shift"]);
  });

  it("ResNet-18: 20 conv kernels with batchnorm, ReLU and the residual add; maxpool; global pool; fc", () => {
    const graph = exampleKernels("resnet18.cnn", { schedule: { all: "direct" } });
    const anchors = graph.kernels.map((kernel) => kernel.anchor);
    expect(anchors.filter((anchor) => anchor === "conv")).toHaveLength(20);
    expect(graph.kernels.length).toBeLessThanOrEqual(23);
    expect(anchors.filter((anchor) => anchor === "elementwise")).toEqual([]);
    // Every add is fused into a conv's epilogue, followed by its relu.
    const withResidual = graph.kernels.filter((kernel) => kernel.epilogue.some((stage) => stage.kind === "add"));
    expect(withResidual).toHaveLength(8);
    for (const kernel of withResidual) expect(kernel.epilogue.map((stage) => stage.kind)).toEqual(["scale_shift", "add", "activation"]);
  });

  it("GoogLeNet: every inception concat is written in place by its branches", () => {
    const graph = exampleKernels("googlenet.cnn");
    expect(graph.kernels.filter((kernel) => kernel.anchor === "concat")).toEqual([]);
    expect(graph.absorbed.filter((absorbed) => absorbed.how === "concat_in_place").length).toBe(9);
  });

  it("--no-fuse keeps one kernel per layer that computes something", () => {
    const graph = exampleKernels("lenet5.cnn", { fuse: false });
    expect(kernelShapes(graph)).toEqual([
      "conv[c1]",
      "elementwise[c1.tanh]",
      "pool[s2]",
      "conv[c3]",
      "elementwise[c3.tanh]",
      "pool[s4]",
      "fc[c5]",
      "elementwise[c5.tanh]",
      "fc[f6]",
      "elementwise[f6.tanh]",
      "fc[out]",
      "softmax[out.softmax]",
    ]);
  });
});

describe("fusion rules", () => {
  it("relu6, hardsigmoid, hardswish and silu fuse into the producing conv or fc like relu", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      conv(8, 3, pad=1, bias=false) as c1 -> batchnorm as bn1 -> hardswish
      conv(8, 3, pad=1, groups=8) as c2 -> relu6
      conv(8, 1) as c3 -> silu
      fc(6) as f1 -> hardsigmoid
    }`);
    expect(kernelShapes(graph)).toEqual(["conv[c1+bn1+hardswish1]", "conv[c2+relu61]", "conv[c3+silu1]", "fc[f1+hardsigmoid1]"]);
    expect(graph.kernels.map((kernel) => kernel.epilogue.map((stage) => stage.kind).join(","))).toEqual([
      "scale_shift,activation",
      "bias,activation",
      "bias,activation",
      "bias,activation",
    ]);
    const unfused = kernelsOf(`network N {
      input x: 4x8x8
      conv(8, 1) as c3 -> silu -> hardswish
    }`, { fuse: false });
    expect(kernelShapes(unfused)).toEqual(["conv[c3]", "elementwise[silu1]", "elementwise[hardswish1]"]);
  });

  it("an add -> relu after a pool becomes one elementwise kernel", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      a = maxpool(2)
      b = x -> avgpool(2)
      add(a, b) -> relu
    }`);
    expect(kernelShapes(graph)).toEqual(["pool[a]", "pool[b]", "elementwise[add1+relu1]"]);
  });

  it("batchnorm -> relu after a concat becomes one elementwise kernel", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      a = conv(4, 3, pad=1)
      b = x -> conv(4, 3, pad=1)
      concat(a, b) -> batchnorm as bn -> relu
    }`);
    expect(kernelShapes(graph)).toEqual(["conv[a]", "conv[b]", "elementwise[bn+relu1]"]);
  });

  it("a value read twice is stored: the second reader keeps its own kernel and explain says why", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      c = conv(4, 3, pad=1)
      r = relu
      add(c, r)
    }`);
    expect(kernelShapes(graph)).toEqual(["conv[c]", "elementwise[r+add1]"]);
    expect(graph.notes.find((note) => !note.fused && graph.source.nodes[note.layer]!.name === "r")?.text).toMatch(/also read by another kernel/);
  });

  it("overlapping pool windows stay a kernel of their own when recompute costs more", () => {
    const graph = kernelsOf(`network N {
      input x: 16x16x16
      conv(16, 3, pad=1) as c -> maxpool(3, stride=2) as p
    }`);
    expect(kernelShapes(graph)).toEqual(["conv[c]", "pool[p]"]);
    expect(graph.notes.find((note) => graph.source.nodes[note.layer]!.name === "p")?.text).toMatch(/overlap/);
  });

  it("--schedule im2col for a conv keeps its pool apart, and says so", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      conv(8, 3, pad=1) as c -> maxpool(2) as p
    }`, { schedule: { layers: { c: "im2col" } } });
    expect(kernelShapes(graph)).toEqual(["conv[c]", "pool[p]"]);
    expect(graph.kernels[0]!.schedule?.kind).toBe("im2col");
  });
});

describe("dispatches with --schedule direct at batch 1", () => {
  const dispatches = (name: string, fuse = true): string[] =>
    buildPlan(compileExample(name), 1, { schedule: { all: "direct" }, fuse, verify: true }).steps.map((step) => step.name);

  it("LeNet-5: 2 conv stages, 3 fc, 1 softmax (12 unfused)", () => {
    expect(dispatches("lenet5.cnn")).toEqual(["c1.conv_direct", "c3.conv_direct", "c5.fc", "f6.fc", "out.fc", "out.softmax.softmax"]);
    expect(dispatches("lenet5.cnn", false)).toHaveLength(12);
  });

  it("FashionCNN: 2 conv stages and 2 fc", () => {
    expect(dispatches("fashion_cnn.cnn")).toEqual(["conv1.conv_direct", "conv2.conv_direct", "fc1.fc", "fc2.fc"]);
  });

  it("ResNet-18: at most 23 (20 convs, maxpool, global pool, fc)", () => {
    const steps = dispatches("resnet18.cnn");
    expect(steps.length).toBeLessThanOrEqual(23);
    expect(steps.filter((name) => name.endsWith(".conv_direct"))).toHaveLength(20);
  });
});
