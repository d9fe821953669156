// Windowed pooling on the GPU against the CPU reference over randomized configurations.
import { describe, it } from "vitest";

import type { PoolKind, Rounding } from "../../src/ir/graph.js";
import { pool1d, pool2d, randomTensor, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

// rtol 1e-4, atol 1e-5 (FLOAT32_TOLERANCE): sums of at most 49 float32 values.
describe("pool kernels", () => {
  it("match the reference over random 2-D configurations", async () => {
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    for (let trial = 0; trial < 24; trial++) {
      const kind = pick<PoolKind>(["max", "avg", "l2"]);
      const windowH = 1 + Math.floor(random() * 4);
      const windowW = 1 + Math.floor(random() * 4);
      const stride: [number, number] = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 3)];
      // Padding at most half the window (PyTorch's rule), asymmetric.
      const pad: [number, number, number, number] = [
        Math.floor(random() * (Math.floor(windowH / 2) + 1)),
        Math.floor(random() * (Math.floor(windowH / 2) + 1)),
        Math.floor(random() * (Math.floor(windowW / 2) + 1)),
        Math.floor(random() * (Math.floor(windowW / 2) + 1)),
      ];
      const rounding = pick<Rounding>(["floor", "ceil"]);
      const countPadding = random() < 0.5;
      const C = pick([1, 3, 5, 7]);
      const H = windowH + Math.floor(random() * 9);
      const W = windowW + Math.floor(random() * 9);
      const batch = pick([1, 2, 3]);
      const attrs = pool2d({ kind, window: [windowH, windowW], stride, padding: pad, rounding, countPadding });
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
