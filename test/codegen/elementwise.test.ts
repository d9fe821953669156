// Activations, softmax, batchnorm, lrn, add, concat, global pooling and the view ops on the GPU against
// the CPU reference. Tolerance: rtol 1e-4, atol 1e-5 (FLOAT32_TOLERANCE) unless a test states otherwise.
import { describe, expect, it } from "vitest";

import { buildPlan } from "../../src/pipeline.js";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { chainGraph, randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

const random = seededRandom(2024);

async function checkSingleOp(attrs: OpAttrs, shapes: Shape[], batch: number, scale = 1): Promise<void> {
  const graph = singleOpGraph(attrs, shapes.length === 1 ? shapes[0]! : shapes);
  const names = shapes.length === 1 ? ["x"] : shapes.map((_, i) => `x${i}`);
  const inputs = new Map(names.map((name, i) => [name, randomTensor([batch, ...shapes[i]!], random, -scale, scale)]));
  await expectGpuMatchesReference(graph, inputs, randomWeights(graph, random), `${attrs.op} on ${JSON.stringify(shapes)} x${batch}`);
}

describe("activation kernels", () => {
  const activations: OpAttrs[] = [
    { op: "relu" },
    { op: "leaky_relu", alpha: 0.01 },
    { op: "leaky_relu", alpha: 0.3 },
    { op: "elu", alpha: 1 },
    { op: "elu", alpha: 0.5 },
    { op: "tanh" },
    { op: "sigmoid" },
    { op: "relu6" },
    { op: "hardsigmoid" },
    { op: "hardswish" },
    { op: "silu" },
  ];
  it("match the reference on small and large magnitudes", async () => {
    for (const attrs of activations) {
      await checkSingleOp(attrs, [[3, 5, 7]], 2);
      // |x| up to 200: a naive tanh/sigmoid/elu overflows exp and returns NaN or inf here.
      await checkSingleOp(attrs, [[37]], 3, 200);
    }
  });

  it("fold a dispatch of more than 65535 workgroups into two dimensions", async () => {
    const features = 65535 * 64 + 1000;
    const graph = singleOpGraph({ op: "relu" }, [features]);
    const plan = buildPlan(graph, 1);
    expect(plan.steps[0]!.workgroups[1]).toBeGreaterThan(1);
    await expectGpuMatchesReference(graph, new Map([["x", randomTensor([1, features], random)]]), new Map(), "large relu");
  });
});

describe("softmax kernel", () => {
  it("normalizes over channels for features, sequences and images, with large logits", async () => {
    await checkSingleOp({ op: "softmax" }, [[10]], 4, 80);
    await checkSingleOp({ op: "softmax" }, [[1000]], 2, 5);
    await checkSingleOp({ op: "softmax" }, [[7, 9]], 2);
    await checkSingleOp({ op: "softmax" }, [[5, 3, 6]], 3, 30);
  });
});

describe("batchnorm kernel", () => {
  it("normalizes per channel and per feature", async () => {
    await checkSingleOp({ op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [[6, 5, 7]], 3);
    await checkSingleOp({ op: "batchnorm", eps: 1e-3, momentum: 0.1 }, [[13]], 5);
    await checkSingleOp({ op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [[3, 11]], 1);
  });
});

describe("lrn kernel", () => {
  it("matches PyTorch's LocalResponseNorm window at every channel count", async () => {
    for (const size of [1, 2, 3, 5, 6]) {
      await checkSingleOp({ op: "lrn", size, alpha: 1e-4 * 1000, beta: 0.75, k: 2 }, [[7, 4, 5]], 2, 3);
    }
    await checkSingleOp({ op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 1 }, [[3, 9]], 2);
    await checkSingleOp({ op: "lrn", size: 3, alpha: 0.5, beta: 0.5, k: 2 }, [[11]], 3);
  });
});

describe("add and concat kernels", () => {
  it("add any number of values (more than one kernel's worth of bindings)", async () => {
    for (const count of [2, 3, 4, 7]) {
      await checkSingleOp({ op: "add" }, Array.from({ length: count }, () => [5, 3, 3]), 2);
    }
  });

  it("concatenate along channels", async () => {
    await checkSingleOp({ op: "concat" }, [[3, 4, 5], [1, 4, 5], [6, 4, 5]], 2);
    await checkSingleOp({ op: "concat" }, [[7], [2]], 3);
    await checkSingleOp({ op: "concat" }, [[2, 9], [5, 9]], 1);
  });
});

describe("global pooling kernel", () => {
  it("reduces planes smaller and larger than a workgroup", async () => {
    for (const kind of ["max", "avg"] as const) {
      await checkSingleOp({ op: "global_pool", kind }, [[5, 3, 3]], 2);
      await checkSingleOp({ op: "global_pool", kind }, [[3, 17, 13]], 3);
      await checkSingleOp({ op: "global_pool", kind }, [[4, 200]], 1);
    }
  });

  it("folds more than 65535 planes into a 2-D grid", async () => {
    await checkSingleOp({ op: "global_pool", kind: "avg" }, [[33000, 1, 2]], 2);
  });
});

describe("views", () => {
  it("flatten and dropout emit no kernel and alias their input's buffer", async () => {
    const graph = chainGraph([3, 4, 5], [{ op: "relu" }, { op: "dropout", p: 0.5 }, { op: "flatten" }, { op: "softmax" }]);
    const plan = buildPlan(graph, 2);
    expect(plan.steps.map((step) => step.name)).toEqual(["l0.relu", "l3.softmax"]);
    expect(plan.nodeBuffers.get(2)).toBe(plan.nodeBuffers.get(1));
    expect(plan.nodeBuffers.get(3)).toBe(plan.nodeBuffers.get(1));
    await expectGpuMatchesReference(graph, new Map([["x", randomTensor([2, 3, 4, 5], random)]]), new Map(), "relu -> dropout -> flatten -> softmax");
  });

  it("a network whose output is a view reads the viewed buffer", async () => {
    const graph = chainGraph([2, 3], [{ op: "sigmoid" }, { op: "flatten" }]);
    const plan = buildPlan(graph, 3);
    expect(plan.outputs[0]!.buffer).toBe(plan.nodeBuffers.get(1));
    expect(plan.outputs[0]!.shape).toEqual([3, 6]);
    expect(plan.buffers[plan.outputs[0]!.buffer]!.role).toBe("output");
    await expectGpuMatchesReference(graph, new Map([["x", randomTensor([3, 2, 3], random)]]), new Map(), "sigmoid -> flatten");
  });
});
