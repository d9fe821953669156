import { describe, expect, it } from "vitest";
import { summarizeGraph, summaryToJson } from "../../src/ir/summary.js";
import { markInPlace } from "../../src/passes/markInPlace.js";
import { conv, pad } from "./build.js";
import { makeGraph } from "./graphs.js";

function graph() {
  return markInPlace(
    makeGraph("Small", [
      { name: "x", attrs: { op: "input" }, shape: [4, 6, 6] },
      { name: "dw", attrs: conv(8, 3, { groups: 2, padding: pad(1), bias: false }) },
      { name: "bn", attrs: { op: "batchnorm", eps: 1e-5, momentum: 0.1 } },
      { name: "act", attrs: { op: "relu" } },
      { name: "side", attrs: { op: "sigmoid" }, inputs: [2] },
      { name: "sum", attrs: { op: "add" }, inputs: [3, 4] },
      { name: "gap", attrs: { op: "global_pool", kind: "avg" } },
      { name: "head", attrs: { op: "fc", outFeatures: 3, bias: true } },
    ]),
  );
}

describe("summarizeGraph", () => {
  const summary = summarizeGraph(graph(), 2);

  it("writes parameter formulas per op", () => {
    expect(summary.rows.map((row) => [row.name, row.op, row.paramsText])).toEqual([
      ["x", "input", "0"],
      ["dw", "conv", "(3*3*2)*8 = 144"],
      ["bn", "batchnorm", "2*8 = 16"],
      ["act", "relu", "0"],
      ["side", "sigmoid", "0"],
      ["sum", "add", "0"],
      ["gap", "global_avgpool", "0"],
      ["head", "fc", "1*1*8*3 + 3 = 27"],
    ]);
  });

  it("counts no new activations for in-place layers only", () => {
    // bn is read by both act and side, so neither may overwrite it.
    expect(summary.rows.map((row) => [row.name, row.activations, row.activationsText])).toEqual([
      ["x", 144, "6*6*4 = 144"],
      ["dw", 288, "6*6*8 = 288"],
      ["bn", 288, "6*6*8 = 288"],
      ["act", 288, "6*6*8 = 288"],
      ["side", 288, "6*6*8 = 288"],
      ["sum", 288, "6*6*8 = 288"],
      ["gap", 8, "1*1*8 = 8"],
      ["head", 3, "3"],
    ]);
    expect(summary.totals).toEqual({ params: 144 + 16 + 27, macs: 6 * 6 * 8 * 3 * 3 * 2 + 8 * 3, activations: 144 + 5 * 288 + 8 + 3 });
  });

  it("adds batchnorm running statistics to memory, without gradients", () => {
    const activations = summary.totals.activations * 4 * 2;
    const params = summary.totals.params * 4;
    const buffers = 2 * 8 * 4;
    expect(summary.memory).toEqual({
      batch: 2,
      activationBytes: activations,
      parameterBytes: params + buffers,
      forwardBytes: activations + params + buffers,
      trainingBytes: 2 * activations + 3 * params + buffers,
    });
  });

  it("turns into the stable JSON form", () => {
    const json = summaryToJson(summary);
    expect(Object.keys(json)).toEqual(["network", "input", "outputs", "layers", "totals", "memory"]);
    expect(json.outputs).toEqual(summary.outputs);
    expect(json.outputs).toHaveLength(1);
    expect(json.memory).toEqual(summary.memory);
    expect(json.input).toEqual([4, 6, 6]);
    expect(json.layers[1]).toEqual({ name: "dw", op: "conv", output: [8, 6, 6], params: 144, macs: 6 * 6 * 8 * 18, activations: 288 });
  });
});
