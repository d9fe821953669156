// The memory planner and its validator: values whose lifetimes do not overlap share buffers, in-place
// elementwise kernels take their operand's buffer, and the validator catches every kind of overlap.
import { describe, expect, it } from "vitest";
import { shapeSize } from "../../src/ir/graph.js";
import { planMemory, validateMemoryPlan, valueBytes, type MemoryPlan } from "../../src/kernels/memoryPlan.js";
import { compilePlan } from "../../src/pipeline.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { exampleKernels, kernelsOf } from "./kernelHelpers.js";

const EXAMPLES = ["lenet5.cnn", "fashion_cnn.cnn", "resnet18.cnn", "googlenet.cnn", "vgg16.cnn", "alexnet.cnn", "textcnn.cnn", "zfnet.cnn"];

function clone(plan: MemoryPlan): MemoryPlan {
  return {
    batch: plan.batch,
    slots: plan.slots.map((slot) => ({ ...slot, values: slot.values.slice() })),
    placement: new Map(plan.placement),
    inPlace: new Set(plan.inPlace),
  };
}

describe("planMemory", () => {
  for (const name of EXAMPLES) {
    for (const fuse of [true, false]) {
      it(`${name} (${fuse ? "fused" : "--no-fuse"}): the plan validates and uses less than one buffer per value`, () => {
        const graph = exampleKernels(name, { fuse });
        const plan = planMemory(graph, 2);
        expect(validateMemoryPlan(graph, plan)).toEqual([]);
        const perValue = [...plan.placement.keys()].reduce((total, value) => total + valueBytes(graph, value, 2), 0);
        const planned = plan.slots.reduce((total, slot) => total + slot.bytes, 0);
        expect(planned).toBeLessThan(perValue);
      });
    }
  }

  it("VGG-16 at batch 1 plans at most twice its largest activation", () => {
    const graph = compileExample("vgg16.cnn");
    const { plan } = compilePlan(graph, 1, { verify: true });
    const largest = Math.max(...graph.nodes.map((node) => shapeSize(node.shape))) * 4;
    expect(plan.memory.plannedActivationBytes).toBeLessThanOrEqual(2 * largest);
    expect(plan.memory.perValueActivationBytes).toBeGreaterThan(plan.memory.plannedActivationBytes);
  });

  it("an elementwise kernel after a pool runs in place on the pool's buffer", () => {
    const graph = kernelsOf(`network N {
      input x: 4x8x8
      conv(4, 3, pad=1) -> maxpool(2) as p -> sigmoid as s -> conv(2, 1)
    }`, { schedule: { all: "im2col" } });
    const plan = planMemory(graph, 1);
    expect(validateMemoryPlan(graph, plan)).toEqual([]);
    const sigmoid = graph.kernels.find((kernel) => kernel.anchor === "elementwise")!;
    expect(plan.inPlace.has(sigmoid.id)).toBe(true);
    expect(plan.placement.get(sigmoid.output)).toEqual(plan.placement.get(sigmoid.inputs[0]!));
  });
});

describe("validateMemoryPlan", () => {
  const graph = exampleKernels("resnet18.cnn");
  const good = planMemory(graph, 1);

  it("reports two live values sharing a slot", () => {
    const bad = clone(good);
    // Put every value in slot 0.
    for (const [value, placement] of bad.placement) if (placement.kind === "slot") bad.placement.set(value, { kind: "slot", slot: 0 });
    bad.slots = [{ id: 0, bytes: Math.max(...bad.slots.map((slot) => slot.bytes)), values: bad.slots.flatMap((slot) => slot.values) }];
    expect(validateMemoryPlan(graph, bad).join("\n")).toMatch(/live at the same time/);
  });

  it("reports a slot smaller than a value it holds", () => {
    const bad = clone(good);
    bad.slots[0]!.bytes = 4;
    expect(validateMemoryPlan(graph, bad).join("\n")).toMatch(/is smaller than the value/);
  });

  it("reports a kernel writing over a value it reads (a residual)", () => {
    const bad = clone(good);
    const kernel = graph.kernels.find((candidate) => candidate.epilogue.some((stage) => stage.kind === "add"))!;
    const residual = kernel.epilogue.find((stage) => stage.kind === "add")!;
    if (residual.kind !== "add") throw new Error("unreachable");
    bad.placement.set(kernel.output, bad.placement.get(residual.value)!);
    expect(validateMemoryPlan(graph, bad).join("\n")).toMatch(/writes over .* which it reads/);
  });

  it("reports a value with no buffer", () => {
    const bad = clone(good);
    bad.placement.delete(graph.kernels[0]!.output);
    expect(validateMemoryPlan(graph, bad).join("\n")).toMatch(/has no buffer/);
  });
});
