// The --check comparison: max abs / rel errors and the per-element tolerance.
import { describe, expect, it } from "vitest";

import { CHECK_ATOL, CHECK_RTOL, compareOutput } from "../../runtime/compareOutputs.js";
import { makeTensor } from "../../src/tensor.js";

const tensor = (values: number[]) => makeTensor([1, values.length], Float32Array.from(values));

describe("compareOutput", () => {
  it("passes identical outputs with zero error", () => {
    const result = compareOutput("y", tensor([1, -2, 3]), tensor([1, -2, 3]));
    expect(result).toMatchObject({ maxAbsError: 0, maxRelError: 0, failures: 0, passed: true });
  });

  it("allows relative error up to rtol and scaled absolute error near zero", () => {
    const reference = tensor([100, 0, -50]);
    // scale = 100: atol part 1e-2; element 0 may be off by 1e-2 + 0.1.
    const within = tensor([100 + 0.1, CHECK_ATOL * 100 * 0.9, -50 - 50 * CHECK_RTOL * 0.5]);
    expect(compareOutput("y", within, reference).passed).toBe(true);
    const outside = tensor([100 + 0.2, 0, -50]);
    const result = compareOutput("y", outside, reference);
    expect(result.passed).toBe(false);
    expect(result.failures).toBe(1);
    expect(result.maxAbsError).toBeCloseTo(0.2, 4);
    expect(result.maxRelError).toBeCloseTo(0.002, 5);
  });

  it("fails on NaN unless both sides are NaN", () => {
    expect(compareOutput("y", tensor([Number.NaN, 1]), tensor([0.5, 1])).passed).toBe(false);
    expect(compareOutput("y", tensor([Number.NaN, 1]), tensor([Number.NaN, 1])).passed).toBe(true);
  });
});
