// The NaN/Inf detector: counting and locating non-finite values in a tensor, judging the reference's
// value at a layer (overflow, non-finite, finite), and finding the first layer of a network that
// produces NaN/Inf by re-running it layer by layer on the GPU (a real session, llvmpipe).
import { afterAll, describe, expect, it } from "vitest";

import {
  describeNonFinite,
  judgeReferenceValue,
  locateFirstNonFinite,
  nonFiniteCount,
  scanNonFinite,
  unravelIndex,
} from "../../runtime/nonFinite.js";
import { createSession, type Session } from "../../runtime/session.js";
import type { OpAttrs } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { chainGraph, conv2d, randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";

describe("scanNonFinite and describeNonFinite", () => {
  it("counts NaN, +Inf and -Inf and finds the first, and the largest finite |value|", () => {
    const scan = scanNonFinite([1, -7, Infinity, Number.NaN, -Infinity, Number.NaN, 3]);
    expect(scan).toEqual({ elements: 7, nan: 2, positiveInfinity: 1, negativeInfinity: 1, firstIndex: 2, largestFinite: 7 });
    expect(nonFiniteCount(scan)).toBe(4);
    expect(describeNonFinite(scan)).toBe("2 NaN, 1 +Inf and 1 -Inf of 7 values (the first at index 2)");
    expect(describeNonFinite(scan, [1, 7])).toBe("2 NaN, 1 +Inf and 1 -Inf of 7 values (the first at [0, 2])");
  });

  it("says so when everything is finite", () => {
    const scan = scanNonFinite(new Float32Array([0, -2.5, 1e38]));
    expect(scan.firstIndex).toBeUndefined();
    expect(nonFiniteCount(scan)).toBe(0);
    expect(scan.largestFinite).toBeCloseTo(1e38, -31);
    expect(describeNonFinite(scan)).toBe("no NaN or Inf");
  });

  it("turns a flat index into a row-major position", () => {
    expect(unravelIndex(0, [2, 3, 4])).toEqual([0, 0, 0]);
    expect(unravelIndex(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravelIndex(13, [2, 3, 4])).toEqual([1, 0, 1]);
  });
});

describe("judgeReferenceValue", () => {
  it("tells float32 overflow from finite values and from the reference's own NaN/Inf", () => {
    expect(judgeReferenceValue(new Float64Array([1, -4.1e39]))).toEqual({ kind: "overflow", largest: 4.1e39 });
    // Just above float32's largest value, but rounding to it: not an overflow.
    expect(judgeReferenceValue(new Float64Array([3.4028235e38]))).toMatchObject({ kind: "finite" });
    expect(judgeReferenceValue(new Float64Array([2, 3]))).toEqual({ kind: "finite", largest: 3 });
    expect(judgeReferenceValue(new Float64Array([2, Number.NaN]))).toMatchObject({ kind: "non-finite", scan: { nan: 1, firstIndex: 1 } });
  });
});

describe("locateFirstNonFinite on the GPU", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((session) => session.destroy()));
  const random = seededRandom(77);

  const ops: OpAttrs[] = [
    conv2d({ out: 3, kernel: 3, padding: 1 }),
    { op: "relu" },
    { op: "batchnorm", eps: 1e-5, momentum: 0.1 },
    { op: "flatten" },
    { op: "fc", outFeatures: 4, bias: true },
    { op: "softmax" },
  ];
  const graph = chainGraph([2, 5, 5], ops);

  async function open(runningVar: number): Promise<Session> {
    const weights = randomWeights(graph, random);
    weights.get("l2.running_var")!.data.fill(runningVar);
    const session = await createSession(graph, { gpu: await testGpu(), weights });
    sessions.push(session);
    return session;
  }

  it("names the first layer whose output holds NaN while its inputs are finite", async () => {
    // sqrt(-1 + eps) is NaN: batchnorm l2 produces it, fc l4 and softmax l5 carry it on.
    const session = await open(-1);
    const inputs = new Map([["x", randomTensor([2, 2, 5, 5], random)]]);
    const origin = await locateFirstNonFinite(session, inputs);
    expect(origin?.kind).toBe("layer");
    expect(origin?.node.name).toBe("l2");
    expect(origin?.shape).toEqual([2, 3, 5, 5]);
    expect(origin?.scan).toMatchObject({ nan: 150, elements: 150, firstIndex: 0 });
    const reference = runReference(graph, inputs, session.weights, { keep: "all" }).values!.get(origin!.node.id)!;
    expect(judgeReferenceValue(reference).kind).toBe("non-finite");
  });

  it("says the input itself holds NaN/Inf, and finds nothing in a finite run", async () => {
    const session = await open(1);
    const input = randomTensor([1, 2, 5, 5], random);
    expect(await locateFirstNonFinite(session, new Map([["x", input]]))).toBeUndefined();
    input.data[7] = -Infinity;
    const origin = await locateFirstNonFinite(session, new Map([["x", input]]));
    expect(origin).toMatchObject({ kind: "input", shape: [1, 2, 5, 5], scan: { negativeInfinity: 1, firstIndex: 7 } });
    expect(origin?.node.name).toBe("x");
  });

  it("runLayerByLayer reads every kernel's value back in plan order, matching the reference, and stops when asked", async () => {
    const session = await open(1);
    const inputs = new Map([["x", randomTensor([2, 2, 5, 5], random)]]);
    const reference = runReference(graph, inputs, session.weights, { keep: "all" }).values!;
    const visited: string[] = [];
    await session.runLayerByLayer(inputs, (node, value) => {
      visited.push(graph.nodes[node]!.name);
      const expected = reference.get(node)!;
      const worst = expected.reduce((largest, x, i) => Math.max(largest, Math.abs(x - value[i]!)), 0);
      expect(worst, graph.nodes[node]!.name).toBeLessThan(1e-4);
      return true;
    });
    // The flatten (l3) is a view: no kernel, not visited.
    expect(visited).toEqual(["l0", "l1", "l2", "l4", "l5"]);
    const stopped: number[] = [];
    await session.runLayerByLayer(inputs, (node) => stopped.push(node) < 2);
    expect(stopped).toEqual([1, 2]);
  });
});
