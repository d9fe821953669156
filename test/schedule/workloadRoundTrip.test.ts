import { describe, expect, it } from "vitest";
import { compile } from "../../runtime/compileNetwork.js";
import { workloadNetwork } from "../../runtime/tuning/workloadNetwork.js";
import { buildKernelGraph } from "../../src/pipeline.js";
import { workloadOfKernel } from "../../src/schedule/workloadOf.js";
import { workloadKey, type Workload } from "../../src/schedule/types.js";

function workloadsOf(source: string, batch: number): Workload[] {
  const kernels = buildKernelGraph(compile(source));
  return kernels.kernels.flatMap((kernel) => {
    const workload = workloadOfKernel(kernels, kernel, batch, true);
    return workload === undefined ? [] : [workload];
  });
}

const NETWORK = `network Net {
  input x: 3x16x16
  c1 = conv(8, 3, stride=2, pad=[1, 0, 1, 0], groups=1) -> leaky_relu(alpha=0.2) -> maxpool(2)
  c1b = conv(8, 3, pad=1) -> avgpool(3, stride=2, pad=1, rounding=ceil)
  c2 = conv(8, kernel=1x3, dilation=2, bias=false, groups=2, padding_mode=reflect, pad=1) -> batchnorm -> relu
  f = fc(5) -> tanh
}
`;

describe("workloadOfKernel and the measured network", () => {
  it("reads each conv and fc kernel's shapes, epilogue signature and pool", () => {
    const [c1, , c2, f] = workloadsOf(NETWORK, 4);
    expect(c1).toMatchObject({ op: "conv", epilogue: "bias+leaky_relu(alpha=0.2)", pooled: "max 2x2/2x2", store: "plain" });
    expect(c1).toMatchObject({ conv: { batch: 4, C: 3, H: 16, K: 8, OH: 8, OW: 8, KH: 3, stride: [2, 2], padding: { top: 1, bottom: 0 } } });
    expect(c2).toMatchObject({ op: "conv", epilogue: "scale_shift+relu", pooled: "", conv: { groups: 2, KH: 1, KW: 3, dilation: [2, 2], paddingMode: "reflect" } });
    expect(f).toEqual({ op: "fc", batch: 4, inFeatures: 8 * 5 * 1, outFeatures: 5, epilogue: "bias+tanh", constantWeights: true });
  });

  it("round-trips through the measured network: its one kernel has the same workload", () => {
    for (const workload of workloadsOf(NETWORK, 2)) {
      const [again] = workloadsOf(workloadNetwork(workload).source, 2);
      expect(workloadKey(again!)).toBe(workloadKey(workload));
    }
  });

  it("writes a pooled text's padding, rounding and count_pad into the measured network's pool", () => {
    const [c1] = workloadsOf(NETWORK, 1);
    const source = workloadNetwork({ ...c1!, pooled: "avg 3x3/2x2 pad 1,1,1,1 ceil count_pad" } as Workload).source;
    expect(source).toContain("avgpool(3x3, stride=2x2, pad=[1, 1, 1, 1], rounding=ceil, count_pad=true)");
  });
});
