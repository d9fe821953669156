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

  it("counts an element finite on one side only, or NaN against Inf, as a failure", () => {
    const result = compareOutput("y", tensor([Number.NaN, 1, Infinity, -Infinity, 2]), tensor([0.5, 1, Number.NaN, Infinity, 2]));
    expect(result).toMatchObject({ failures: 3, finiteElements: 2, passed: false, maxAbsError: 0 });
    expect(result.gpu).toMatchObject({ nan: 1, positiveInfinity: 1, negativeInfinity: 1, firstIndex: 0 });
    expect(result.reference).toMatchObject({ nan: 1, positiveInfinity: 1, negativeInfinity: 0, firstIndex: 2 });
  });

  it("never passes an output holding NaN or Inf, even where the reference holds the same", () => {
    const agreeing = compareOutput("y", tensor([Number.NaN, Infinity, 1]), tensor([Number.NaN, Infinity, 1]));
    expect(agreeing).toMatchObject({ failures: 0, finiteElements: 1, maxAbsError: 0, passed: false });
    expect(compareOutput("y", tensor([Number.NaN, Number.NaN]), tensor([Number.NaN, Number.NaN])).passed).toBe(false);
  });

  it("scales the tolerance by the largest finite reference value, ignoring infinities", () => {
    // scale = 100 (not Inf): 0.5 off at a zero element is far outside 1e-4 * 100.
    const result = compareOutput("y", tensor([Infinity, 100, 0.5]), tensor([Infinity, 100, 0]));
    expect(result.failures).toBe(1);
  });
});
