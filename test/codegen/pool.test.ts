// Windowed pooling on the GPU against the CPU reference over randomized configurations.
import { describe, it } from "vitest";

import { pool1d, randomPool2dCase, randomTensor, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

// rtol 1e-4, atol 1e-5 (FLOAT32_TOLERANCE): sums of at most 49 float32 values.
describe("pool kernels", () => {
  it("match the reference over random 2-D configurations", async () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 24; trial++) {
      const { attrs, C, H, W, batch } = randomPool2dCase(random, (["max", "avg", "l2"] as const)[trial % 3]!);
      const graph = singleOpGraph(attrs, [C, H, W]);
      const input = randomTensor([batch, C, H, W], random);
      await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), `trial ${trial}: ${JSON.stringify(attrs)} on ${batch}x${C}x${H}x${W}`);
    }
  });

  it("match the reference in 1-D", async () => {
    const random = seededRandom(12);
    for (const kind of ["max", "avg", "l2"] as const) {
      for (const rounding of ["floor", "ceil"] as const) {
        const attrs = pool1d({ kind, window: 3, stride: 2, padding: [1, 0], rounding, countPadding: false });
        const graph = singleOpGraph(attrs, [5, 10]);
        const input = randomTensor([2, 5, 10], random);
        await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), `1-D ${kind} ${rounding}`);
      }
    }
  });
});
