// choose-schedules with --schedule winograd: the schedule and the derived filter transform it records
// (listed in the plan and in its file), and the user errors for convs it cannot run, naming the layer,
// why, and the kinds that can.
import { describe, expect, it } from "vitest";
import { formatKernelGraph } from "../../src/kernels/format.js";
import { buildKernelGraph, buildPlan, buildTrainingKernelGraph } from "../../src/pipeline.js";
import { loadPlanDirectory } from "../../src/planFile/loadPlanDirectory.js";
import { editPlanJson, writtenPlan } from "../planFile/planFixture.js";
import { compileText } from "../kernels/kernelHelpers.js";
import { userError } from "../support/userError.js";

const NETWORK = `network N {
  input x: 8x9x9
  a = conv(16, 3, pad=1) -> relu
  b = conv(8, 5, pad=2)
  c = conv(8, 3, stride=2, pad=1) -> maxpool(2)
}`;

describe("choose-schedules: winograd", () => {
  it("gives the asked-for layer the winograd schedule and records its transformed filters", () => {
    const graph = buildKernelGraph(compileText(NETWORK), { schedule: { layers: { a: "winograd" } }, verify: true });
    const a = graph.kernels.find((kernel) => graph.source.nodes[kernel.anchorLayer]!.name === "a")!;
    expect(a.schedule).toEqual({ kind: "winograd", variant: "f2x2_3x3", tileM: 4, tileN: 2, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false });
    expect(a.scheduleReason).toBe("winograd: asked for with --schedule");
    expect(graph.derived).toEqual([
      { name: "a:winograd_u", transform: "winograd_filter", variant: "f2x2_3x3", layer: a.anchorLayer, from: { weight: "a.weight" }, filters: 16, channelsPerGroup: 8, elements: 16 * 8 * 16 },
    ]);
    expect(formatKernelGraph(graph, "choose-schedules")).toContain("derived a:winograd_u = winograd_filter(a.weight, variant=f2x2_3x3)");
  });

  it("writes the derived parameter into plan.json, and reads it back", () => {
    const plan = buildPlan(compileText(NETWORK), 2, { schedule: { layers: { a: "winograd" } } });
    expect(plan.derived.map((derived) => derived.name)).toEqual(["a:winograd_u"]);
    expect(plan.buffers.find((buffer) => buffer.paramName === "a:winograd_u")?.bytes).toBe(16 * 8 * 16 * 4);
    const dir = writtenPlan(plan);
    expect(loadPlanDirectory(dir).derived).toEqual(plan.derived);
    // A transform whose sizes disagree with its source weight is refused by path.
    editPlanJson(dir, (json) => {
      json.derived[0]!.channelsPerGroup = 4;
      json.derived[0]!.elements = 16 * 4 * 16;
      json.buffers.find((buffer) => buffer.paramName === "a:winograd_u")!.bytes = 16 * 4 * 16 * 4;
    });
    expect(userError(() => loadPlanDirectory(dir)).message).toBe("`derived[0].from.weight` names a.weight of 1,152 values, but a:winograd_u needs 576");
  });

  it("refuses a 5x5 conv, a stride-2 conv and every conv for all layers when one cannot run it", () => {
    const graph = compileText(NETWORK);
    const fiveByFive = userError(() => buildKernelGraph(graph, { schedule: { layers: { b: "winograd" } } }));
    expect(fiveByFive.message).toBe("layer `b` cannot run as `winograd` (asked for with --schedule): winograd needs a 3x3 kernel (this conv's is 5x5)");
    expect(fiveByFive.hint).toBe("schedules legal for `b`: `direct`, `im2col`, `implicit_gemm`");
    const strided = userError(() => buildKernelGraph(graph, { schedule: { layers: { c: "winograd" } } }));
    expect(strided.message).toMatch(/^layer `c` cannot run as `winograd` \(asked for with --schedule\): winograd needs stride 1 \(this conv's is 2x2\)$/);
    expect(userError(() => buildKernelGraph(graph, { schedule: { all: "winograd" } })).message).toMatch(/^layer `b` cannot run as `winograd`/);
  });

  it("refuses a training step, whose weights change on the device, and a plan deriving parameters on the device", () => {
    const graph = compileText(`network T {
  input x: 2x6x6
  c = conv(4, 3, pad=1) -> relu
  flatten
  fc(3)
}`);
    const training = userError(() =>
      buildTrainingKernelGraph(graph, { loss: "cross_entropy", optimizer: { kind: "sgd", momentum: 0.9 }, schedule: { layers: { c: "winograd" } } }),
    );
    expect(training.message).toMatch(/^layer `c` cannot run as `winograd` \(asked for with --schedule\): .*a training step changes the weights on the device$/);
    expect(userError(() => buildKernelGraph(graph, { schedule: { all: "winograd" }, deriveOnDevice: true })).message).toMatch(/training step changes the weights/);
  });
});
