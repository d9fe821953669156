// The reference interpreter checks its float64 allocations against the host's limits before it
// computes anything, naming the layer and the largest batch that fits.
import { describe, expect, it } from "vitest";

import { hostArrayLimit } from "../../src/hostLimits.js";
import { runReference } from "../../src/reference/interpret.js";
import { checkReferenceFits, makeValue } from "../../src/reference/value.js";
import { makeTensor } from "../../src/tensor.js";
import { userError } from "../support/userError.js";
import { chainGraph } from "./graphBuilders.js";

describe("reference sizes", () => {
  const limit = hostArrayLimit("float64").elements;
  // Per-sample values of 2^20 features: the largest batch that fits is limit / 2^20.
  const graph = chainGraph([2 ** 20], [{ op: "relu" }]);
  const largest = Math.floor(limit / 2 ** 20);

  it("names the largest value and the batch that fits", () => {
    expect(() => checkReferenceFits(graph, largest)).not.toThrow();
    const error = userError(() => checkReferenceFits(graph, largest + 1));
    expect(error.message).toMatch(new RegExp(`^the CPU reference's float64 copy of x \\[N, 1048576\\] at batch ${(largest + 1).toLocaleString("en-US")} needs`));
    expect(error.hint).toBe(`use a smaller batch: at most ${largest.toLocaleString("en-US")} fits in one host array`);
  });

  it("refuses before computing anything (a small input whose fc output would not fit)", () => {
    const widening = chainGraph([1], [{ op: "fc", outFeatures: 2 ** 20, bias: false }]);
    const input = makeTensor([largest + 1, 1]);
    expect(userError(() => runReference(widening, new Map([["x", input]]), new Map())).message).toMatch(
      /^the CPU reference's float64 copy of l0 \[N, 1048576\] at batch/,
    );
  });

  it("checks each value it allocates", () => {
    expect(userError(() => makeValue(limit + 1, [1])).message).toMatch(/^a CPU reference value \[\d+, 1\] needs/);
    expect(makeValue(2, [3]).data).toEqual(new Float64Array(6));
    expect(makeTensor([0]).data.length).toBe(0);
  });
});
