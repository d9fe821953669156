// The real tuning backend's choice of kernels to tune (no device needed): a kind forced for all
// layers keeps the kernels it computes out of tuning, and leaves the others (fc under a conv kind) in,
// as choose-schedules applies it; a layer's own kind keeps that layer out.
// And the finals take more runs than the first timing of all candidates.
import { describe, expect, it } from "vitest";
import { TUNING_BACKEND, tuningRuns } from "../../../runtime/tuning/tuneGraph.js";
import { FINALS_RUNS_FACTOR } from "../../../src/schedule/tune/tuner.js";
import { compile } from "../../../runtime/compileNetwork.js";
import { PORTABLE_TARGET } from "../../../src/schedule/types.js";

const graph = compile("network Net {\n  input x: 1x8x8\n  conv(4, 3) as c\n  relu\n  flatten\n  fc(10) as f\n}\n", { file: "net.cnn" });
const tuned = (schedule?: { all?: string; layers?: Record<string, string> }) =>
  TUNING_BACKEND.kernelWorkloads(graph, 1, { fuse: true, target: PORTABLE_TARGET, ...(schedule === undefined ? {} : { schedule }) }).map((kernel) => kernel.workload.op);

describe("the tuning backend's kernels", () => {
  it("tunes every conv and fc kernel by default", () => {
    expect(tuned()).toEqual(["conv", "fc"]);
  });

  it("keeps what a forced kind computes out, and tunes the rest", () => {
    expect(tuned({ all: "direct" })).toEqual(["fc"]);
    expect(tuned({ layers: { c: "im2col" } })).toEqual(["fc"]);
    expect(tuned({ layers: { f: "gemm" } })).toEqual(["conv"]);
  });
});

describe("the tuning backend's runs", () => {
  it("times the finals with FINALS_RUNS_FACTOR times the candidates' runs", () => {
    expect(tuningRuns(7, "candidates")).toBe(7);
    expect(tuningRuns(7, "finals")).toBe(7 * FINALS_RUNS_FACTOR);
  });
});
