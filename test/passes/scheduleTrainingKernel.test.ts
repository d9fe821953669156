// choose-schedules on a training step: every backward GEMM kernel (a conv's or fc layer's data and
// weight gradients) gets its workload at the step's batch and its kind's default schedule, valid for
// the generator; other training kernels get none; a target no kind fits is a user error naming the layer.
import { describe, expect, it } from "vitest";
import { CnncUserError } from "../../src/errors.js";
import type { KernelNode } from "../../src/kernels/kernelGraph.js";
import { buildTrainingKernelGraph, type TrainingPlanOptions } from "../../src/pipeline.js";
import { backwardWorkloadOf } from "../../src/schedule/workloadOf.js";
import { scheduleKind } from "../../src/schedule/registry.js";
import { PORTABLE_TARGET, type Target } from "../../src/schedule/types.js";
import { dataGemmScheduleOf } from "../../src/schedule/kinds/dataGemm.js";
import { filterGemmScheduleOf } from "../../src/schedule/kinds/filterGemm.js";
import { fcDataGemmScheduleOf } from "../../src/schedule/kinds/fcDataGemm.js";
import { fcWeightGemmScheduleOf } from "../../src/schedule/kinds/fcWeightGemm.js";
import { compileText } from "../kernels/kernelHelpers.js";

const SGD: TrainingPlanOptions = { loss: "cross_entropy", optimizer: { kind: "sgd", momentum: 0 } };
const SOURCE = `network T {
  input x: 3x8x8
  conv(4, 3, stride=2, pad=[1, 0, 2, 1], padding_mode=reflect) as c1 -> relu
  conv(6, 3, pad=1) as c2 -> relu
  fc(5) as out
}`;
const VALIDATORS: Record<string, (schedule: NonNullable<KernelNode["schedule"]>, what: string) => unknown> = {
  data_gemm: dataGemmScheduleOf,
  filter_gemm: filterGemmScheduleOf,
  fc_data_gemm: fcDataGemmScheduleOf,
  fc_weight_gemm: fcWeightGemmScheduleOf,
};

describe("scheduling a training step's backward kernels", () => {
  const graph = compileText(SOURCE);
  const kernels = buildTrainingKernelGraph(graph, { ...SGD, batch: 5 });
  const training = kernels.kernels.filter((kernel) => kernel.anchor === "training");

  it("gives each backward GEMM its workload at the batch and its kind's default, and no other training kernel a schedule", () => {
    const scheduled = training.filter((kernel) => kernel.schedule !== undefined);
    const works = scheduled.map((kernel) => `${graph.nodes[kernel.anchorLayer]!.name} ${kernel.training!.work.kind} ${kernel.schedule!.kind}`).sort();
    // c1 reads the network input: no input gradient.
    expect(works).toEqual(["c1 conv_backward_filter filter_gemm", "c2 conv_backward_data data_gemm", "c2 conv_backward_filter filter_gemm", "out fc_backward_data fc_data_gemm", "out fc_backward_weight fc_weight_gemm"]);
    for (const kernel of scheduled) {
      const workload = backwardWorkloadOf(kernel, 5)!;
      const definition = scheduleKind(kernel.schedule!.kind)!;
      expect(definition.ops).toContain(workload.op);
      expect(kernel.schedule).toEqual(definition.defaultSchedule(workload, PORTABLE_TARGET));
      expect(VALIDATORS[kernel.schedule!.kind]!(kernel.schedule!, "test")).toEqual(kernel.schedule);
      expect(kernel.scheduleReason).toBe(`${kernel.schedule!.kind}: the only schedule kind that computes this ${backwardWorkloadOf(kernel, 5)!.op.replaceAll("_", " ")}`);
    }
    for (const kernel of training.filter((candidate) => candidate.schedule === undefined)) expect(backwardWorkloadOf(kernel, 5)).toBeUndefined();
  });

  it("reads the conv's shape, attributes and batch into the workload", () => {
    const filter = training.find((kernel) => kernel.training!.work.kind === "conv_backward_filter" && graph.nodes[kernel.anchorLayer]!.name === "c1")!;
    expect(backwardWorkloadOf(filter, 5)).toEqual({
      op: "conv_backward_filter",
      conv: { batch: 5, C: 3, H: 8, W: 8, K: 4, OH: 4, OW: 5, KH: 3, KW: 3, groups: 1, stride: [2, 2], dilation: [1, 1], padding: { top: 1, bottom: 0, left: 2, right: 1 }, paddingMode: "reflect" },
    });
    const fc = training.find((kernel) => kernel.training!.work.kind === "fc_backward_weight")!;
    expect(backwardWorkloadOf(fc, 5)).toEqual({ op: "fc_backward_weight", batch: 5, inFeatures: 6 * 5 * 4, outFeatures: 5 });
  });

  it("refuses a target no kind can run the layer on, naming the layer and each kind's reason", () => {
    const reflect = compileText(`network P {
  input x: 2x6x6
  conv(2, 3) as c0
  conv(3, 3, pad=1, padding_mode=reflect) as c1
  fc(2) as out
}`);
    const small: Target = { ...PORTABLE_TARGET, description: "a tiny adapter", limits: { ...PORTABLE_TARGET.limits, maxStorageBufferBindingSize: 256 } };
    const attempt = (): unknown => buildTrainingKernelGraph(reflect, { ...SGD, batch: 2, target: small });
    expect(attempt).toThrow(CnncUserError);
    expect(attempt).toThrow("layer `c1`: no schedule kind can compute its conv backward data on a tiny adapter");
    try {
      attempt();
    } catch (error) {
      expect((error as CnncUserError).hint).toBe("data_gemm: the padded input's gradient (reflect padding): 576 bytes, more than one binding on a tiny adapter holds (256)");
    }
  });
});
