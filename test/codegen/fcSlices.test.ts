// How fc weights larger than one portable GPU binding (128 MiB) are split into row slices: the slice
// arithmetic, and VGG-16's 392 MiB fc6 weight in a full-size plan (plan only, no GPU run).
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/pipeline.js";
import { fcRowSlices, PORTABLE_MAX_BINDING_BYTES } from "../../src/codegen/fc.js";
import { compileExample } from "../examples/exampleHelpers.js";

describe("fcRowSlices", () => {
  it("keeps a weight that fits in one slice", () => {
    expect(fcRowSlices(1000, 4096, PORTABLE_MAX_BINDING_BYTES, 4)).toEqual([{ start: 0, count: 1000 }]);
  });

  it("splits into the fewest equal slices aligned to the register tile, the last one shorter", () => {
    expect(fcRowSlices(10, 37, 3 * 37 * 4, 1)).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 3 },
      { start: 9, count: 1 },
    ]);
    expect(fcRowSlices(13, 32, 11 * 32 * 4, 4)).toEqual([
      { start: 0, count: 8 },
      { start: 8, count: 5 },
    ]);
  });

  it("leaves a weight whole when not even one register tile of rows fits (the runtime reports it)", () => {
    expect(fcRowSlices(8, 100, 3 * 100 * 4, 4)).toEqual([{ start: 0, count: 8 }]);
  });
});

describe("VGG-16 at full size", () => {
  it("binds fc6's 392 MiB weight as 4 row slices of at most 128 MiB, covering all 4096 rows", () => {
    const plan = buildPlan(compileExample("vgg16.cnn"), 1);
    const fc6Steps = plan.steps.filter((step) => step.name.startsWith("fc6."));
    expect(fc6Steps.map((step) => step.name)).toEqual(["fc6.gemm_0", "fc6.gemm_1", "fc6.gemm_2", "fc6.gemm_3"]);
    const inFeatures = 512 * 7 * 7;
    let nextElement = 0;
    for (const step of fc6Steps) {
      const weight = plan.buffers[step.bindings[0]!.buffer]!;
      expect(weight.paramName).toBe("fc6.weight");
      expect(weight.bytes).toBeLessThanOrEqual(PORTABLE_MAX_BINDING_BYTES);
      expect(weight.paramSlice).toEqual({ firstElement: nextElement, tensorBytes: 4096 * inFeatures * 4 });
      nextElement += weight.bytes / 4;
    }
    expect(nextElement).toBe(4096 * inFeatures);
    // No plan buffer is larger than a portable binding (the activations at batch 1 are small).
    expect(Math.max(...plan.buffers.map((buffer) => buffer.bytes))).toBeLessThanOrEqual(PORTABLE_MAX_BINDING_BYTES);
    // fc7 (64 MiB) stays one kernel.
    expect(plan.steps.filter((step) => step.name.startsWith("fc7.")).map((step) => step.name)).toEqual(["fc7.fc"]);
  });
});
