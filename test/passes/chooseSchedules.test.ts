// choose-schedules: the default choice through the registry, forced kinds (`--schedule`, a layer's
// annotation) with a user error naming the layer and the legal kinds when illegal, exact and tuned
// schedules, batch-aware workloads, and the target's limits (schedules, and the storage bindings
// that bound fusion).
import { describe, expect, it } from "vitest";
import { CnncUserError } from "../../src/errors.js";
import type { Graph } from "../../src/ir/graph.js";
import type { KernelGraph } from "../../src/kernels/kernelGraph.js";
import { lowerToKernels } from "../../src/kernels/lower.js";
import { chooseSchedules, type ScheduleRequests } from "../../src/passes/chooseSchedules.js";
import { fuseConvPool } from "../../src/passes/fuseConvPool.js";
import { buildKernelGraph, buildTrainingKernelGraph } from "../../src/pipeline.js";
import { modelChoice } from "../../src/schedule/costModel.js";
import { kindsForWorkload, scheduleKind } from "../../src/schedule/registry.js";
import { PORTABLE_TARGET, workloadKey, type Target } from "../../src/schedule/types.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { compileText } from "../kernels/kernelHelpers.js";
import { chainGraph, conv2d, pool2d } from "../reference/graphBuilders.js";
import { userError } from "../support/userError.js";
import { scheduleTestNetwork } from "./scheduleNetwork.js";

const choose = (graph: Graph, requests: ScheduleRequests = {}, batch = 1, target: Target = PORTABLE_TARGET): KernelGraph =>
  chooseSchedules(lowerToKernels(graph), { batch, target, constantWeights: true, requests });

const kindsOf = (graph: KernelGraph): (string | null)[] => graph.kernels.map((kernel) => kernel.schedule?.kind ?? null);

/** Every scheduled kernel's schedule is its kind's and legal for its workload on `target`. */
function expectValidSchedules(graph: KernelGraph, target: Target = PORTABLE_TARGET): number {
  let scheduled = 0;
  for (const kernel of graph.kernels) {
    if (kernel.anchor !== "conv" && kernel.anchor !== "fc") continue;
    const where = graph.source.nodes[kernel.anchorLayer]!.name;
    expect(kernel.workload, where).toBeDefined();
    expect(kernel.schedule, where).toBeDefined();
    const definition = scheduleKind(kernel.schedule!.kind)!;
    expect(definition.illegal(kernel.workload!, target), where).toBeUndefined();
    expect(definition.illegalKnobs(kernel.workload!, target, kernel.schedule!), where).toBeUndefined();
    scheduled += 1;
  }
  return scheduled;
}

describe("choose-schedules: the default choice", () => {
  it("gives a kernel only one kind computes that kind's default, and the others the cost model's pick", () => {
    const kernels = choose(scheduleTestNetwork());
    expect(kindsOf(kernels)[1]).toBeNull();
    for (const kernel of kernels.kernels) {
      if (kernel.schedule === undefined) continue;
      const legal = kindsForWorkload(kernel.workload!, PORTABLE_TARGET).filter((entry) => entry.illegal === undefined);
      if (legal.length === 1) {
        expect(kernel.schedule).toEqual(legal[0]!.definition.defaultSchedule(kernel.workload!, PORTABLE_TARGET));
        expect(kernel.scheduleReason).toBe(`${kernel.schedule.kind}: the only schedule kind that computes this ${kernel.workload!.op}`);
      } else {
        expect(kernel.schedule).toEqual(modelChoice(kernel.workload!, PORTABLE_TARGET).schedule);
        expect(kernel.scheduleReason).toMatch(new RegExp(`^${kernel.schedule.kind}: the cost model's pick of \\d+ legal kinds at their default knobs \\(`));
      }
    }
    expect(kernels.kernels[4]!.schedule!.kind).toBe("gemm");
  });

  it("is pure: the input kernel graph is not modified", () => {
    const input = lowerToKernels(scheduleTestNetwork());
    const before = JSON.stringify(input.kernels);
    chooseSchedules(input, { batch: 1, target: PORTABLE_TARGET, constantWeights: true, requests: { forced: { all: "direct", layers: { l0: "im2col" } } } });
    expect(JSON.stringify(input.kernels)).toBe(before);
  });

  it("puts the batch in each kernel's workload", () => {
    const [one, many] = [1, 64].map((batch) => choose(scheduleTestNetwork(), {}, batch).kernels[0]!.workload);
    expect(one).toMatchObject({ op: "conv", conv: { batch: 1 } });
    expect(many).toMatchObject({ op: "conv", conv: { batch: 64 } });
  });

  it("gives a pooled conv the direct kind with the pooled block rule", () => {
    const graph = chainGraph([3, 16, 16], [conv2d({ out: 16, kernel: 3, padding: 1 }), pool2d({ kind: "max", window: 2 })]);
    const fused = fuseConvPool(lowerToKernels(graph), {}, 8);
    const kernel = chooseSchedules(fused, { batch: 1, target: PORTABLE_TARGET, constantWeights: true }).kernels[0]!;
    expect(kernel.pool).toBeDefined();
    expect(kernel.schedule).toEqual({ kind: "direct", outputChannelsPerInvocation: 8, pixelsPerInvocation: 2, workgroupSize: 64 });
    expect(kernel.scheduleReason).toBe(
      "direct: it computes a pooled output, which only the direct kernel does (8 channels x 2 pooled pixels of 4 conv pixels each per invocation)",
    );
  });

  for (const batch of [1, 64]) {
    it(`gives every conv and fc kernel of every example a valid schedule at batch ${batch}`, () => {
      const examples = ["alexnet", "fashion_cnn", "googlenet", "lenet5", "lenet5_fashion", "resnet18", "resnet34", "textcnn", "vgg16", "vgg19", "zfnet"];
      for (const name of examples) {
        const scheduled = expectValidSchedules(buildKernelGraph(compileExample(`${name}.cnn`), { batch, verify: true }));
        expect(scheduled, name).toBeGreaterThan(0);
      }
    });
  }

  it("gives a training step's backward convolutions and matrix products a workload", () => {
    const graph = buildTrainingKernelGraph(compileExample("lenet5.cnn"), { batch: 8, loss: "cross_entropy", optimizer: { kind: "sgd" } });
    expectValidSchedules(graph);
    const ops = new Set(graph.kernels.flatMap((kernel) => (kernel.anchor === "training" && kernel.workload !== undefined ? [kernel.workload.op] : [])));
    expect([...ops].sort()).toEqual(["conv_backward_data", "conv_backward_filter", "fc_backward_data", "fc_backward_weight"]);
    for (const kernel of graph.kernels) if (kernel.workload !== undefined && kernel.anchor !== "training") expect(kernel.workload).toMatchObject({ constantWeights: false });
  });
});

describe("choose-schedules: forced kinds", () => {
  it("applies --schedule to every layer whose op the kind computes, per-layer entries winning", () => {
    expect(kindsOf(choose(scheduleTestNetwork(), { forced: { all: "direct", layers: { l3: "im2col" } } }))).toEqual(["direct", null, "direct", "im2col", "gemm"]);
    const overridden = choose(scheduleTestNetwork(), { forced: { layers: { l2: "im2col" } } });
    // A forced kind gets that kind's default for the kernel's workload.
    expect(overridden.kernels[2]!.schedule).toEqual(scheduleKind("im2col")!.defaultSchedule(overridden.kernels[2]!.workload!, PORTABLE_TARGET));
    expect(overridden.kernels[2]!.schedule).toMatchObject({ kind: "im2col", tileM: 4, tileN: 16, vectorWidth: 4, workgroupSize: 64 });
    expect(overridden.kernels[2]!.scheduleReason).toBe("im2col: asked for with --schedule");
  });

  it("refuses gemm on a 3x3 conv, naming the layer, why, and the legal kinds", () => {
    const error = userError(() => choose(scheduleTestNetwork(), { forced: { layers: { l0: "gemm" } } }));
    expect(error.message).toBe("layer `l0` cannot run as `gemm` (asked for with --schedule): gemm computes 1x1 convs as a plain GEMM; this kernel is 3x3");
    expect(error.hint).toBe("schedules legal for `l0`: `direct`, `im2col`, `implicit_gemm`, `winograd`");
  });

  it("refuses im2col on a conv computing a pooled output: only direct is legal", () => {
    const graph = chainGraph([3, 16, 16], [conv2d({ out: 16, kernel: 3, padding: 1 }), pool2d({ kind: "max", window: 2 })]);
    const fused = fuseConvPool(lowerToKernels(graph), {}, 8);
    const error = userError(() => chooseSchedules(fused, { batch: 1, target: PORTABLE_TARGET, constantWeights: true, requests: { forced: { layers: { l0: "im2col" } } } }));
    expect(error.message).toBe("layer `l0` cannot run as `im2col` (asked for with --schedule): computes a pooled output, which only direct does");
    expect(error.hint).toBe("schedules legal for `l0`: `direct`");
  });

  it("leaves a conv forced to a kind other than direct unfused from its pool, so the kind applies", () => {
    const graph = chainGraph([3, 16, 16], [conv2d({ out: 16, kernel: 3, padding: 1 }), pool2d({ kind: "max", window: 2 })]);
    const kernels = buildKernelGraph(graph, { schedule: { layers: { l0: "im2col" } }, verify: true });
    expect(kernels.kernels[0]!.pool).toBeUndefined();
    expect(kernels.kernels[0]!.schedule?.kind).toBe("im2col");
  });

  it("applies a layer's annotation, and reports an illegal one at the annotation's place", () => {
    const annotated = (kind: string): Graph => {
      const graph = compileText("network A {\n  input x: 8x10x10\n  c = conv(16, 3)\n  f = fc(4)\n}\n");
      const span = { ...graph.nodes[1]!.span, file: "a.cnn", startLine: 3, startColumn: 7 };
      graph.nodes[1]!.scheduleAnnotation = { kind, span };
      return graph;
    };
    const direct = buildKernelGraph(annotated("direct"));
    expect(direct.kernels[0]!.schedule?.kind).toBe("direct");
    expect(direct.kernels[0]!.scheduleReason).toBe("direct: asked for with the annotation at a.cnn:3:7");
    const illegal = userError(() => buildKernelGraph(annotated("gemm")));
    expect(illegal.describe()).toBe(
      "a.cnn:3:7: error: layer `c` cannot run as `gemm` (asked for with the annotation at a.cnn:3:7): gemm computes 1x1 convs as a plain GEMM; this kernel is 3x3\n" +
        "  = help: schedules legal for `c`: `direct`, `im2col`, `implicit_gemm`, `winograd`",
    );
    const unknown = userError(() => buildKernelGraph(annotated("drect")));
    expect(unknown.message).toBe("layer `c` is annotated with an unknown schedule `drect`");
    expect(unknown.hint).toContain("did you mean `direct`?");
    // The command line's per-layer entry wins over the annotation.
    expect(buildKernelGraph(annotated("gemm"), { schedule: { layers: { c: "im2col" } } }).kernels[0]!.schedule?.kind).toBe("im2col");
  });
});

describe("choose-schedules: exact and tuned schedules", () => {
  const exact = { kind: "direct", outputChannelsPerInvocation: 4, pixelsPerInvocation: 2, workgroupSize: 128 };

  it("applies an exact schedule as given", () => {
    const kernel = choose(scheduleTestNetwork(), { exact: { l0: exact } }).kernels[0]!;
    expect(kernel.schedule).toEqual(exact);
    expect(kernel.scheduleReason).toBe("direct: an exact schedule was requested");
  });

  it("treats an exact schedule its kind rejects as an internal error", () => {
    const run = (schedule: typeof exact) => () => choose(scheduleTestNetwork(), { exact: { l0: schedule } });
    // 3 channels per invocation do not divide l0's 32 filters.
    expect(run({ ...exact, outputChannelsPerInvocation: 3 })).toThrow(/internal: the exact schedule requested for l0 cannot run: 3 channels per invocation do not divide/);
    expect(run({ ...exact, outputChannelsPerInvocation: 3 })).not.toThrow(CnncUserError);
    const small: Target = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeInvocationsPerWorkgroup: 64 } };
    expect(() => choose(scheduleTestNetwork(), { exact: { l0: exact } }, 1, small)).toThrow(/a workgroup of 128 invocations is more than the 64 the target allows/);
  });

  it("uses a tuned schedule for the kernel's workload key, and skips one that cannot run", () => {
    const keys: string[] = [];
    const tuned = choose(scheduleTestNetwork(), {
      tuned: (key) => {
        keys.push(key);
        return key.includes('"K":32') && key.includes('"groups":1') ? exact : undefined;
      },
    });
    expect(keys).toEqual(tuned.kernels.flatMap((kernel) => (kernel.workload === undefined ? [] : [workloadKey(kernel.workload)])));
    expect(tuned.kernels[0]!.schedule).toEqual(exact);
    expect(tuned.kernels[0]!.scheduleReason).toBe("direct: tuned on this adapter (the fastest measured)");
    const stale = choose(scheduleTestNetwork(), { tuned: () => ({ ...exact, outputChannelsPerInvocation: 3 }) });
    // A tuned schedule that cannot run is skipped: every kernel gets its default choice.
    expect(stale.kernels.map((kernel) => kernel.schedule)).toEqual(choose(scheduleTestNetwork()).kernels.map((kernel) => kernel.schedule));
    expect(stale.kernels[0]!.scheduleReason).not.toMatch(/tuned/);
  });
});

describe("the target's limits", () => {
  const wideAdd = (): Graph => {
    const names = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const branches = names.map((name, i) => `  ${name} = x -> ${i % 2 === 0 ? "relu" : "tanh"}`).join("\n");
    return compileText(`network Wide {\n  input x: 4x6x6\n${branches}\n  s = add(${names.join(", ")})\n}\n`);
  };
  /** Kernels computing (part of) the add `s`: its partial sums and the kernel implementing it. */
  const addKernels = (graph: KernelGraph): number => {
    const add = graph.source.nodes.find((node) => node.name === "s")!.id;
    return graph.kernels.filter((kernel) => kernel.partialOf === add || kernel.layers.includes(add)).length;
  };

  it("splits a 12-operand add into partial sums on the portable target, and fuses it in one kernel where 16 bindings are allowed", () => {
    const wide: Target = { ...PORTABLE_TARGET, adapter: "wide", limits: { ...PORTABLE_TARGET.limits, maxStorageBuffersPerShaderStage: 16 } };
    expect(addKernels(buildKernelGraph(wideAdd(), { fuse: false, verify: true }))).toBe(2);
    expect(addKernels(buildKernelGraph(wideAdd(), { fuse: false, verify: true, target: wide }))).toBe(1);
    expect(addKernels(buildKernelGraph(wideAdd(), { verify: true }))).toBe(2);
    expect(addKernels(buildKernelGraph(wideAdd(), { verify: true, target: wide }))).toBe(1);
  });

  it("keeps default workgroups within a target's invocation limit", () => {
    const small: Target = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeInvocationsPerWorkgroup: 32 } };
    const kernels = choose(scheduleTestNetwork(), {}, 1, small);
    expectValidSchedules(kernels, small);
    expect(kernels.kernels[0]!.schedule?.["workgroupSize"]).toBe(32);
    // The training step's backward kernels too (their kinds' defaults were 64 whatever the target).
    const training = buildTrainingKernelGraph(compileExample("lenet5.cnn"), { batch: 8, loss: "cross_entropy", optimizer: { kind: "sgd" }, target: small });
    const backward = training.kernels.filter((kernel) => kernel.anchor === "training" && kernel.schedule !== undefined);
    expect(backward.length).toBeGreaterThan(0);
    for (const kernel of backward) {
      expect(scheduleKind(kernel.schedule!.kind)!.illegalKnobs(kernel.workload!, small, kernel.schedule!)).toBeUndefined();
      expect(kernel.schedule!["workgroupSize"]).toBeLessThanOrEqual(32);
    }
  });
});
