// The training step's kernel graph: what the differentiate step appends (counted per phase and kind,
// tinygrad-style), that it passes the verifier after every pass, that a value read twice gets the sum
// of its gradients, and that its memory plan is valid with the forward values kept for the backward.
import { describe, expect, it } from "vitest";
import { NO_VALUE, type KernelGraph } from "../../src/kernels/kernelGraph.js";
import { planMemory, validateMemoryPlan } from "../../src/kernels/memoryPlan.js";
import { buildTrainingKernelGraph, type TrainingPlanOptions } from "../../src/pipeline.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { compileText } from "../kernels/kernelHelpers.js";

const SGD: TrainingPlanOptions = { loss: "cross_entropy", optimizer: { kind: "sgd", momentum: 0.9 }, verify: true };

function works(graph: KernelGraph, phase: string): string[] {
  return graph.kernels.filter((kernel) => kernel.training?.phase === phase).map((kernel) => `${kernel.training!.work.kind}(${graph.source.nodes[kernel.anchorLayer]!.name})`);
}

describe("differentiate", () => {
  it("FashionCNN: training forward, fused batchnorm+relu, the loss, every gradient and one update per parameter", () => {
    // conv1 reads the network input, so it gets no input gradient; its batchnorm and relu are one kernel each way.
    const graph = buildTrainingKernelGraph(compileExample("fashion_cnn.cnn"), { ...SGD, batch: 64 });
    const forward = graph.kernels.filter((kernel) => kernel.training === undefined || kernel.training.phase === "forward");
    expect(forward.map((kernel) => `${kernel.anchor}[${kernel.layers.map((layer) => graph.source.nodes[layer]!.name).join("+")}]`)).toEqual([
      "conv[conv1]",
      "training[bn1+relu1]",
      "training[maxpool1]",
      "conv[conv2]",
      "training[bn2+relu2]",
      "training[maxpool2]",
      "fc[fc1+relu3]",
      "fc[fc2]",
    ]);
    expect(works(graph, "loss")).toEqual(["softmax_cross_entropy(fc2)"]);
    const backward = works(graph, "backward");
    expect(backward.filter((text) => text.startsWith("conv_backward_data"))).toEqual(["conv_backward_data(conv2)"]);
    expect(backward.filter((text) => text.startsWith("conv_backward_filter"))).toEqual(["conv_backward_filter(conv2)", "conv_backward_filter(conv1)"]);
    expect(backward.filter((text) => text.startsWith("batchnorm_backward"))).toHaveLength(2);
    expect(backward.filter((text) => text.startsWith("pool_backward"))).toHaveLength(2);
    expect(backward.filter((text) => text.startsWith("activation_backward"))).toEqual([expect.stringContaining("activation_backward(")]);
    // conv1.weight, bn1.weight, bn1.bias, conv2.weight, bn2.*, fc1.weight, fc1.bias, fc2.weight, fc2.bias
    expect(works(graph, "update")).toHaveLength(10);
    const trainable = graph.source.nodes.flatMap((node) => node.params.filter((param) => param.trainable).map((param) => `${node.name}.${param.name}`));
    const updated = graph.kernels.filter((kernel) => kernel.training?.phase === "update").map((kernel) => {
      const param = kernel.training!.operands["param"]!;
      return param.kind === "param" ? param.name : "";
    });
    expect(updated.sort()).toEqual(trainable.sort());
    const problems = validateMemoryPlan(graph, planMemory(graph, 64));
    expect(problems).toEqual([]);
  });

  it("a residual: the skipped value's gradient is the sum of both paths", () => {
    const graph = buildTrainingKernelGraph(
      compileText(`network R {
  input x: 2x6x6
  a = conv(2, 3, pad=1) as c1
  b = a -> conv(2, 3, pad=1) as c2
  add(a, b) -> relu -> flatten -> fc(3) as out
}`),
      { ...SGD, batch: 4 },
    );
    const sums = graph.kernels.filter((kernel) => kernel.anchor === "elementwise" && kernel.layers.length === 0);
    expect(sums).toHaveLength(1);
    expect(sums[0]!.inputs).toHaveLength(2);
    expect(graph.source.nodes[graph.values[sums[0]!.output]!.layer]!.name).toBe("c1");
    expect(validateMemoryPlan(graph, planMemory(graph, 3))).toEqual([]);
  });

  it("parameter-only kernels write no value, and the first conv computes no input gradient", () => {
    const graph = buildTrainingKernelGraph(compileExample("lenet5.cnn"), { ...SGD, optimizer: { kind: "adam" }, batch: 64 });
    const first = graph.source.nodes.find((node) => node.attrs.op === "conv")!;
    expect(graph.kernels.some((kernel) => kernel.training?.work.kind === "conv_backward_data" && kernel.anchorLayer === first.id)).toBe(false);
    for (const kernel of graph.kernels.filter((each) => each.training?.phase === "update")) expect(kernel.output).toBe(NO_VALUE);
  });

  it("AlexNet: each local response norm gets its backward from its input, kept alive for it", () => {
    const graph = buildTrainingKernelGraph(compileExample("alexnet.cnn"), { ...SGD, batch: 64 });
    const lrnBackward = graph.kernels.filter((kernel) => kernel.training?.work.kind === "lrn_backward");
    expect(lrnBackward.map((kernel) => graph.source.nodes[kernel.anchorLayer]!.name)).toEqual(["norm2", "norm1"]);
    const planes: Record<string, { channels: number; inner: number }> = { norm1: { channels: 96, inner: 27 * 27 }, norm2: { channels: 256, inner: 13 * 13 } };
    for (const kernel of lrnBackward) {
      const forward = graph.kernels.find((each) => each.anchor === "lrn" && each.anchorLayer === kernel.anchorLayer)!;
      expect(kernel.training!.operands["x"]).toEqual({ kind: "value", value: forward.inputs[0] });
      const name = graph.source.nodes[kernel.anchorLayer]!.name;
      expect(kernel.training!.work).toEqual({ kind: "lrn_backward", ...planes[name], size: 5, alpha: 1e-4, beta: 0.75, k: 2 });
    }
    expect(validateMemoryPlan(graph, planMemory(graph, 2))).toEqual([]);
  });

  it("refuses a loss the network's output cannot take", () => {
    const graph = compileText(`network N {
  input x: 1x4x4
  conv(2, 3) as c
}`);
    expect(() => buildTrainingKernelGraph(graph, { ...SGD, batch: 64 })).toThrow(/cross_entropy needs class scores \[K\] per sample, but c outputs \[2, 2, 2\]/);
  });
});
