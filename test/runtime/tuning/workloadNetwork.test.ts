import { describe, expect, it } from "vitest";
import { buildKernelGraph } from "../../../src/pipeline.js";
import { compile } from "../../../runtime/compileNetwork.js";
import { workloadNetwork } from "../../../runtime/tuning/workloadNetwork.js";
import { convWorkload, fcWorkload } from "../../schedule/workloads.js";

function scheduledKernel(source: string) {
  const graph = compile(source);
  const kernels = buildKernelGraph(graph).kernels.filter((kernel) => kernel.anchor === "conv" || kernel.anchor === "fc");
  expect(kernels).toHaveLength(1);
  return { graph, kernel: kernels[0]! };
}

describe("workloadNetwork", () => {
  it("writes a conv of the workload's shapes with its bias, activation and pool, fused into one kernel", () => {
    const workload = convWorkload({ batch: 3, C: 4, H: 10, K: 8, kernel: 3, pooled: "max 2x2/2x2" });
    const { source, batch } = workloadNetwork(workload);
    expect(batch).toBe(3);
    const { graph, kernel } = scheduledKernel(source);
    const conv = graph.nodes[kernel.anchorLayer]!;
    expect(conv.attrs).toMatchObject({ op: "conv", outChannels: 8, kernel: [3, 3] });
    expect(conv.name).toBe("measured");
    expect(conv.params.map((param) => param.name)).toEqual(["weight", "bias"]);
    expect(kernel.epilogue.map((stage) => stage.kind)).toEqual(["bias", "activation"]);
    expect(kernel.pool).toBeDefined();
  });

  it("writes folded batchnorm and a residual add as a second input", () => {
    const workload = { ...convWorkload({ C: 4, H: 6, K: 4, kernel: 1 }), epilogue: "scale_shift+add+relu" };
    const { graph, kernel } = scheduledKernel(workloadNetwork(workload).source);
    expect(graph.inputs).toHaveLength(2);
    expect(kernel.epilogue.map((stage) => stage.kind)).toEqual(["scale_shift", "add", "activation"]);
  });

  it("writes an fc without bias", () => {
    const { kernel, graph } = scheduledKernel(workloadNetwork(fcWorkload(2, 30, 7, "")).source);
    expect(graph.nodes[kernel.anchorLayer]!.attrs).toMatchObject({ op: "fc", outFeatures: 7 });
    expect(kernel.epilogue).toEqual([]);
  });

  it("leaves the backward ops' workloads to the trainer", () => {
    const { conv } = convWorkload({ C: 4, H: 6, K: 4, kernel: 3 });
    expect(() => workloadNetwork({ op: "conv_backward_data", conv })).toThrow(/internal: measuring a conv_backward_data workload needs a training step/);
  });
});
