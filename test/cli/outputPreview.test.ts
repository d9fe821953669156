// The output preview shows NaN and Inf as they are: argmax points at a NaN (as torch.argmax does)
// instead of at the largest number, and infinities print as +Inf / -Inf.
import { describe, expect, it } from "vitest";

import { previewOutput } from "../../src/cli/outputPreview.js";
import { tensorOf } from "../reference/graphBuilders.js";

describe("previewOutput", () => {
  it("argmax of a sample holding NaN is the first NaN", () => {
    const lines = previewOutput("y", tensorOf([3, 3], [5, Number.NaN, 1, 0, 2, Number.NaN, Infinity, 1, 2]));
    expect(lines).toEqual(["output y: [3, 3]", "  sample 0: argmax 1 (NaN)", "  sample 1: argmax 2 (NaN)", "  sample 2: argmax 0 (+Inf)"]);
  });

  it("prints infinities and NaN in the statistics of a spatial output", () => {
    const lines = previewOutput("y", tensorOf([1, 1, 2, 2], [-Infinity, 1, 2, 3]));
    expect(lines[1]).toBe("  min -Inf, max 3.0000, mean -Inf");
    expect(lines[2]).toBe("  first values: -Inf, 1.0000, 2.0000, 3.0000");
    expect(previewOutput("y", tensorOf([1, 1, 1, 2], [Number.NaN, 1]))[1]).toBe("  min NaN, max NaN, mean NaN");
  });
});
