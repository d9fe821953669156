// The reference's float64 values against the host's limits: checkReferenceFits, for a caller that
// must know before anything is computed (`cnnc run --check`, before the GPU run), names the layer and
// the largest batch that fits; runReference itself checks each value as it allocates it.
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

  it("refuses a value it cannot hold as it allocates it (a small input whose fc output would not fit)", () => {
    const widening = chainGraph([1], [{ op: "fc", outFeatures: 2 ** 20, bias: false }]);
    const input = makeTensor([largest + 1, 1]);
    const weights = new Map([["l0.weight", makeTensor([2 ** 20, 1])]]);
    expect(userError(() => runReference(widening, new Map([["x", input]]), weights)).message).toMatch(
      new RegExp(`^a CPU reference value \\[${largest + 1}, 1048576\\] needs`),
    );
  });

  it("checks each value it allocates", () => {
    expect(userError(() => makeValue(limit + 1, [1])).message).toMatch(/^a CPU reference value \[\d+, 1\] needs/);
    expect(makeValue(2, [3]).data).toEqual(new Float64Array(6));
    expect(makeTensor([0]).data.length).toBe(0);
  });
});
