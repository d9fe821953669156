// --random-input's tensors: their sizes are checked (before the device is opened) without allocating
// them, and the tensors drawn afterwards are randomNormalTensor's, value for value.
import { describe, expect, it } from "vitest";

import { randomNormalTensor } from "../../runtime/init.js";
import { checkRandomInputs, drawRandomInputs } from "../../src/cli/runInputs.js";
import { hostArrayLimit } from "../../src/hostLimits.js";
import { graphInputs } from "../../src/networkInputs.js";
import { chainGraph } from "../reference/graphBuilders.js";
import { userError } from "../support/userError.js";

describe("--random-input", () => {
  const inputs = graphInputs(chainGraph([3, 8, 8], [{ op: "relu" }]));

  it("checks each input against one host array, naming the largest batch that fits", () => {
    const largest = Math.floor(hostArrayLimit("float32").elements / 192);
    expect(() => checkRandomInputs(inputs, largest)).not.toThrow();
    const error = userError(() => checkRandomInputs(inputs, largest + 1));
    expect(error.message).toMatch(new RegExp(`^random input x \\[N, 3, 8, 8\\] at batch ${(largest + 1).toLocaleString("en-US")} needs`));
    expect(error.hint).toBe(`use a smaller batch: at most ${largest.toLocaleString("en-US")} fits in one host array`);
  });

  it("draws the seeded normal values randomNormalTensor gives", () => {
    const drawn = drawRandomInputs(inputs, 2, 7).get("x")!;
    expect(drawn.shape).toEqual([2, 3, 8, 8]);
    expect(drawn.data).toEqual(randomNormalTensor([2, 3, 8, 8], 7, "input:x").data);
  });
});
