// upsample on the GPU against the float64 reference: nearest and bilinear (half-pixel centers and
// align_corners), whole-number factors 1-4 per axis, odd sizes, inputs of one row or column, batch > 1;
// and NaN reaching exactly the outputs that read it.
import { describe, it } from "vitest";
import type { UpsampleAttrs } from "../../src/ir/graph.js";
import { makeTensor } from "../../src/tensor.js";
import { randomInt } from "../reference/backward/opCheck.js";
import { randomTensor, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

const MODES: { mode: UpsampleAttrs["mode"]; alignCorners: boolean }[] = [
  { mode: "nearest", alignCorners: false },
  { mode: "bilinear", alignCorners: false },
  { mode: "bilinear", alignCorners: true },
];

describe("upsample kernel", () => {
  it.each(MODES)("matches the reference over random shapes ($mode, align_corners=$alignCorners)", async ({ mode, alignCorners }) => {
    const random = seededRandom(mode === "nearest" ? 2201 : alignCorners ? 2202 : 2203);
    for (let trial = 0; trial < 8; trial++) {
      const attrs: UpsampleAttrs = { op: "upsample", scale: [randomInt(random, 1, 4), randomInt(random, 1, 4)], mode, alignCorners };
      const input = [randomInt(random, 1, 3), randomInt(random, 1, 7), randomInt(random, 1, 7)];
      const batch = randomInt(random, 1, 3);
      const graph = singleOpGraph(attrs, input);
      await expectGpuMatchesReference(graph, new Map([["x", randomTensor([batch, ...input], random)]]), new Map(), `trial ${trial}: scale ${attrs.scale.join("x")} on ${batch}x${input.join("x")}`);
    }
  });

  it("spreads a NaN to exactly the bilinear outputs that read it", async () => {
    const attrs: UpsampleAttrs = { op: "upsample", scale: [2, 3], mode: "bilinear", alignCorners: false };
    const graph = singleOpGraph(attrs, [1, 3, 3]);
    const x = makeTensor([1, 1, 3, 3]);
    x.data.set([1, 2, 3, 4, Number.NaN, 6, 7, 8, 9]);
    await expectGpuMatchesReference(graph, new Map([["x", x]]), new Map(), "NaN at the center");
  });
});
