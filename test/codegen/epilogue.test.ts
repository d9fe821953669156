// The composable epilogue on the GPU: every activation fused after the bias into the conv schedules (direct, im2col, implicit GEMM)
// and the fc kernel, compared with the CPU reference of the unfused conv/fc -> activation chain,
// including pre-activations of magnitude ~100 where naive tanh/sigmoid/elu formulas overflow.
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(reduction length)
// (scaled by the input scale for the large-magnitude cases).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitConv } from "../../src/codegen/conv/conv.js";
import {
  activationExpression,
  activationStage,
  batchnormStage,
  biasStage,
  composeEpilogue,
  residualAddStage,
  scaleShiftStage,
  type EpilogueStage,
} from "../../src/codegen/epilogue.js";
import { emitFc } from "../../src/codegen/fc.js";
import type { ConvScheduleKind } from "../../src/codegen/schedule.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import type { ActivationAttrs, ConvAttrs, OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor } from "../../src/tensor.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { chainGraph, conv2d, randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { EVERY_ACTIVATION, expectClose, runPlan, singleNodePlan, TestPlan, toleranceFor } from "./kernelHarness.js";
import { foldBatchnorm, mapTensor, zipTensors } from "./stageOperands.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());


/** Runs `first` (conv or fc, node l0) with `activation` fused on the GPU; the reference runs l0 -> l1. */
async function checkFused(
  inputShape: Shape,
  first: OpAttrs,
  activation: ActivationAttrs,
  batch: number,
  scale: number,
  seed: number,
  kind?: ConvScheduleKind,
): Promise<void> {
  const graph = chainGraph(inputShape, [first, activation]);
  const node = graph.nodes[1]!;
  // codegen applies no defaults: an fc gets choose-schedules' schedule, a conv the kind asked for.
  if (first.op === "fc" || kind !== undefined) node.schedule = chosenSchedule(graph, node, kind);
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const input = randomTensor([batch, ...inputShape], random, -scale, scale);
  const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("l1")!;
  const plan = singleNodePlan(graph, node.id, batch, (n, context) => {
    const stages = [biasStage(context.paramBuffer("bias")), activationStage(activation)];
    if (first.op === "fc") emitFc(n, context, stages);
    else emitConv(n, context, stages);
  });
  for (const step of plan.steps.filter((s) => !s.name.includes("im2col"))) {
    expect(step.wgsl).toContain(`// ${activation.op}`);
  }
  const actual = await runPlan(gpu, plan, weights, input);
  expect(actual.data.every((value) => Number.isFinite(value)), "no inf/NaN").toBe(true);
  const reduction = first.op === "fc" ? inputShape.reduce((a, b) => a * b, 1) : (inputShape[0]! * 9);
  const { atol, rtol } = toleranceFor(reduction);
  expectClose(actual, expected, { atol: atol * scale, rtol }, `${first.op} + ${activation.op} (scale ${scale})`);
}

const conv: ConvAttrs = conv2d({ out: 6, kernel: 3, stride: 2, padding: 1 });

describe.each(EVERY_ACTIVATION.map((attrs) => [attrs.op, attrs] as const))("epilogue bias -> %s", (_name, activation) => {
  for (const kind of ["direct", "im2col", "implicit_gemm"] as const) {
    it(`conv ${kind}`, async () => {
      await checkFused([5, 9, 7], conv, activation, 2, 1, 11, kind);
    });
  }
  it("fc", async () => {
    await checkFused([3, 4, 3], { op: "fc", outFeatures: 11, bias: true }, activation, 3, 1, 12);
  });
  it("conv direct with pre-activations of magnitude ~100 (no overflow)", async () => {
    await checkFused([5, 9, 7], conv, activation, 1, 60, 13, "direct");
  });
});

type BatchnormStageKind = "scale_shift" | "batchnorm" | "residual";

/**
 * `first` (conv or fc, node l0) with bias, then a batchnorm (folded to scale_shift, or unfolded) or a
 * residual add, then relu, in one kernel. The reference runs l0 -> batchnorm l1 -> relu l2; for the
 * residual, relu(l0 + residual) is formed in float64 from the reference's l0.
 */
async function checkStages(inputShape: Shape, first: OpAttrs, kind: BatchnormStageKind, batch: number, seed: number, schedule?: ConvScheduleKind): Promise<void> {
  const eps = 1e-5;
  const graph = chainGraph(inputShape, [first, { op: "batchnorm", eps, momentum: 0.1 }, { op: "relu" }]);
  const node = graph.nodes[1]!;
  if (first.op === "fc" || schedule !== undefined) node.schedule = chosenSchedule(graph, node, schedule);
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const input = randomTensor([batch, ...inputShape], random);
  const residual = randomTensor([batch, ...node.shape], random);
  const reference = runReference(graph, new Map([["x", input]]), weights, { keep: [node.id] });
  const firstValue: Tensor = { shape: residual.shape, data: Float32Array.from(reference.values!.get(node.id)!) };
  const expected = kind === "residual" ? mapTensor(zipTensors(firstValue, residual, (a, b) => a + b), (v) => Math.max(v, 0)) : reference.outputs.get("l2")!;
  const test = new TestPlan(graph, batch);
  const x = test.input("x", input);
  const output = test.output("y", [batch, ...node.shape]);
  const operands: EpilogueStage[] = [];
  if (kind === "residual") operands.push(residualAddStage(test.data("residual", residual), "0"));
  if (kind === "scale_shift") {
    const { scale, shift } = foldBatchnorm(weights, "l1", eps);
    operands.push(scaleShiftStage(test.data("l1:scale", scale), test.data("l1:shift", shift), "0"));
  }
  if (kind === "batchnorm") {
    const tensor = (name: string): number => test.data(`l1.${name}`, weights.get(`l1.${name}`)!);
    operands.push(batchnormStage({ weight: tensor("weight"), bias: tensor("bias"), runningMean: tensor("running_mean"), runningVar: tensor("running_var") }, eps, "0"));
  }
  test.emit(node, weights, { inputBuffers: [x], outputBuffer: output }, (n, context) => {
    const stages = [biasStage(context.paramBuffer("bias")), ...operands, activationStage({ op: "relu" })];
    if (first.op === "fc") emitFc(n, context, stages);
    else emitConv(n, context, stages);
  });
  const reduction = first.op === "fc" ? inputShape.reduce((a, b) => a * b, 1) : inputShape[0]! * 9;
  const { atol, rtol } = toleranceFor(reduction);
  expectClose((await test.run(gpu)).get("y")!, expected, { atol: 2 * atol, rtol }, `${first.op} + bias + ${kind} + relu`);
}

describe.each(["scale_shift", "batchnorm", "residual"] as const)("epilogue bias -> %s -> relu", (kind) => {
  for (const schedule of ["direct", "im2col", "implicit_gemm"] as const) {
    it(`conv ${schedule}`, async () => {
      await checkStages([5, 9, 7], conv, kind, 2, 21, schedule);
    });
  }
  it("fc", async () => {
    await checkStages([3, 4, 3], { op: "fc", outFeatures: 11, bias: true }, kind, 3, 22);
  });
});

describe("epilogue composition (text)", () => {
  it("names each stage's bindings with its suffix, so stages of one kind can repeat", () => {
    const stages = [scaleShiftStage(1, 2, "0"), residualAddStage(3, "0"), residualAddStage(4, "1"), batchnormStage({ weight: 5, bias: 6, runningMean: 7, runningVar: 8 }, 1e-5, "2")];
    const code = composeEpilogue(stages, ["input", "weight", "output"]);
    expect(code.bindingSpecs.map((spec) => spec.name)).toEqual(["scale0", "shift0", "residual0", "residual1", "bn_weight2", "bn_bias2", "bn_mean2", "bn_var2"]);
    expect(code.functionWgsl).toContain("let stage1 = stage0 * scale0[channel] + shift0[channel]; // scale_shift");
    expect(code.functionWgsl).toContain("let stage3 = stage2 + residual1[index]; // add");
    expect(code.functionWgsl).toContain("let stage4 = (stage3 - bn_mean2[channel]) * (bn_weight2[channel] / sqrt(bn_var2[channel] + 0.00001f)) + bn_bias2[channel]; // batchnorm(eps=0.00001)");
    expect(() => composeEpilogue([residualAddStage(3, "0"), residualAddStage(4, "0")], [])).toThrow(/"residual0" is used twice/);
    expect(() => residualAddStage(3, "c1.x")).toThrow(/suffix "c1.x" is not identifier characters/);
  });

  it("emits one let per stage, in order, and declares stage bindings after the kernel's", () => {
    const code = composeEpilogue([biasStage(7), activationStage({ op: "relu" })], ["input", "weight", "output"]);
    expect(code.functionWgsl).toContain("let stage1 = stage0 + bias[channel]; // bias");
    expect(code.functionWgsl).toContain(
      "let stage2 = select(max(stage1, 0.0f), stage1, ((bitcast<u32>(stage1) & 0x7fffffffu) > 0x7f800000u)); // relu",
    );
    expect(code.functionWgsl).toContain("return stage2;");
    expect(code.kernelBindings).toEqual([{ buffer: 7, access: "read" }]);
    expect(code.description).toBe("bias -> relu");
  });
  it("an empty epilogue returns the value unchanged", () => {
    const code = composeEpilogue([], []);
    expect(code.functionWgsl).toContain("return stage0;");
    expect(code.description).toBe("none");
  });
  it("rejects two stages binding the same name", () => {
    expect(() => composeEpilogue([biasStage(1), biasStage(2)], [])).toThrow(/used twice/);
    expect(() => composeEpilogue([biasStage(1, "weight")], ["weight"])).toThrow(/used twice/);
  });
  it("writes activation parameters as f32 literals, and passes a NaN through (tested on its bits)", () => {
    expect(activationExpression({ op: "leaky_relu", alpha: 0.01 }, "v")).toBe(
      "select(select(0.01f * v, v, v >= 0.0f), v, ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u))",
    );
  });
});
