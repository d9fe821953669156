import { totalmem } from "node:os";

import { describe, expect, it } from "vitest";

import { expectedWeights, fanIn, initWeights, randomNormalTensor, SeededRandom } from "../../runtime/init.js";
import { CnncUserError } from "../../src/errors.js";
import { hostArrayLimit } from "../../src/hostLimits.js";
import type { Graph, Node, OpAttrs, ParamSpec } from "../../src/ir/graph.js";
import { userError } from "../support/userError.js";

const span = { file: "net.cnn", startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

function node(id: number, name: string, attrs: OpAttrs, params: ParamSpec[]): Node {
  return { id, name, attrs, inputs: id === 0 ? [] : [id - 1], shape: [1], params, paramCount: 0, macs: 0, activations: 0, span };
}

const conv = {
  op: "conv",
  spatialRank: 2,
  outChannels: 64,
  kernel: [3, 3],
  stride: [1, 1],
  dilation: [1, 1],
  padding: { top: 1, bottom: 1, left: 1, right: 1 },
  paddingMode: "zeros",
  groups: 2,
  bias: true,
} as const satisfies OpAttrs;

/** input -> conv (64 filters over 32 channels in 2 groups, 3x3) -> batchnorm -> fc 10. */
const graph: Graph = {
  name: "tiny",
  inputs: [0],
  outputs: [3],
  nodes: [
    node(0, "x", { op: "input" }, []),
    node(1, "c1", conv, [
      { name: "weight", shape: [64, 16, 3, 3], trainable: true, init: "kaiming" },
      { name: "bias", shape: [64], trainable: true, init: "uniform_fan_in" },
    ]),
    node(2, "bn1", { op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [
      { name: "weight", shape: [64], trainable: true, init: "ones" },
      { name: "bias", shape: [64], trainable: true, init: "zeros" },
      { name: "running_mean", shape: [64], trainable: false, init: "zeros" },
      { name: "running_var", shape: [64], trainable: false, init: "ones" },
    ]),
    node(3, "fc", { op: "fc", outFeatures: 10, bias: true }, [
      { name: "weight", shape: [10, 4096], trainable: true, init: "kaiming" },
      { name: "bias", shape: [10], trainable: true, init: "uniform_fan_in" },
    ]),
  ],
};

/** Bitwise equality of two float arrays (vitest's deep equality is slow on large typed arrays). */
function same(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (a === undefined || b === undefined) throw new Error("missing tensor");
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function std(values: Float32Array): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

describe("initWeights", () => {
  it("names every parameter as PyTorch does, with its shape", () => {
    expect(expectedWeights(graph)).toEqual([
      { name: "c1.weight", shape: [64, 16, 3, 3] },
      { name: "c1.bias", shape: [64] },
      { name: "bn1.weight", shape: [64] },
      { name: "bn1.bias", shape: [64] },
      { name: "bn1.running_mean", shape: [64] },
      { name: "bn1.running_var", shape: [64] },
      { name: "fc.weight", shape: [10, 4096] },
      { name: "fc.bias", shape: [10] },
    ]);
    const weights = initWeights(graph, 0);
    expect([...weights].map(([name, tensor]) => ({ name, shape: tensor.shape }))).toEqual(expectedWeights(graph));
  });

  it("is deterministic: the same seed gives the same weights, another seed different ones", () => {
    const first = initWeights(graph, 42);
    const again = initWeights(graph, 42);
    const other = initWeights(graph, 43);
    for (const name of ["c1.weight", "c1.bias", "fc.weight"]) {
      expect(same(again.get(name)?.data, first.get(name)?.data)).toBe(true);
      expect(same(other.get(name)?.data, first.get(name)?.data)).toBe(false);
    }
    // Values are pinned so a change to the generator is noticed (it would change every run's results).
    expect(Array.from(first.get("c1.weight")?.data.slice(0, 3) ?? [])).toMatchInlineSnapshot(`
      [
        0.06092260777950287,
        -0.010858457535505295,
        0.15277691185474396,
      ]
    `);
  });

  it("uses Kaiming normal for weights: mean 0, std sqrt(2 / fan_in), fan_in = C/groups * kH * kW", () => {
    const weights = initWeights(graph, 7);
    expect(fanIn(graph.nodes[1] as Node)).toBe(16 * 3 * 3);
    const convWeight = weights.get("c1.weight")?.data ?? new Float32Array();
    expect(std(convWeight)).toBeCloseTo(Math.sqrt(2 / 144), 2);
    const fcWeight = weights.get("fc.weight")?.data ?? new Float32Array();
    expect(std(fcWeight)).toBeCloseTo(Math.sqrt(2 / 4096), 3);
    expect(Math.abs(fcWeight.reduce((sum, value) => sum + value, 0) / fcWeight.length)).toBeLessThan(0.001);
  });

  it("uses PyTorch's bias init U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and batchnorm's constants", () => {
    const weights = initWeights(graph, 7);
    const bias = Array.from(weights.get("c1.bias")?.data ?? []);
    const bound = 1 / Math.sqrt(144);
    expect(Math.max(...bias.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...bias)).toBeGreaterThan(bound / 2);
    expect(Math.min(...bias)).toBeLessThan(-bound / 2);
    expect(Array.from(weights.get("bn1.weight")?.data ?? [])).toEqual(new Array(64).fill(1));
    expect(Array.from(weights.get("bn1.bias")?.data ?? [])).toEqual(new Array(64).fill(0));
    expect(Array.from(weights.get("bn1.running_mean")?.data ?? [])).toEqual(new Array(64).fill(0));
    expect(Array.from(weights.get("bn1.running_var")?.data ?? [])).toEqual(new Array(64).fill(1));
  });

  it("gives each tensor its own stream: a tensor's values depend on the seed and its name only", () => {
    const renamed: Graph = { ...graph, nodes: graph.nodes.map((n) => (n.name === "c1" ? { ...n, name: "conv_a" } : n)) };
    const before = initWeights(graph, 5);
    const after = initWeights(renamed, 5);
    expect(same(after.get("fc.weight")?.data, before.get("fc.weight")?.data)).toBe(true);
    expect(same(after.get("conv_a.weight")?.data, before.get("c1.weight")?.data)).toBe(false);
  });

  it("rejects a seed that is not an integer", () => {
    expect(() => initWeights(graph, 1.5)).toThrow(CnncUserError);
    expect(() => initWeights(graph, 1.5)).toThrow("the seed must be an integer, got 1.5");
  });
});

describe("SeededRandom", () => {
  it("draws standard normals and uniforms with the right moments", () => {
    const random = new SeededRandom(123, "moments");
    const normals = Float32Array.from({ length: 200_000 }, () => random.normal());
    expect(std(normals)).toBeCloseTo(1, 2);
    const uniforms = Array.from({ length: 100_000 }, () => random.uniform());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(uniforms.reduce((sum, value) => sum + value, 0) / uniforms.length).toBeCloseTo(0.5, 2);
  });

  it("fillNormal draws the same sequence as repeated normal() calls", () => {
    const one = new SeededRandom(9, "s");
    const bulk = new SeededRandom(9, "s");
    const first = new Float32Array(5);
    const second = new Float32Array(6);
    bulk.fillNormal(first, 2);
    bulk.fillNormal(second, 2);
    const expected = Array.from({ length: 11 }, () => Math.fround(one.normal() * 2));
    expect([...first, ...second]).toEqual(expected);
  });

  it("handles large and negative seeds distinctly", () => {
    const draw = (seed: number): number[] => Array.from(randomNormalTensor([4], seed, "input").data);
    expect(draw(2 ** 40)).not.toEqual(draw(0));
    expect(draw(-1)).not.toEqual(draw(2 ** 32 - 1));
    expect(draw(2 ** 40)).toEqual(draw(2 ** 40));
  });
});

describe("initialization sizes", () => {
  /** input -> fc with an `outFeatures` x 192 weight (built by hand: shape inference is not the point). */
  function wideFc(outFeatures: number, count = 1): Graph {
    const nodes: Node[] = [node(0, "x", { op: "input" }, [])];
    for (let i = 1; i <= count; i++) {
      nodes.push(
        node(i, `fc${i}`, { op: "fc", outFeatures, bias: false }, [{ name: "weight", shape: [outFeatures, 192], init: "kaiming", trainable: true }]),
      );
    }
    return { name: "wide", inputs: [0], outputs: [count], nodes };
  }

  it("refuses a weight past one host array before drawing anything", () => {
    const error = userError(() => initWeights(wideFc(100_000_000), 0));
    expect(error.message).toMatch(/^weight fc1\.weight \[100000000, 192\] needs 19,200,000,000 float32 values \(71\.5 GiB\); one array/);
    expect(error.hint).toBe("weights do not depend on the batch: give fc1 fewer channels or features, or a smaller input");
  });

  it("refuses weights that fit one by one but not together in the machine's memory", () => {
    const perWeight = Math.min(hostArrayLimit("float32").elements, Math.floor(totalmem() / 4));
    const outFeatures = Math.floor(perWeight / 192);
    const count = Math.ceil(totalmem() / (outFeatures * 192 * 4)) + 1;
    expect(userError(() => initWeights(wideFc(outFeatures, count), 0)).message).toMatch(/^the weights of wide need .* in all, more than this machine's memory/);
  });

  it("checks a random tensor's size", () => {
    expect(userError(() => randomNormalTensor([100_000, 100_000, 3], 0, "input:x")).message).toMatch(
      /^random tensor input:x \[100000, 100000, 3\] needs 30,000,000,000 float32 values/,
    );
  });
});
