// --check's report for GPU results that no correct kernel gives, simulated without a GPU: a run
// standing in for the session returns chosen per-layer values, so the messages for a kernel bug (NaN
// where the reference is finite), a result that changes between runs, and a lost NaN can be checked.
import { describe, expect, it } from "vitest";

import { checkOutputs, type CheckedRun } from "../../src/cli/checkOutputs.js";
import type { LineOutput } from "../../src/cli/lineOutput.js";
import { runReference } from "../../src/reference/interpret.js";
import { makeTensor, type Tensor } from "../../src/tensor.js";
import { chainGraph, tensorOf } from "../reference/graphBuilders.js";

// x [4] -> relu (l0) -> tanh (l1): no weights.
const graph = chainGraph([4], [{ op: "relu" }, { op: "tanh" }]);
const input = tensorOf([1, 4], [-1, 0.5, 2, -3]);
const inputs = new Map([["x", input]]);
const referenceValues = runReference(graph, inputs, new Map(), { keep: "all" }).values!;

/** A stand-in session whose layer-by-layer re-run gives the reference's values, except `replaced` ones. */
function fakeRun(replaced: Map<number, number[]>): CheckedRun {
  return {
    graph,
    weights: new Map(),
    runLayerByLayer: async (_inputs, visit) => {
      for (const id of [1, 2]) {
        const values = replaced.get(id) ?? Array.from(referenceValues.get(id)!);
        if (!visit(id, Float32Array.from(values))) return;
      }
    },
  };
}

async function check(run: CheckedRun, gpuOutput: number[]): Promise<{ passed: boolean; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const lines: LineOutput = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const outputs = new Map<string, Tensor>([["l1", makeTensor([1, 4], Float32Array.from(gpuOutput))]]);
  const passed = await checkOutputs(run, inputs, outputs, lines);
  return { passed, out: out.join("\n"), err: err.join("\n") };
}

describe("checkOutputs", () => {
  it("calls NaN where the reference is finite a kernel bug, naming the layer", async () => {
    const result = await check(fakeRun(new Map([[1, [0, 0.5, Number.NaN, 0]]])), [0, Math.tanh(0.5), Number.NaN, 0]);
    expect(result.passed).toBe(false);
    expect(result.out).toContain(
      "check l1: FAILED: the GPU output holds 1 NaN of 4 values (the first at [0, 2]); the reference's is finite; 1 of 4 elements disagree " +
        "(over the 3 elements finite on both sides: max abs error",
    );
    expect(result.out).toContain(
      "check: the first layer producing NaN or Inf is l0 (relu at test.cnn:1:1), from finite inputs: 1 NaN of 4 values (the first at [0, 2])",
    );
    expect(result.out).toContain(
      "check: the reference is finite at l0 (largest |value| 2.0e+0), and so is everything computing it in float32: " +
        "its GPU kernel should not produce NaN or Inf",
    );
    expect(result.err).toContain("error: output l1 holds NaN or Inf (see the check lines above)");
    expect(result.err).toContain("this is a bug in cnnc");
  });

  it("says when the layer-by-layer re-run finds no NaN (a result that changes between runs)", async () => {
    const result = await check(fakeRun(new Map()), [0, Math.tanh(0.5), Number.NaN, 0]);
    expect(result.passed).toBe(false);
    expect(result.out).toContain("check: re-running layer by layer found no NaN or Inf: the GPU gave different results on the two runs");
  });

  it("fails a finite GPU output where the reference holds NaN (a lost NaN)", async () => {
    const nanInputs = new Map([["x", tensorOf([1, 4], [Number.NaN, 0.5, 2, -3])]]);
    const out: string[] = [];
    const err: string[] = [];
    const outputs = new Map<string, Tensor>([["l1", tensorOf([1, 4], [0, Math.tanh(0.5), Math.tanh(2), 0])]]);
    const passed = await checkOutputs(fakeRun(new Map()), nanInputs, outputs, { out: (line) => out.push(line), err: (line) => err.push(line) });
    expect(passed).toBe(false);
    expect(out.join("\n")).toContain("check l1: FAILED: the GPU output is finite; the reference's holds 1 NaN of 4 values (the first at [0, 0]); 1 of 4 elements disagree");
    expect(err.join("\n")).toContain("error: the CPU reference's output l1 holds NaN or Inf where the GPU's is finite");
    expect(err.join("\n")).toContain("the GPU lost NaN or Inf that the CPU reference computes: this is a bug in cnnc");
  });

  it("passes a finite output within the tolerance", async () => {
    const expected = Array.from(referenceValues.get(2)!);
    const result = await check(fakeRun(new Map()), expected);
    expect(result).toMatchObject({ passed: true, err: "" });
    expect(result.out).toMatch(/^check l1: max abs error .*: ok$/m);
  });
});
