// Plan sizes: buildPlan refuses values and weights past what 32-bit kernel indices reach, before
// generating any kernel; checkPlanFits, the one check against a device's storage-buffer limit, names
// the largest buffer past it and the largest batch at which every buffer fits.
import { describe, expect, it } from "vitest";

import { buildPlan } from "../../src/pipeline.js";
import { MAX_KERNEL_ELEMENTS } from "../../src/codegen/emitPlan.js";
import { checkPlanFits, PARAM_SIZE_HINT, type BufferLimit } from "../../src/codegen/planLimits.js";
import { userError } from "../support/userError.js";
import { chainGraph, conv2d, singleOpGraph } from "../reference/graphBuilders.js";

describe("buildPlan sizes", () => {
  const features = 2 ** 20;
  const graph = chainGraph([features], [{ op: "relu" }]);

  it("refuses a batch past the kernels' 32-bit indices, with the largest that fits", () => {
    const largest = Math.floor(MAX_KERNEL_ELEMENTS / features);
    expect(buildPlan(graph, largest).batch).toBe(largest);
    const error = userError(() => buildPlan(graph, largest + 1));
    expect(error.message).toBe(
      `input x [${largest + 1}, ${features}] has 4,294,967,296 values at batch ${(largest + 1).toLocaleString("en-US")}, ` +
        "more than cnnc's 32-bit kernel indices reach (4,294,967,295)",
    );
    expect(error.hint).toBe(`use a smaller batch: at most ${largest.toLocaleString("en-US")} fits cnnc's 32-bit kernel indices`);
  });

  it("refuses a weight past the kernels' indices whatever the batch", () => {
    const fc = singleOpGraph({ op: "fc", outFeatures: 2 ** 22, bias: false }, [2 ** 11], "big");
    const error = userError(() => buildPlan(fc, 1));
    expect(error.message).toBe(`weight big.weight [4194304, 2048] has 8,589,934,592 values, more than cnnc's 32-bit kernel indices reach (4,294,967,295)`);
    expect(error.hint).not.toContain("batch 1");
  });
});

describe("checkPlanFits", () => {
  const limit: BufferLimit = { bytes: 64 * 2 ** 20, imposedBy: "this GPU allows in one storage buffer", fits: "this GPU's storage buffers" };

  it("names the largest value past the limit, with its shape, and the largest batch that fits", () => {
    // fc widens 4 features to 2^20: its output, not the input, is the largest buffer.
    const graph = chainGraph([4], [{ op: "fc", outFeatures: 2 ** 20, bias: false }]);
    expect(() => checkPlanFits(buildPlan(graph, 16), limit)).not.toThrow();
    const error = userError(() => checkPlanFits(buildPlan(graph, 17), limit));
    expect(error.message).toBe(`the output of layer l0 [17, ${2 ** 20}] needs 68 MiB at batch 17, more than this GPU allows in one storage buffer (64 MiB)`);
    expect(error.hint).toBe("use a smaller batch: at most 16 fits this GPU's storage buffers");
  });

  it("calls an input an input (of equal buffers, the first is named)", () => {
    const error = userError(() => checkPlanFits(buildPlan(chainGraph([2 ** 20], [{ op: "relu" }]), 17), limit));
    expect(error.message).toBe("input x [17, 1048576] needs 68 MiB at batch 17, more than this GPU allows in one storage buffer (64 MiB)");
  });

  it("says that a weight does not depend on the batch", () => {
    const plan = buildPlan(singleOpGraph(conv2d({ out: 1500, kernel: 3 }), [1500, 3, 3], "big"), 1);
    const error = userError(() => checkPlanFits(plan, limit));
    expect(error.message).toBe("weight big.weight needs 77.2 MiB, more than this GPU allows in one storage buffer (64 MiB)");
    expect(error.hint).toBe(PARAM_SIZE_HINT);
  });
});
