// Workloads and their keys: what a kernel computes (shapes with the batch, epilogue signature, pool,
// store), stable across compilations and distinct where the kernels differ.
import { describe, expect, it } from "vitest";
import type { KernelGraph } from "../../src/kernels/kernelGraph.js";
import { buildKernelGraph, buildTrainingKernelGraph } from "../../src/pipeline.js";
import { workloadKey } from "../../src/schedule/types.js";
import { workloadOfKernel } from "../../src/schedule/workloadOf.js";
import { compileExample } from "../examples/exampleHelpers.js";

const keysOf = (graph: KernelGraph): string[] => graph.kernels.flatMap((kernel) => (kernel.workload === undefined ? [] : [workloadKey(kernel.workload)]));

describe("workloadOfKernel", () => {
  it("describes LeNet-5's first conv with its epilogue and the pool it computes", () => {
    const graph = buildKernelGraph(compileExample("lenet5.cnn"), { batch: 4 });
    const c1 = graph.kernels[0]!;
    expect(workloadOfKernel(graph, c1, 4, true)).toEqual({
      op: "conv",
      conv: {
        batch: 4,
        C: 1,
        H: 32,
        W: 32,
        K: 6,
        OH: 28,
        OW: 28,
        KH: 5,
        KW: 5,
        groups: 1,
        stride: [1, 1],
        dilation: [1, 1],
        padding: { top: 0, bottom: 0, left: 0, right: 0 },
        paddingMode: "zeros",
      },
      epilogue: "bias+tanh",
      pooled: "avg 2x2/2x2",
      store: "plain",
      constantWeights: true,
    });
    const fc = graph.kernels.find((kernel) => kernel.anchor === "fc")!;
    expect(workloadOfKernel(graph, fc, 4, false)).toEqual({ op: "fc", batch: 4, inFeatures: 400, outFeatures: 120, epilogue: "bias+tanh", constantWeights: false });
    expect(workloadKey(workloadOfKernel(graph, c1, 4, true)!)).toBe(
      '{"constantWeights":true,"conv":{"C":1,"H":32,"K":6,"KH":5,"KW":5,"OH":28,"OW":28,"W":32,"batch":4,"dilation":[1,1],"groups":1,' +
        '"padding":{"bottom":0,"left":0,"right":0,"top":0},"paddingMode":"zeros","stride":[1,1]},"epilogue":"bias+tanh","op":"conv","pooled":"avg 2x2/2x2","store":"plain"}',
    );
  });

  it("has no workload for kernels no schedule kind computes", () => {
    const graph = buildKernelGraph(compileExample("googlenet.cnn"));
    const unscheduled = graph.kernels.filter((kernel) => kernel.anchor !== "conv" && kernel.anchor !== "fc");
    expect(unscheduled.length).toBeGreaterThan(0);
    for (const kernel of unscheduled) expect(workloadOfKernel(graph, kernel, 1, true)).toBeUndefined();
    // Inception branches write into their concat's channel slices.
    expect(graph.kernels.some((kernel) => kernel.workload?.op === "conv" && kernel.workload.store === "channel_slice")).toBe(true);
  });

  it("gives the same keys when a network is compiled again, and different keys at another batch", () => {
    const first = keysOf(buildKernelGraph(compileExample("resnet18.cnn"), { batch: 2 }));
    expect(keysOf(buildKernelGraph(compileExample("resnet18.cnn"), { batch: 2 }))).toEqual(first);
    const other = keysOf(buildKernelGraph(compileExample("resnet18.cnn"), { batch: 3 }));
    for (const key of other) expect(first).not.toContain(key);
    // ResNet's repeated blocks share workloads: fewer distinct keys than kernels, and a residual add in some epilogue.
    expect(new Set(first).size).toBeLessThan(first.length);
    expect(first.some((key) => key.includes('"epilogue":"scale_shift+add+relu"'))).toBe(true);
  });

  it("keys training kernels by their backward work, and the forward convs as weights that change", () => {
    const graph = buildTrainingKernelGraph(compileExample("lenet5.cnn"), { batch: 8, loss: "cross_entropy", optimizer: { kind: "sgd" } });
    const data = graph.kernels.find((kernel) => kernel.workload?.op === "conv_backward_data")!;
    expect(data.workload).toMatchObject({ op: "conv_backward_data", conv: { batch: 8, K: 16, KH: 5 } });
    const weight = graph.kernels.find((kernel) => kernel.workload?.op === "fc_backward_weight")!;
    expect(weight.workload).toMatchObject({ op: "fc_backward_weight", batch: 8 });
    const keys = keysOf(graph);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
