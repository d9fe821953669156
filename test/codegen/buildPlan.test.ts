// buildPlan checks sizes before generating any kernel: values past the buffer limit it is given (a
// device's) or past what 32-bit kernel indices reach are a CnncUserError with the largest batch.
import { describe, expect, it } from "vitest";

import { buildPlan, MAX_KERNEL_ELEMENTS } from "../../src/codegen/buildPlan.js";
import { userError } from "../support/userError.js";
import { chainGraph, singleOpGraph } from "../reference/graphBuilders.js";

describe("buildPlan sizes", () => {
  const features = 2 ** 20;
  const graph = chainGraph([features], [{ op: "relu" }]);

  it("refuses a batch past the kernels' 32-bit indices, with the largest that fits", () => {
    const largest = Math.floor(MAX_KERNEL_ELEMENTS / features);
    expect(buildPlan(graph, largest).batch).toBe(largest);
    const error = userError(() => buildPlan(graph, largest + 1));
    expect(error.message).toBe(
      `the output of layer x [${largest + 1}, ${features}] has 4,294,967,296 values at batch ${(largest + 1).toLocaleString("en-US")}, ` +
        "more than cnnc's 32-bit kernel indices reach (4,294,967,295)",
    );
    expect(error.hint).toBe(`use a smaller batch: at most ${largest.toLocaleString("en-US")} fits cnnc's 32-bit kernel indices`);
  });

  it("uses the limit it is given (a device's storage buffers)", () => {
    const limit = { bytes: 64 * 2 ** 20, imposedBy: "this GPU allows in one storage buffer", fits: "this GPU's storage buffers" };
    expect(() => buildPlan(graph, 16, limit)).not.toThrow();
    const error = userError(() => buildPlan(graph, 17, limit));
    expect(error.message).toBe(`the output of layer x [17, ${features}] needs 68 MiB at batch 17, more than this GPU allows in one storage buffer (64 MiB)`);
    expect(error.hint).toBe("use a smaller batch: at most 16 fits this GPU's storage buffers");
  });

  it("refuses a weight past the kernels' indices whatever the batch", () => {
    const fc = singleOpGraph({ op: "fc", outFeatures: 2 ** 22, bias: false }, [2 ** 11], "big");
    const error = userError(() => buildPlan(fc, 1));
    expect(error.message).toBe(`weight big.weight [4194304, 2048] has 8,589,934,592 values, more than cnnc's 32-bit kernel indices reach (4,294,967,295)`);
    expect(error.hint).not.toContain("batch 1");
  });
});
