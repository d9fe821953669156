// Every op kind's ONNX form, run in onnxruntime (CPU) against cnnc's float64 reference on the random
// networks of layerCases.ts, each variant drawn DRAWS times. Weights are random (not the initial ones),
// so batchnorm's statistics and every bias matter.
import { describe, expect, it } from "vitest";

import { OP_KINDS } from "../../../src/ops/registry.js";
import { compileLayerNetwork, LAYER_CASES } from "./layerCases.js";
import { expectOnnxMatchesReference, randomWeights } from "./onnxHarness.js";

const DRAWS = 3;

describe("ONNX export of each op kind, against the reference", () => {
  it("covers every op kind of the registry", () => {
    const covered = new Set(LAYER_CASES.flatMap((each) => each.ops));
    expect(OP_KINDS.filter((op) => !covered.has(op))).toEqual([]);
  });

  for (const testCase of LAYER_CASES) {
    it(testCase.name, async () => {
      for (const variant of testCase.variants) {
        for (let draw = 0; draw < DRAWS; draw++) {
          const source = testCase.source(variant);
          const graph = compileLayerNetwork(source);
          await expectOnnxMatchesReference(graph, 2, randomWeights(graph, draw), source);
        }
      }
    });
  }
});
