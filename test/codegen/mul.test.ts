// mul on the GPU against the CPU reference: same shapes and per-channel gates ([C], [C, 1, 1], [C, 1]),
// on its own (an elementwise kernel with a mul stage) and fused into the epilogue of the conv producing
// the multiplied value, with NaN and Inf in either operand. Tolerance: FLOAT32_TOLERANCE.
import { describe, expect, it } from "vitest";
import type { Shape } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import { compileText, kernelShapes, kernelsOf } from "../kernels/kernelHelpers.js";
import { randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

const random = seededRandom(4242);
const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

/** NaN, +Inf and -Inf at a few places of `data`. */
function sprinkle(data: Float32Array): Float32Array {
  const specials = [Number.NaN, Infinity, -Infinity];
  for (let i = 0; i < data.length; i += 7) data[i] = specials[i % 3]!;
  return data;
}

async function checkMul(value: Shape, gate: Shape, batch: number, nonFinite = false): Promise<void> {
  const graph = singleOpGraph({ op: "mul" }, [value, gate]);
  const inputs = new Map([
    ["x0", randomTensor([batch, ...value], random, -3, 3)],
    ["x1", randomTensor([batch, ...gate], random, -2, 2)],
  ]);
  if (nonFinite) for (const tensor of inputs.values()) sprinkle(tensor.data);
  await expectGpuMatchesReference(graph, inputs, randomWeights(graph, random), `mul of ${JSON.stringify(value)} by ${JSON.stringify(gate)} x${batch}`);
}

describe("mul kernel", () => {
  it("multiplies same shapes and per-channel gates on random shapes", async () => {
    for (let trial = 0; trial < 4; trial++) {
      const [C, H, W, L, batch] = [between(1, 9), between(1, 7), between(1, 7), between(2, 30), between(1, 3)];
      await checkMul([C, H, W], [C, H, W], batch);
      await checkMul([C, H, W], [C, 1, 1], batch);
      await checkMul([C, H, W], [C], batch);
      await checkMul([C, L], [C, 1], batch);
      await checkMul([C * L], [C * L], batch);
    }
  });

  it("keeps NaN and gives IEEE products of Inf (Inf * 0 is NaN) in either operand", async () => {
    await checkMul([4, 5, 6], [4, 1, 1], 2, true);
    await checkMul([4, 5, 6], [4, 5, 6], 2, true);
  });
});

const SE_BLOCK = `network SE {
  input x: 6x7x5
  y = conv(6, 3, pad=1) as c1 -> hardswish
  gate = y -> global_avgpool -> fc(3) as squeeze -> relu -> fc(6) as excite -> hardsigmoid
  mul(y, gate) -> conv(4, 1) as project
}`;

describe("mul in a network", () => {
  it("a squeeze-and-excitation block: the mul is a kernel of its own, as its value is read twice", async () => {
    const graph = kernelsOf(SE_BLOCK);
    expect(kernelShapes(graph)).toEqual([
      "conv[c1+y.hardswish]",
      "global_pool[gate]",
      "fc[squeeze+gate.relu]",
      "fc[excite+gate.hardsigmoid]",
      "elementwise[mul1]",
      "conv[project]",
    ]);
    expect(graph.notes.find((note) => !note.fused && graph.source.nodes[note.layer]!.name === "mul1")?.text).toMatch(/the gate\) of mul1|also read by another kernel/);
    const network = compileText(SE_BLOCK);
    // Unfused: a kernel per layer (the two activations after convs and the relu and hardsigmoid apart).
    expect(buildPlan(network, 2, { fuse: false }).steps.length).toBe(9);
    await expectGpuMatchesReference(network, new Map([["x", randomTensor([2, 6, 7, 5], random)]]), randomWeights(network, random), "SE block");
  });

  it("squares a value (mul(y, y)) without fusing into y's producer, whose value it reads twice", async () => {
    const source = `network Square {
      input x: 3x5x5
      y = conv(4, 3, pad=1) as c
      mul(y, y)
    }`;
    expect(kernelShapes(kernelsOf(source))).toEqual(["conv[c]", "elementwise[mul1]"]);
    const network = compileText(source);
    await expectGpuMatchesReference(network, new Map([["x", randomTensor([2, 3, 5, 5], random)]]), randomWeights(network, random), "mul(y, y)");
  });

  it("fuses into the conv producing the value it multiplies, and never into the gate's producer", async () => {
    const source = `network Gated {
      input x: 5x6x6
      g = global_avgpool -> fc(4) as f -> sigmoid
      v = x -> conv(4, 3, pad=1) as c
      mul(v, g) -> relu
    }`;
    const graph = kernelsOf(source);
    expect(kernelShapes(graph)).toEqual(["global_pool[g]", "fc[f+g.sigmoid]", "conv[c+mul1+relu1]"]);
    expect(graph.kernels[2]!.epilogue.map((stage) => stage.kind)).toEqual(["bias", "mul", "activation"]);
    expect(graph.notes.find((note) => !note.fused)?.text ?? "").not.toMatch(/add/);
    const network = compileText(source);
    await expectGpuMatchesReference(network, new Map([["x", randomTensor([3, 5, 6, 6], random)]]), randomWeights(network, random), "gated conv");
  });
});
