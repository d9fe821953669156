// The interpreter as a whole: fc's flatten order, add / concat / flatten / dropout, graphs of several
// nodes with keep, batches, and the errors it reports for bad inputs and weights.
import { totalmem } from "node:os";

import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { CnncUserError } from "../../src/errors.js";
import { runReference } from "../../src/reference/interpret.js";
import { makeTensor, type Tensor, type WeightMap } from "../../src/tensor.js";
import { userError } from "../support/userError.js";
import { chainGraph, conv2d, pool2d, randomTensor, randomWeights, seededRandom, singleOpGraph, tensorOf } from "./graphBuilders.js";

function runOp(attrs: OpAttrs, inputShape: Shape, input: Tensor, weights: WeightMap = new Map()): Tensor {
  return runReference(singleOpGraph(attrs, inputShape), new Map([["x", input]]), weights).outputs.get("layer")!;
}

describe("fc", () => {
  it("flattens its input in C, H, W order and adds the bias", () => {
    const weights = new Map([
      ["layer.weight", tensorOf([2, 4], [1, 10, 100, 1000, 1, 1, 1, 1])],
      ["layer.bias", tensorOf([2], [0.5, -10])],
    ]);
    const output = runOp({ op: "fc", outFeatures: 2, bias: true }, [2, 1, 2], tensorOf([1, 2, 1, 2], [1, 2, 3, 4]), weights);
    expect(output.shape).toEqual([1, 2]);
    expect(Array.from(output.data)).toEqual([4321.5, 0]);
  });

  it("without bias, per sample", () => {
    const weights = new Map([["layer.weight", tensorOf([1, 2], [2, -1])]]);
    const output = runOp({ op: "fc", outFeatures: 1, bias: false }, [2], tensorOf([3, 2], [1, 1, 2, 0, 0, 5]), weights);
    expect(Array.from(output.data)).toEqual([1, 4, -5]);
  });
});

describe("add, concat, flatten, dropout", () => {
  it("add sums any number of inputs elementwise", () => {
    const graph = singleOpGraph({ op: "add" }, [[2], [2], [2]]);
    const inputs = new Map([
      ["x0", tensorOf([1, 2], [1, 2])],
      ["x1", tensorOf([1, 2], [10, 20])],
      ["x2", tensorOf([1, 2], [100, 200])],
    ]);
    expect(Array.from(runReference(graph, inputs, new Map()).outputs.get("layer")!.data)).toEqual([111, 222]);
  });

  it("takes its inputs as a Map or a plain object, as session.run does", () => {
    const graph = singleOpGraph({ op: "add" }, [[2], [2]]);
    const x0 = tensorOf([1, 2], [1, 2]);
    const x1 = tensorOf([1, 2], [10, 20]);
    const fromMap = runReference(graph, new Map([["x0", x0], ["x1", x1]]), new Map()).outputs.get("layer")!;
    const fromObject = runReference(graph, { x0, x1 }, new Map()).outputs.get("layer")!;
    expect(Array.from(fromObject.data)).toEqual([11, 22]);
    expect(fromObject).toEqual(fromMap);
    expect(() => runReference(graph, { x0 }, new Map())).toThrow(CnncUserError);
  });

  it("concat stacks channels per sample", () => {
    const graph = singleOpGraph({ op: "concat" }, [[1, 1, 2], [2, 1, 2]]);
    const inputs = new Map([
      ["x0", tensorOf([2, 1, 1, 2], [1, 2, 3, 4])],
      ["x1", tensorOf([2, 2, 1, 2], [10, 20, 30, 40, 50, 60, 70, 80])],
    ]);
    const output = runReference(graph, inputs, new Map()).outputs.get("layer")!;
    expect(output.shape).toEqual([2, 3, 1, 2]);
    expect(Array.from(output.data)).toEqual([1, 2, 10, 20, 30, 40, 3, 4, 50, 60, 70, 80]);
  });

  it("flatten keeps the data and changes the shape; dropout is the identity at inference", () => {
    const input = tensorOf([1, 2, 1, 2], [1, 2, 3, 4]);
    const flat = runOp({ op: "flatten" }, [2, 1, 2], input);
    expect(flat.shape).toEqual([1, 4]);
    expect(Array.from(flat.data)).toEqual([1, 2, 3, 4]);
    const dropped = runOp({ op: "dropout", p: 0.5 }, [2, 1, 2], input);
    expect(dropped.shape).toEqual([1, 2, 1, 2]);
    expect(Array.from(dropped.data)).toEqual([1, 2, 3, 4]);
  });
});

describe("graphs", () => {
  const ops: OpAttrs[] = [
    conv2d({ out: 3, kernel: 3, padding: 1 }),
    { op: "batchnorm", eps: 1e-5, momentum: 0.1 },
    { op: "relu" },
    pool2d({ kind: "max", window: 2 }),
    { op: "flatten" },
    { op: "dropout", p: 0.5 },
    { op: "fc", outFeatures: 4, bias: true },
    { op: "softmax" },
  ];

  it("keep: all returns every node's value, each the op applied to its input's value", () => {
    const graph = chainGraph([2, 5, 6], ops);
    const random = seededRandom(11);
    const weights = randomWeights(graph, random);
    const input = randomTensor([2, 2, 5, 6], random);
    const result = runReference(graph, new Map([["x", input]]), weights, { keep: "all" });
    expect(result.values?.size).toBe(graph.nodes.length);
    for (const node of graph.nodes.slice(1)) {
      const source = graph.nodes[node.inputs[0]!]!;
      const single = singleOpGraph(node.attrs, source.shape, node.name);
      const sourceValue = makeTensor([2, ...source.shape], Float32Array.from(result.values!.get(source.id)!));
      const alone = runReference(single, new Map([["x", sourceValue]]), weights).outputs.get(node.name)!;
      const inGraph = result.values!.get(node.id)!;
      expect(alone.data.length).toBe(inGraph.length);
      alone.data.forEach((value, i) => expect(Math.abs(value - inGraph[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(value))));
    }
    const output = result.outputs.get("l7")!;
    expect(output.shape).toEqual([2, 4]);
    for (let n = 0; n < 2; n++) {
      expect(output.data.subarray(n * 4, n * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it("returns no values without keep, only the named ones with a list, and the same outputs", () => {
    const graph = chainGraph([2, 5, 6], ops);
    const random = seededRandom(12);
    const weights = randomWeights(graph, random);
    const inputs = new Map([["x", randomTensor([3, 2, 5, 6], random)]]);
    const lean = runReference(graph, inputs, weights);
    const full = runReference(graph, inputs, weights, { keep: "all" });
    const some = runReference(graph, inputs, weights, { keep: [2, 3] });
    expect(lean.values).toBeUndefined();
    expect([...some.values!.keys()].sort()).toEqual([2, 3]);
    expect(some.values!.get(3)).toEqual(full.values!.get(3));
    expect(Array.from(lean.outputs.get("l7")!.data)).toEqual(Array.from(full.outputs.get("l7")!.data));
  });

  it("checks that the kept values fit in memory together before computing anything", () => {
    // A small input widened to 2^20 features: each layer's float64 value at this batch fits one
    // array, the three of them together do not fit the machine's memory. Nothing is allocated.
    const graph = chainGraph([1], [{ op: "fc", outFeatures: 2 ** 20, bias: false }, { op: "relu" }, { op: "relu" }]);
    const batch = Math.ceil(totalmem() / (3 * 8 * 2 ** 20)) + 1;
    const error = userError(() => runReference(graph, new Map([["x", makeTensor([batch, 1])]]), new Map(), { keep: "all" }));
    expect(error.message).toMatch(
      new RegExp(`^the CPU reference's float64 values of 4 layers of test_chain at batch ${batch.toLocaleString("en-US")} need .* in all, more than this machine's memory`),
    );
  });
});

describe("errors", () => {
  const graph = singleOpGraph(conv2d({ out: 2, kernel: 3 }), [1, 4, 4]);
  const weights = randomWeights(graph, seededRandom(5));
  const input = makeTensor([1, 1, 4, 4]);

  const userError = (run: () => unknown): CnncUserError => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(CnncUserError);
      return error as CnncUserError;
    }
    throw new Error("expected a CnncUserError");
  };

  it("a missing input names it and its expected shape", () => {
    const error = userError(() => runReference(graph, new Map(), weights));
    expect(error.message).toBe('input "x" is missing');
    expect(error.hint).toContain("[N, 1, 4, 4]");
  });

  it("an input of the wrong shape", () => {
    const error = userError(() => runReference(graph, new Map([["x", makeTensor([1, 1, 4, 5])]]), weights));
    expect(error.message).toBe('input "x" has shape [1, 1, 4, 5], expected [N, 1, 4, 4]');
  });

  it("inputs with different batch sizes", () => {
    const two = singleOpGraph({ op: "add" }, [[2], [2]]);
    const error = userError(() =>
      runReference(two, new Map([["x0", makeTensor([1, 2])], ["x1", makeTensor([2, 2])]]), new Map()),
    );
    expect(error.message).toContain("batch 2");
  });

  it("a missing weight lists the expected name and shape", () => {
    const partial = new Map([...weights].filter(([name]) => name !== "layer.bias"));
    const error = userError(() => runReference(graph, new Map([["x", input]]), partial));
    expect(error.message).toBe('weight "layer.bias" is missing');
    expect(error.hint).toContain("[2]");
  });

  it("a weight of the wrong shape", () => {
    const wrong = new Map(weights).set("layer.weight", makeTensor([2, 1, 3, 2]));
    const error = userError(() => runReference(graph, new Map([["x", input]]), wrong));
    expect(error.message).toBe('weight "layer.weight" has shape [2, 1, 3, 2] but layer layer expects [2, 1, 3, 3]');
  });

  it("an IR node whose shape disagrees with the op's definition is an internal error", () => {
    const bad = singleOpGraph(pool2d({ kind: "max", window: 2 }), [1, 4, 4], "layer", [1, 3, 3]);
    expect(() => runReference(bad, new Map([["x", input]]), new Map())).toThrow(/definition gives \[1, 2, 2\]/);
  });
});
